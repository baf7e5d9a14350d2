import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Herald } from '../../src/main.js';
import { waitFor } from '../fakes/http.js';
import { callbackEnv, loadHerald, PushWorld, readConfig, startHerald, type PushedFeed } from '../push.js';

const CHANNEL = '515151515151515151';
const MANAGE_GUILD = String(1 << 5);
const SUBCOMMAND = 1;
const STRING = 3;

/**
 * Every way a feed starts or stops being watched subscribes or unsubscribes it at its hub: push
 * turned on at a restart, /feeds add, pause and resume, a config reload, a feed removed while
 * Herald was stopped. Herald in process, its ops server answering the fake hub; the feeds never
 * change meanwhile, so every poll after the first answers 304 and shows no hub.
 */
describe('WebSub subscriptions follow the feeds watched (Herald in process, fake hub)', () => {
  const world = new PushWorld('push-lifecycle-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ', CHANNEL);
  const { discord, feeds, hub } = world;
  const database = join(mkdtempSync(join(tmpdir(), 'herald-push-lifecycle-')), 'herald.db');
  let cityFeed: PushedFeed;
  let addedFeed: PushedFeed;
  let herald: Herald | null = null;
  let environment: Record<string, string> = {};

  const city = () => cityFeed.url;
  const added = () => addedFeed.url;
  const config = (withCity: boolean) => world.config(withCity ? [{ id: 'city', url: city(), every: '5s' }] : []);
  const start = async (cfg: Record<string, unknown>, publicUrl: boolean): Promise<Herald> => {
    const env = { ...environment };
    if (!publicUrl) delete env.HERALD_PUBLIC_URL;
    const identifies = discord.identifies;
    herald = await startHerald(cfg, env);
    // Commands go to this Herald's gateway session, not to the one of the Herald stopped before.
    await waitFor('the gateway session, the only one', () => discord.identifies > identifies && discord.gatewayConnections === 1);
    return herald;
  };
  const manage = (sub: string) => discord.runCommand('feeds', [{ name: sub, type: SUBCOMMAND, options: [{ name: 'id', type: STRING, value: 'added' }] }], MANAGE_GUILD);

  beforeAll(async () => {
    await Promise.all([world.start(), loadHerald()]);
    cityFeed = world.feed('/city.xml', 'City');
    cityFeed.addStory(1);
    addedFeed = world.feed('/added.xml', 'Added');
    environment = await world.env(database, { HERALD_ALLOW_PRIVATE_COMMANDS: '1' });
  }, 30_000);

  afterAll(async () => {
    await herald?.stop();
    await world.stop();
  });

  it('subscribes a feed polled before push was turned on, although its polls now answer 304', async () => {
    const first = await start(config(true), false);
    await waitFor('the first poll', () => feeds.count('/city.xml') >= 1);
    await first.stop();
    expect(hub.requests).toEqual([]);
    await start(config(true), true);
    await waitFor('city subscribed', () => world.verified('subscribe', city()).length === 1);
  });

  it('subscribes a feed added with /feeds add, and ends the subscription when it is paused', async () => {
    const answer = await discord.runCommand(
      'feeds',
      [{ name: 'add', type: SUBCOMMAND, options: [{ name: 'url', type: STRING, value: added() }, { name: 'id', type: STRING, value: 'added' }, { name: 'every', type: STRING, value: '1h' }] }],
      MANAGE_GUILD,
    );
    expect(answer.content).toContain('Added `added`');
    await waitFor('added subscribed', () => world.verified('subscribe', added()).length === 1);
    expect((await manage('pause')).content).toBe('Paused `added`.');
    await waitFor('added unsubscribed', () => world.verified('unsubscribe', added()).length === 1);
    const { callback } = hub.requests.find((r) => r.topic === added() && r.mode === 'unsubscribe')!;
    expect(await hub.deliver(callback, addedFeed.xml(), 'anything')).toBe(410);
  });

  it('subscribes a resumed feed again, with a new callback, although its poll answers 304', async () => {
    const before = hub.requests.filter((r) => r.topic === added());
    const from = hub.verifications.length;
    expect((await manage('resume')).content).toBe('Resumed `added`.');
    await waitFor('added subscribed again', () => world.verified('subscribe', added(), from).length === 1);
    const again = hub.requests.filter((r) => r.topic === added()).slice(before.length);
    expect(again.map((r) => r.mode)).toEqual(['subscribe']);
    expect(again[0]!.callback).not.toBe(before[0]!.callback);
    // The new subscription is live: a pushed story is posted.
    expect(await hub.publish(added(), addedFeed.addStory(1, { serve: false }))).toEqual([202]);
    await waitFor('the pushed story posted', () => world.titles().includes('Added story 1'));
  });

  it('ends a feed’s subscription when a config reload drops it, and subscribes it again when the feed comes back', async () => {
    const from = hub.verifications.length;
    herald!.reload(await readConfig(config(false)));
    await waitFor('city unsubscribed', () => world.verified('unsubscribe', city(), from).length === 1);
    herald!.reload(await readConfig(config(true)));
    await waitFor('city subscribed again', () => world.verified('subscribe', city(), from).length === 1);
  });

  it('ends the subscription of a feed removed from the config while Herald was stopped', async () => {
    await herald!.stop();
    const from = hub.verifications.length;
    await start(config(false), true);
    await waitFor('city unsubscribed at start', () => world.verified('unsubscribe', city(), from).length === 1);
    // The paused-and-resumed Discord feed keeps its subscription.
    expect(hub.requests.slice(-1).every((r) => r.topic === city())).toBe(true);
    expect(world.verified('unsubscribe', added(), from)).toEqual([]);
  });

  it('renews every subscription with the new callback address when HERALD_PUBLIC_URL changes', async () => {
    await herald!.stop();
    const callback = await callbackEnv();
    environment = { ...environment, ...callback };
    const from = hub.verifications.length;
    await start(config(false), true);
    const renewed = await waitFor('added renewed at the new address', () => world.verified('subscribe', added(), from)[0]);
    expect(renewed.callback.startsWith(`${callback.HERALD_PUBLIC_URL}/websub/`)).toBe(true);
  });
});
