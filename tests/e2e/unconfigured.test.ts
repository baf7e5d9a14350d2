import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain } from '../../src/targets/discord/commands/why.js';
import type { Delivery } from '../../src/store/store.js';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { FakeX } from '../fakes/x.js';
import { fakeEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const CHANNEL = '444444444444444444';
const BASE = Date.UTC(2026, 10, 22, 8, 0, 0);
const X_SETUP = 'target not configured: set X_APP_KEY, X_APP_SECRET, X_ACCESS_TOKEN and X_ACCESS_SECRET (or X_CLIENT_ID, then run herald x login)';

describe('destinations whose kind is not configured', () => {
  const discord = new FakeDiscord('unconfigured-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ', [CHANNEL]);
  const x = new FakeX({ appKey: 'uk-1', appSecret: 'us-1', accessToken: 'ut-1', accessSecret: 'ua-1' });
  const feeds = new FeedServer();
  const dir = tempDir('unconfigured');
  let config: string;

  beforeAll(async () => {
    await Promise.all([discord.start(), x.start(), feeds.start()]);
    const items: TestItem[] = [1, 2, 3].map((n) => {
      feeds.setPage(`/u/${n}.html`, articlePage(`Waiting story ${n}`, [`Waiting story ${n} has a lead sentence long enough to summarize.`, 'More.']));
      return { guid: `u${n}`, title: `Waiting story ${n}`, link: feeds.url(`/u/${n}.html`), pubDate: new Date(BASE + n * 60_000) };
    });
    feeds.setFeed('/feed.xml', rss('Waiting News', items));
    config = writeConfig(dir, {
      feeds: [{ id: 'waiting', url: feeds.url('/feed.xml'), backfill: 3 }],
      routes: [{ feeds: ['waiting'], discord: [CHANNEL], x: true }],
    });
  });

  afterAll(async () => {
    await Promise.all([discord.stop(), x.stop(), feeds.stop()]);
  });

  const run = (env: Record<string, string>) =>
    new HeraldProcess(['run', '--once'], { HERALD_CONFIG: config, DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`, HERALD_ALLOW_PRIVATE_NETWORK: '1', ...env });

  it('herald run with no destination configured at all exits 2 with one line naming what to set', async () => {
    const herald = new HeraldProcess(['run'], { HERALD_CONFIG: config, DATABASE_URL: `sqlite:${join(tempDir('nothing'), 'herald.db')}`, HTTP_PORT: '0' });
    expect((await herald.exited).code).toBe(2);
    expect(herald.stderr.trim().split('\n')).toHaveLength(1);
    expect(herald.stderr).toMatch(/^herald: no destination is configured.*set DISCORD_TOKEN \(discord\), or set X_APP_KEY.*\(x\)/);
  });

  it('records the deliveries of a kind not configured; they wait saying what to set, and go out after a run with it configured', async () => {
    const first = run(fakeEnv({ discord }));
    expect((await first.exited).code).toBe(0);
    expect(discord.messagesIn(CHANNEL)).toHaveLength(3);
    expect(x.tweets).toHaveLength(0);
    const warning = first.logs.find((line) => String(line.msg).startsWith(X_SETUP));
    expect(warning).toMatchObject({ level: 40, target: 'x', feeds: ['waiting'] });
    expect(first.logged('delivery waits', { target: 'x', reason: X_SETUP })).toHaveLength(1);

    const second = run(fakeEnv({ discord, x }));
    expect((await second.exited).code).toBe(0);
    expect(x.tweets.map((tweet) => tweet.text.split('\n')[0])).toEqual(['Waiting story 1', 'Waiting story 2', 'Waiting story 3']);
    expect(discord.messagesIn(CHANNEL)).toHaveLength(3);
  }, 60_000);

  it('a dry run labels the destinations whose kind is not configured and never logs "delivered"', async () => {
    const dry = new HeraldProcess(['run', '--dry-run', '--once'], { HERALD_CONFIG: config, HERALD_ALLOW_PRIVATE_NETWORK: '1', ...fakeEnv({ discord }) });
    expect((await dry.exited).code).toBe(0);
    expect(dry.stdout).toContain(`(${X_SETUP}: a real run would keep these posts waiting)\n── would post to X`);
    expect(dry.stdout).not.toMatch(/not configured[^\n]*\n── would post to Discord/);
    expect(dry.stdout.match(/── would post to Discord channel/g)).toHaveLength(3);
    expect(dry.logged('delivered')).toEqual([]);
    expect(dry.logged('printed (dry run)')).toHaveLength(6);
  }, 60_000);

  it("a dry run applies X's caps before printing: only what a real run would send", async () => {
    const capped = writeConfig(tempDir('unconfigured-capped'), {
      feeds: [{ id: 'waiting', url: feeds.url('/feed.xml'), backfill: 3 }],
      routes: [{ feeds: ['waiting'], discord: [CHANNEL], x: true }],
      x: { maxPostsPerDay: 1 },
    });
    const dry = new HeraldProcess(['run', '--dry-run', '--once'], { HERALD_CONFIG: capped, HERALD_ALLOW_PRIVATE_NETWORK: '1', ...fakeEnv({ discord }) });
    expect((await dry.exited).code).toBe(0);
    expect(dry.stdout.match(/── would post to X/g)).toHaveLength(1);
    expect(dry.stdout.match(/── would post to Discord channel/g)).toHaveLength(3);
    expect(dry.logged('printed (dry run)')).toHaveLength(4);
    expect(dry.logged('delivered')).toEqual([]);
  }, 60_000);

  it('/why says a delivery to a kind not configured waits and what to set', () => {
    const delivery = (target: string, status: Delivery['status']): Delivery =>
      ({ id: 1, articleId: 'a', target, status, attempts: 0, nextAttemptAt: 0, lastError: null, remoteId: null, unknownOutcome: false }) as unknown as Delivery;
    const history = {
      seen: [{ feedId: 'waiting', seenAt: BASE, posted: true }],
      article: { feedId: 'waiting' },
      deliveries: [delivery(`discord:${CHANNEL}`, 'sent'), delivery('x', 'pending')],
    } as never;
    const answer = explain('https://example.org/story', history, {
      describeTarget: (target) => (target === 'x' ? 'X' : `<#${CHANNEL}>`),
      waitingFor: (target) => (target === 'x' ? X_SETUP : null),
      messageUrl: () => null,
    });
    expect(answer).toContain(`<#${CHANNEL}>: posted.`);
    expect(answer).toContain(`X: waiting: ${X_SETUP}.`);
  });
});
