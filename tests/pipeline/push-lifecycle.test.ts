import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config/config.js';
import { readEnv } from '../../src/config/env.js';
import { createHerald, type Herald } from '../../src/main.js';
import { configuredKinds, TARGET_KINDS } from '../../src/targets/index.js';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { close, createServer, listen, waitFor } from '../fakes/http.js';
import { FakeHub } from '../fakes/websub.js';

const TOKEN = 'push-lifecycle-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CHANNEL = '515151515151515151';
const MANAGE_GUILD = String(1 << 5);
const SUBCOMMAND = 1;
const STRING = 3;

/** A port nothing listens on right now, for HTTP_PORT and HERALD_PUBLIC_URL to agree on. */
async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return port;
}

/**
 * Every way a feed starts or stops being watched subscribes or unsubscribes it at its hub: push
 * turned on at a restart, /feeds add, pause and resume, a config reload, a feed removed while
 * Herald was stopped. Herald in process, its ops server answering the fake hub; the feeds never
 * change meanwhile, so every poll after the first answers 304 and shows no hub.
 */
describe('WebSub subscriptions follow the feeds watched (Herald in process, fake hub)', () => {
  const discord = new FakeDiscord(TOKEN, [CHANNEL]);
  const feeds = new FeedServer();
  const hub = new FakeHub();
  const dir = mkdtempSync(join(tmpdir(), 'herald-push-lifecycle-'));
  const items: TestItem[] = [];
  let herald: Herald | null = null;
  let environment: Record<string, string> = {};

  /** A feed naming the fake hub and itself. */
  const feedXml = (title: string, topic: string, list: TestItem[]) =>
    rss(title, list)
      .replace('<rss version="2.0">', '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">')
      .replace('<channel>', `<channel><atom:link rel="hub" href="${hub.url}"/><atom:link rel="self" href="${topic}"/>`);
  const city = () => feeds.url('/city.xml');
  const added = () => feeds.url('/added.xml');
  const config = (withCity: boolean): Config =>
    parseConfig(
      { feeds: withCity ? [{ id: 'city', url: city(), every: '5s' }] : [], routes: [{ feeds: ['*'], discord: [CHANNEL] }], push: { safetyEvery: '1h' }, discord: { minEvery: '1s' } },
      'push.yaml',
      TARGET_KINDS,
    );
  const start = async (cfg: Config, publicUrl: boolean): Promise<Herald> => {
    const env = { ...environment };
    if (!publicUrl) delete env.HERALD_PUBLIC_URL;
    const identifies = discord.identifies;
    herald = await createHerald({ config: cfg, env: readEnv(env), configured: configuredKinds(env), log: pino({ level: 'silent' }), dryRun: false, serveOps: true });
    await herald.start();
    // Commands go to this Herald's gateway session, not to the one of the Herald stopped before.
    await waitFor('the gateway session, the only one', () => discord.identifies > identifies && discord.gatewayConnections === 1);
    return herald;
  };
  /** Verified (echoed) verifications of `mode` for `topic` since `from`. */
  const verified = (mode: string, topic: string, from = 0) => hub.verifications.slice(from).filter((v) => v.mode === mode && v.topic === topic && v.echoed);
  const manage = (sub: string) => discord.runCommand('feeds', [{ name: sub, type: SUBCOMMAND, options: [{ name: 'id', type: STRING, value: 'added' }] }], MANAGE_GUILD);

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start(), hub.start()]);
    feeds.setPage('/news/1.html', articlePage('City story 1', ['City story 1 starts with the lead that a summary keeps.']));
    items.push({ guid: 'city-1', title: 'City story 1', link: feeds.url('/news/1.html'), pubDate: new Date(Date.UTC(2026, 10, 30, 12, 1)) });
    feeds.setFeed('/city.xml', feedXml('City', city(), items));
    feeds.setFeed('/added.xml', feedXml('Added', added(), []));
    const port = await freePort();
    environment = {
      DISCORD_TOKEN: TOKEN,
      DISCORD_API_URL: discord.apiUrl,
      DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_ALLOW_PRIVATE_NETWORK: '1',
      HERALD_ALLOW_PRIVATE_COMMANDS: '1',
      HTTP_PORT: String(port),
      HERALD_PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
  }, 30_000);

  afterAll(async () => {
    await herald?.stop();
    await Promise.all([discord.stop(), feeds.stop(), hub.stop()]);
  });

  it('subscribes a feed polled before push was turned on, although its polls now answer 304', async () => {
    const first = await start(config(true), false);
    await waitFor('the first poll', () => feeds.count('/city.xml') >= 1);
    await first.stop();
    expect(hub.requests).toEqual([]);
    await start(config(true), true);
    await waitFor('city subscribed', () => verified('subscribe', city()).length === 1);
  });

  it('subscribes a feed added with /feeds add, and ends the subscription when it is paused', async () => {
    const answer = await discord.runCommand(
      'feeds',
      [{ name: 'add', type: SUBCOMMAND, options: [{ name: 'url', type: STRING, value: added() }, { name: 'id', type: STRING, value: 'added' }, { name: 'every', type: STRING, value: '1h' }] }],
      MANAGE_GUILD,
    );
    expect(answer.content).toContain('Added `added`');
    await waitFor('added subscribed', () => verified('subscribe', added()).length === 1);
    expect((await manage('pause')).content).toBe('Paused `added`.');
    await waitFor('added unsubscribed', () => verified('unsubscribe', added()).length === 1);
    const { callback } = hub.requests.find((r) => r.topic === added() && r.mode === 'unsubscribe')!;
    expect(await hub.deliver(callback, feedXml('Added', added(), []), 'anything')).toBe(410);
  });

  it('subscribes a resumed feed again, with a new callback, although its poll answers 304', async () => {
    const before = hub.requests.filter((r) => r.topic === added());
    const from = hub.verifications.length;
    expect((await manage('resume')).content).toBe('Resumed `added`.');
    await waitFor('added subscribed again', () => verified('subscribe', added(), from).length === 1);
    const again = hub.requests.filter((r) => r.topic === added()).slice(before.length);
    expect(again.map((r) => r.mode)).toEqual(['subscribe']);
    expect(again[0]!.callback).not.toBe(before[0]!.callback);
    // The new subscription is live: a pushed story is posted.
    feeds.setPage('/added/1.html', articlePage('Added story 1', ['Added story 1 starts with the lead that a summary keeps.']));
    const xml = feedXml('Added', added(), [{ guid: 'added-1', title: 'Added story 1', link: feeds.url('/added/1.html'), pubDate: new Date(Date.UTC(2026, 10, 30, 12, 2)) }]);
    expect(await hub.publish(added(), xml)).toEqual([202]);
    await waitFor('the pushed story posted', () => discord.messagesIn(CHANNEL).some((m) => m.body.embeds?.[0]?.title === 'Added story 1'));
  });

  it('ends a feed’s subscription when a config reload drops it, and subscribes it again when the feed comes back', async () => {
    const from = hub.verifications.length;
    herald!.reload(config(false));
    await waitFor('city unsubscribed', () => verified('unsubscribe', city(), from).length === 1);
    herald!.reload(config(true));
    await waitFor('city subscribed again', () => verified('subscribe', city(), from).length === 1);
  });

  it('ends the subscription of a feed removed from the config while Herald was stopped', async () => {
    await herald!.stop();
    const from = hub.verifications.length;
    await start(config(false), true);
    await waitFor('city unsubscribed at start', () => verified('unsubscribe', city(), from).length === 1);
    // The paused-and-resumed Discord feed keeps its subscription.
    expect(hub.requests.slice(-1).every((r) => r.topic === city())).toBe(true);
    expect(verified('unsubscribe', added(), from)).toEqual([]);
  });

  it('renews every subscription with the new callback address when HERALD_PUBLIC_URL changes', async () => {
    await herald!.stop();
    const port = await freePort();
    environment = { ...environment, HTTP_PORT: String(port), HERALD_PUBLIC_URL: `http://127.0.0.1:${port}` };
    const from = hub.verifications.length;
    await start(config(false), true);
    const renewed = await waitFor('added renewed at the new address', () => verified('subscribe', added(), from)[0]);
    expect(renewed.callback.startsWith(`http://127.0.0.1:${port}/websub/`)).toBe(true);
  });
});
