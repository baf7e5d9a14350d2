import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { close, createServer, listen, waitFor } from '../fakes/http.js';
import { FakeHub } from '../fakes/websub.js';
import { HeraldProcess, heraldEnv, tempDir, writeConfig } from './herald-process.js';

const TOKEN = 'websub-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CHANNEL = '343434343434343434';

/** A port nothing listens on right now, for HTTP_PORT and HERALD_PUBLIC_URL to agree on. */
async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return port;
}

describe('WebSub push beside polling, against a fake hub', () => {
  const discord = new FakeDiscord(TOKEN, [CHANNEL]);
  const feeds = new FeedServer();
  const hub = new FakeHub();
  const dir = tempDir('websub');
  const items: TestItem[] = [];
  let herald: HeraldProcess;
  let topic = '';
  let publicUrl = '';

  /** The feed as published: RSS naming the hub and itself (atom:link rel="hub"/"self"). */
  const feedXml = () =>
    rss('Pushed News', [...items].reverse())
      .replace('<rss version="2.0">', '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">')
      .replace('<channel>', `<channel><atom:link rel="hub" href="${hub.url}"/><atom:link rel="self" href="${topic}"/>`);

  const addStory = (n: number): string => {
    const title = `Pushed story ${n}`;
    feeds.setPage(`/news/${n}.html`, articlePage(title, [`Pushed story ${n} starts with the lead that a summary keeps.`]));
    items.push({ guid: `pushed-${n}`, title, link: feeds.url(`/news/${n}.html`), pubDate: new Date(Date.UTC(2026, 10, 30, 12, n)) });
    const xml = feedXml();
    feeds.setFeed('/feed.xml', xml);
    return xml;
  };
  const titles = () => discord.messagesIn(CHANNEL).map((m) => m.body.embeds?.[0]?.title);

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start(), hub.start()]);
    topic = feeds.url('/feed.xml');
    addStory(1);
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    const config = writeConfig(dir, {
      // Polling alone would take an hour: whatever arrives sooner came by push.
      feeds: [{ id: 'pushed', url: topic, every: '1h' }],
      routes: [{ feeds: ['*'], discord: [CHANNEL] }],
      push: { safetyEvery: '1h' },
    });
    herald = new HeraldProcess(['run'], heraldEnv({ discord, dir, config }, { HTTP_PORT: String(port), HERALD_PUBLIC_URL: publicUrl }));
  });

  afterAll(async () => {
    herald?.kill('SIGKILL');
    await Promise.all([discord.stop(), feeds.stop(), hub.stop()]);
  });

  it('subscribes at the hub the feed names, with a secret and a callback under HERALD_PUBLIC_URL, and answers the verification', async () => {
    await waitFor('a verified subscription', () => hub.verifications.find((v) => v.mode === 'subscribe' && v.echoed));
    const request = hub.requests[0]!;
    expect(request).toMatchObject({ mode: 'subscribe', topic, leaseSeconds: 7 * 86_400 });
    expect(request.callback.startsWith(`${publicUrl}/websub/`)).toBe(true);
    expect(request.secret?.length).toBeGreaterThanOrEqual(24);
    await herald.waitForLog('push subscription verified', { feed: 'pushed' });
  });

  it('refuses to verify a subscription Herald did not ask for', async () => {
    const callback = hub.requests[0]!.callback;
    expect(await hub.verify({ mode: 'subscribe', topic: feeds.url('/other.xml'), callback })).toMatchObject({ status: 404, echoed: false });
    expect(await hub.verify({ mode: 'unsubscribe', topic, callback })).toMatchObject({ status: 404, echoed: false });
    expect(await hub.verify({ mode: 'subscribe', topic, callback: `${publicUrl}/websub/unknown-callback-id` })).toMatchObject({ status: 404, echoed: false });
  });

  it('posts a story from a signed fat ping, not from a poll, once however often the hub repeats it', async () => {
    const xml = addStory(2);
    const fetches = feeds.count('/feed.xml');
    expect(await hub.publish(topic, xml)).toEqual([202]);
    await waitFor('the pushed story posted', () => titles().includes('Pushed story 2'));
    // The post came from the ping's content: the feed was not fetched between the ping and the post.
    expect(feeds.count('/feed.xml')).toBe(fetches);
    await waitFor('the ping logged as ingested', () => herald.logged('push notification ingested').length === 1);
    expect(await hub.publish(topic, xml)).toEqual([202]);
    expect(await hub.publish(topic, xml)).toEqual([202]);
    await waitFor('three notifications ingested', () => herald.logged('push notification ingested').length >= 3);
    expect(titles()).toEqual(['Pushed story 2']);
  });

  it('acknowledges and ignores a forged or unsigned notification', async () => {
    const xml = addStory(3);
    expect(await hub.publish(topic, xml, 'forged')).toEqual([202]);
    expect(await hub.publish(topic, xml, 'none')).toEqual([202]);
    await waitFor('both logged as ignored', () => herald.logged('push notification ignored: missing or wrong signature').length >= 2);
    expect(herald.logged('push notification ignored: missing or wrong signature').map((line) => line.signed)).toEqual([true, false]);
    expect(titles()).toEqual(['Pushed story 2']);
  });

  it('fetches the feed on a thin ping (no content) and posts what is new', async () => {
    const fetches = feeds.count('/feed.xml');
    expect(await hub.publish(topic, '')).toEqual([202]);
    await waitFor('story 3 posted', () => titles().includes('Pushed story 3'));
    expect(feeds.count('/feed.xml')).toBe(fetches + 1);
    expect(titles()).toEqual(['Pushed story 2', 'Pushed story 3']);
  });

  it('shows the feed as pushed in /feeds list and /status', async () => {
    const list = await discord.runCommand('feeds', [{ name: 'list', type: 1, options: [] }]);
    expect(list.embeds?.[0]?.description).toContain('pushed, safety poll every 1h');
    const status = await discord.runCommand('status');
    expect(status.embeds?.[0]?.fields?.find((f) => f.name === 'Feeds')?.value).toContain('1 pushed');
  });

  it('renews before a short lease ends', async () => {
    hub.leaseSeconds = 4;
    // A new lease is granted at the next renewal only; ask for one through a fresh verification.
    const { callback } = hub.requests[0]!;
    await hub.verify({ mode: 'subscribe', topic, callback });
    const requests = hub.requests.length;
    await waitFor('two renewals', () => hub.requests.filter((r) => r.mode === 'subscribe').length >= requests + 2, 20_000);
    expect(hub.requests.slice(requests).every((r) => r.callback === callback && r.mode === 'subscribe')).toBe(true);
    expect(hub.verifications.at(-1)).toMatchObject({ mode: 'subscribe', echoed: true });
    hub.leaseSeconds = null;
  });

  it('asks a hub that refuses renewals again a minute later, not in a loop', async () => {
    hub.leaseSeconds = 2;
    const { callback } = hub.requests[0]!;
    await hub.verify({ mode: 'subscribe', topic, callback });
    hub.refuseWith = 503;
    const before = hub.requests.length;
    await waitFor('the refused renewal', () => hub.requests.length > before, 20_000);
    // Watch the hub for 3 s: a renewal loop asked it hundreds of times a second here.
    const watchedUntil = Date.now() + 3_000;
    await waitFor('3 s of watching', () => Date.now() >= watchedUntil, 10_000);
    expect(hub.requests.length - before).toBe(1);
    hub.refuseWith = null;
    hub.leaseSeconds = null;
  });

  it('unsubscribes when the feed is removed, and then refuses its notifications with 410', async () => {
    const { callback } = hub.requests[0]!;
    writeConfig(dir, { feeds: [], routes: [] });
    herald.kill('SIGHUP');
    await waitFor('an unsubscription verified', () => hub.verifications.find((v) => v.mode === 'unsubscribe' && v.echoed));
    expect(hub.requests.find((r) => r.mode === 'unsubscribe')).toMatchObject({ topic, callback });
    expect(await hub.deliver(callback, addStory(4), 'anything')).toBe(410);
    expect(titles()).toEqual(['Pushed story 2', 'Pushed story 3']);
  });
});
