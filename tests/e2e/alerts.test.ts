import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { FeedServer, rss } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { fakeEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const TOKEN = 'fake-bot-token.ALERTS';
const NEWS = '111111111111111111';
const OPS = '222222222222222222';

describe('ops alerts through the fake Discord', () => {
  const discord = new FakeDiscord(TOKEN, [NEWS, OPS]);
  const feeds = new FeedServer();
  let herald: HeraldProcess;
  const ops = () => discord.messagesIn(OPS).map((message) => (message.body as { content?: string }).content ?? '');

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start()]);
    feeds.set('/flaky.xml', { body: 'down for maintenance', contentType: 'text/plain', status: 503 });
    const dir = tempDir('alerts');
    const config = writeConfig(dir, {
      feeds: [{ id: 'flaky', url: feeds.url('/flaky.xml'), every: '1s' }],
      routes: [{ feeds: ['flaky'], discord: [NEWS] }],
      alerts: { discord: OPS, feedFailures: 2, checkEvery: '1s' },
    });
    herald = new HeraldProcess(['run'], { ...fakeEnv({ discord }), HERALD_CONFIG: config, DATABASE_URL: `sqlite:${dir}/herald.db`, HERALD_ALLOW_PRIVATE_NETWORK: '1', HTTP_PORT: '0' });
  });

  afterAll(async () => {
    herald?.kill('SIGTERM');
    await herald?.exited;
    await Promise.all([discord.stop(), feeds.stop()]);
  });

  it('posts one message when a feed has failed N polls, none while it keeps failing, and one when it recovers', async () => {
    await waitFor('the alert', () => ops().length > 0, 30_000);
    expect(ops()).toEqual([expect.stringMatching(/^🔴 Feed flaky has failed 2 polls in a row: .*503/)]);
    // It keeps failing (checks run every second meanwhile): still one message.
    await waitFor('a third failed poll', () => herald.logged('feed poll failed', { feed: 'flaky' }).length >= 3, 30_000);
    expect(ops()).toHaveLength(1);
    feeds.setFeed('/flaky.xml', rss('Flaky News', []));
    await waitFor('the recovery', () => ops().length > 1, 60_000);
    expect(ops()[1]).toMatch(/^✅ Recovered: Feed flaky has failed 2 polls in a row/);
    expect(discord.messagesIn(OPS).every((message) => JSON.stringify((message.body as { allowed_mentions?: unknown }).allowed_mentions) === '{"parse":[]}')).toBe(true);
  });
});
