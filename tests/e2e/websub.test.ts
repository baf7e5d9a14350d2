import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../fakes/http.js';
import { callbackEnv, PushWorld, type PushedFeed } from '../push.js';
import { HeraldProcess, heraldEnv, tempDir, writeConfig } from './herald-process.js';

describe('WebSub push beside polling, against a fake hub', () => {
  const world = new PushWorld('websub-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ', '343434343434343434');
  const { discord, feeds, hub } = world;
  const dir = tempDir('websub');
  let feed: PushedFeed;
  let herald: HeraldProcess;
  let topic = '';
  let publicUrl = '';
  const addStory = (n: number) => feed.addStory(n);
  const titles = () => world.titles();

  beforeAll(async () => {
    await world.start();
    feed = world.feed('/feed.xml', 'Pushed');
    topic = feed.url;
    addStory(1);
    const callback = await callbackEnv();
    publicUrl = callback.HERALD_PUBLIC_URL;
    // Polling alone would take an hour: whatever arrives sooner came by push.
    const config = writeConfig(dir, world.config([{ id: 'pushed', url: topic, every: '1h' }]));
    herald = new HeraldProcess(['run'], heraldEnv({ discord, dir, config }, callback));
  });

  afterAll(async () => {
    herald?.kill('SIGKILL');
    await world.stop();
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
