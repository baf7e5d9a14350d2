import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Herald } from '../../src/main.js';
import { waitFor } from '../fakes/http.js';
import { loadHerald, PushWorld, startHerald, type PushedFeed } from '../push.js';

/**
 * Numbers a hub sends are external input: an absurd hub.lease_seconds must neither break the
 * verification nor reach the database, and a subscription row an earlier release stored with an
 * impossible time must not stop Herald from starting or posting. Herald in process, the fake hub
 * calling its ops server.
 */
describe('WebSub against a hub sending absurd numbers (Herald in process, fake hub)', () => {
  const world = new PushWorld('push-hostile-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ', '525252525252525252');
  const { hub } = world;
  const database = join(mkdtempSync(join(tmpdir(), 'herald-push-hostile-')), 'herald.db');
  let city: PushedFeed;
  let herald: Herald | null = null;
  let env: Record<string, string> = {};
  const topic = () => city.url;
  const posted = (title: string) => world.titles().includes(title);
  const verifiedSubscriptions = () => world.verified('subscribe', topic()).length;
  const start = async (): Promise<Herald> => (herald = await startHerald(world.config([{ id: 'city', url: topic(), every: '5s' }]), env));

  beforeAll(async () => {
    await Promise.all([world.start(), loadHerald()]);
    city = world.feed('/city.xml', 'City');
    city.addStory(1);
    env = await world.env(database);
  }, 30_000);

  afterAll(async () => {
    await herald?.stop();
    await world.stop();
  });

  it('answers a verification with an absurd hub.lease_seconds, and keeps posting pushed stories', async () => {
    await start();
    await waitFor('city subscribed', () => verifiedSubscriptions() === 1);
    const { callback } = hub.requests.find((r) => r.topic === topic())!;
    for (const leaseSeconds of [99999999999999, 1e300]) {
      expect(await hub.verify({ mode: 'subscribe', topic: topic(), callback, leaseSeconds })).toMatchObject({ status: 200, echoed: true });
    }
    expect(await hub.publish(topic(), city.addStory(2))).toEqual([202]);
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
    expect(await hub.publish(topic(), city.addStory(3))).toEqual([202]);
    await waitFor('the pushed story posted', () => posted('City story 3'));
  });

  it('refuses a denial (W3C WebSub §5.2) of a subscription the hub already verified', async () => {
    const { callback } = hub.requests.filter((r) => r.topic === topic()).at(-1)!;
    expect(await hub.verify({ mode: 'denied', topic: topic(), callback })).toMatchObject({ status: 404 });
  });
});
