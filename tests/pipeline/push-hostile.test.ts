import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { readEnv } from '../../src/config/env.js';
import { createHerald, type Herald } from '../../src/main.js';
import { configuredKinds, TARGET_KINDS } from '../../src/targets/index.js';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { close, createServer, listen, waitFor } from '../fakes/http.js';
import { FakeHub } from '../fakes/websub.js';

const TOKEN = 'push-hostile-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CHANNEL = '525252525252525252';

/**
 * Numbers a hub sends are external input: an absurd hub.lease_seconds must neither break the
 * verification nor reach the database, and a subscription row an earlier release stored with an
 * impossible time must not stop Herald from starting or posting. Herald in process, the fake hub
 * calling its ops server.
 */
describe('WebSub against a hub sending absurd numbers (Herald in process, fake hub)', () => {
  const discord = new FakeDiscord(TOKEN, [CHANNEL]);
  const feeds = new FeedServer();
  const hub = new FakeHub();
  const dir = mkdtempSync(join(tmpdir(), 'herald-push-hostile-'));
  const database = join(dir, 'herald.db');
  const items: TestItem[] = [];
  let herald: Herald | null = null;
  let env: Record<string, string> = {};
  const topic = () => feeds.url('/city.xml');
  const feedXml = () =>
    rss('City', [...items].reverse())
      .replace('<rss version="2.0">', '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">')
      .replace('<channel>', `<channel><atom:link rel="hub" href="${hub.url}"/><atom:link rel="self" href="${topic()}"/>`);
  const addStory = (n: number): string => {
    const title = `City story ${n}`;
    feeds.setPage(`/news/${n}.html`, articlePage(title, [`City story ${n} starts with the lead that a summary keeps.`]));
    items.push({ guid: `city-${n}`, title, link: feeds.url(`/news/${n}.html`), pubDate: new Date(Date.UTC(2026, 10, 30, 12, n)) });
    const xml = feedXml();
    feeds.setFeed('/city.xml', xml);
    return xml;
  };
  const posted = (title: string) => discord.messagesIn(CHANNEL).some((m) => m.body.embeds?.[0]?.title === title);
  const verifiedSubscriptions = () => hub.verifications.filter((v) => v.mode === 'subscribe' && v.topic === topic() && v.echoed).length;
  const start = async (): Promise<Herald> => {
    const config = parseConfig({ feeds: [{ id: 'city', url: topic(), every: '5s' }], routes: [{ feeds: ['*'], discord: [CHANNEL] }], push: { safetyEvery: '1h' }, discord: { minEvery: '1s' } }, 'push.yaml', TARGET_KINDS);
    herald = await createHerald({ config, env: readEnv(env), configured: configuredKinds(env), log: pino({ level: 'silent' }), dryRun: false, serveOps: true });
    await herald.start();
    return herald;
  };

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start(), hub.start()]);
    addStory(1);
    const server = createServer();
    const port = await listen(server);
    await close(server);
    env = {
      DISCORD_TOKEN: TOKEN,
      DISCORD_API_URL: discord.apiUrl,
      DATABASE_URL: `sqlite:${database}`,
      HERALD_ALLOW_PRIVATE_NETWORK: '1',
      HTTP_PORT: String(port),
      HERALD_PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
  }, 30_000);

  afterAll(async () => {
    await herald?.stop();
    await Promise.all([discord.stop(), feeds.stop(), hub.stop()]);
  });

  it('answers a verification with an absurd hub.lease_seconds, and keeps posting pushed stories', async () => {
    await start();
    await waitFor('city subscribed', () => verifiedSubscriptions() === 1);
    const { callback } = hub.requests.find((r) => r.topic === topic())!;
    for (const leaseSeconds of [99999999999999, 1e300]) {
      expect(await hub.verify({ mode: 'subscribe', topic: topic(), callback, leaseSeconds })).toMatchObject({ status: 200, echoed: true });
    }
    expect(await hub.publish(topic(), addStory(2))).toEqual([202]);
    await waitFor('the pushed story posted', () => posted('City story 2'));
  });

  it('starts despite a stored subscription with an impossible lease, polls, and asks the hub again', async () => {
    await herald!.stop();
    herald = null;
    const sqlite = new Database(database);
    sqlite.prepare('UPDATE push_subscriptions SET lease_until = ?').run(99999999999999 * 1000);
    sqlite.close();
    const before = verifiedSubscriptions();
    await start();
    await waitFor('city subscribed again', () => verifiedSubscriptions() > before, 15_000);
    expect(await hub.publish(topic(), addStory(3))).toEqual([202]);
    await waitFor('the pushed story posted', () => posted('City story 3'));
  });

  it('refuses a denial (W3C WebSub §5.2) of a subscription the hub already verified', async () => {
    const { callback } = hub.requests.filter((r) => r.topic === topic()).at(-1)!;
    expect(await hub.verify({ mode: 'denied', topic: topic(), callback })).toMatchObject({ status: 404 });
  });
});
