import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { createDashboardApp, type DashboardDeps } from '../../src/dashboard/app.js';
import { createGate } from '../../src/dashboard/auth.js';
import { FeedRegistry } from '../../src/pipeline/registry.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { TARGET_KINDS } from '../../src/targets/index.js';
import { article } from '../builders.js';

const PASSWORD = 'correct horse';
const CHANNEL = '111111111111111111';
const NOW = Date.UTC(2026, 10, 30, 23, 0, 0);

/**
 * What the dashboard says in its own words: the feed form's refusals name its fields and pages (not
 * Discord's slash-command options), and the preview page says what is held and why. The app in
 * process (hono's request) over an in-memory SQLite store and the real feed registry.
 */
describe('the dashboard’s words', () => {
  let store: Store;
  let app: ReturnType<typeof createDashboardApp>;
  let cookie = '';
  let csrf = '';

  beforeAll(async () => {
    store = await openSqliteStore(':memory:');
    const config = parseConfig(
      {
        feeds: [{ id: 'harbour', url: 'https://harbour.example/rss' }],
        routes: [{ feeds: ['harbour'], to: [{ discord: { channel: CHANNEL, quiet: { from: '22:00', to: '07:00', zone: 'UTC' } } }] }],
      },
      'herald.yaml',
      TARGET_KINDS,
    );
    const feeds = new FeedRegistry(config, store);
    await feeds.load();
    const deps = { store, feeds, kinds: TARGET_KINDS, configured: new Map(), nextPollAt: () => null, workers: () => ({ self: 'a', live: ['a'] }), config: () => config, gate: createGate(PASSWORD), log: pino({ level: 'silent' }), now: () => NOW };
    app = createDashboardApp(deps as unknown as DashboardDeps);
    const first = await app.request('/login');
    const visitor = /herald_session=[^;]+/.exec(first.headers.get('set-cookie') ?? '')![0];
    const token = /name="_csrf" value="([^"]+)"/.exec(await first.text())![1]!;
    const loggedIn = await app.request('/login', { method: 'POST', headers: { cookie: visitor, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: token, password: PASSWORD }).toString() });
    cookie = /herald_session=[^;]+/.exec(loggedIn.headers.get('set-cookie') ?? '')![0];
    csrf = /name="_csrf" value="([^"]+)"/.exec(await (await app.request('/', { headers: { cookie } })).text())![1]!;
  });
  afterAll(() => store?.close());

  const post = async (path: string, form: Record<string, string>) => {
    const response = await app.request(path, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, ...form }).toString() });
    return { status: response.status, text: (await response.text()).replace(/&#39;|&apos;/g, "'") };
  };
  const notice = (page: string) => /role="alert">([^<]*)</.exec(page)?.[1] ?? '';

  it("names the form's fields and the Feeds page in the add form's and buttons' refusals, never a slash command", async () => {
    const cases = [
      [{ url: 'https://news.example/rss', id: 'harbour', every: '', channel: CHANNEL }, 'A feed with id harbour exists already; type another in the Id field.'],
      [{ url: 'https://news.example/rss', id: 'Bad Id!', every: '', channel: CHANNEL }, 'Cannot add that feed: Id: expected lower-case letters, digits and dashes only'],
      [{ url: 'https://news.example/rss', id: 'news', every: '1s', channel: CHANNEL }, 'Cannot add that feed: Check every must be at least 5m for feeds added on the dashboard or from Discord, so that no site is polled too often.'],
    ] as const;
    for (const [form, said] of cases) {
      const refused = await post('/feeds', form);
      expect(refused.status).toBe(400);
      expect(notice(refused.text)).toContain(said);
      expect(notice(refused.text)).not.toMatch(/\/feeds|option/);
    }
    const configFeed = await post('/feeds/harbour/pause', {});
    expect(notice(configFeed.text)).toBe('harbour comes from the config file; change it there (only feeds added on the dashboard or from Discord can be changed here).');
    const unknown = await post('/feeds/nope/remove', {});
    expect(notice(unknown.text)).toBe('There is no feed nope. The Feeds page shows them all.');
  });

  it('says on the preview page what is held and why instead of "nothing is waiting"', async () => {
    expect(await (await app.request('/preview', { headers: { cookie } })).text()).toContain('Nothing is waiting to be posted.');
    const options = { template: null, style: { name: 'Harbour', color: 0 }, priority: 0, pacing: { quiet: { from: 22 * 60, to: 7 * 60, zone: 'UTC' } } };
    const story = article({ id: 'night', title: 'Night ferry' });
    await store.addArticle(story, { key: 'night', contentHash: null }, [{ target: `discord:${CHANNEL}`, options }], NOW);
    await store.foldIntoDigest(`discord:${CHANNEL}`, 'quiet', { dueAt: Date.UTC(2026, 11, 1, 7), since: NOW, options }, true, NOW);
    const desk = article({ id: 'desk', title: 'Needs a look', url: 'https://news.example/desk' });
    await store.addArticle(desk, { key: 'desk', contentHash: null }, [{ target: `discord:${CHANNEL}`, options: { ...options, pacing: undefined }, approval: { channel: CHANNEL, expireMs: 3_600_000, onExpiry: 'skip' } }], NOW);
    const page = await (await app.request('/preview', { headers: { cookie } })).text();
    expect(page).not.toContain('Nothing is waiting');
    expect(page).toContain('Nothing is due to be posted now; what is held is listed below.');
    expect(page).toContain('1 post held for approval: each goes out once a moderator approves it on the <a href="/desk">desk</a>.');
    expect(page).toContain(`Discord ${CHANNEL}: 1 article held for quiet hours, posted together as one digest at 2026-12-01 07:00:00 UTC.`);
  });
});
