import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss } from '../fakes/feed-server.js';
import { fakeEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const CHANNEL = '121212121212121212';
const UNKNOWN_CHANNEL = '131313131313131313';

describe('herald run --once: exit status after the deliveries', () => {
  const discord = new FakeDiscord('once-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ', [CHANNEL]);
  const feeds = new FeedServer();

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start()]);
    feeds.setPage('/o/1.html', articlePage('Once story', ['Once story has a lead sentence long enough to summarize well.', 'More.']));
    feeds.setFeed('/feed.xml', rss('Once News', [{ guid: 'o1', title: 'Once story', link: feeds.url('/o/1.html'), pubDate: new Date(Date.UTC(2026, 10, 24)) }]));
  });

  afterAll(async () => {
    await Promise.all([discord.stop(), feeds.stop()]);
  });

  async function once(channel: string): Promise<HeraldProcess> {
    const dir = tempDir('once');
    const herald = new HeraldProcess(['run', '--once'], {
      ...fakeEnv({ discord }),
      HERALD_CONFIG: writeConfig(dir, { feeds: [{ id: 'once', url: feeds.url('/feed.xml'), backfill: 1 }], routes: [{ feeds: ['once'], discord: [channel] }] }),
      DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_ALLOW_PRIVATE_NETWORK: '1',
    });
    await herald.exited;
    return herald;
  }

  it('exits 0 when every delivery went out', async () => {
    const herald = await once(CHANNEL);
    expect((await herald.exited).code).toBe(0);
    expect(herald.logged('one cycle done')[0]).toMatchObject({ sends: 1, failedDeliveries: 0, held: [] });
  }, 60_000);

  it('exits 1 when a delivery failed', async () => {
    const herald = await once(UNKNOWN_CHANNEL);
    expect((await herald.exited).code).toBe(1);
    expect(herald.logged('one cycle done')[0]).toMatchObject({ failedDeliveries: 1 });
  }, 60_000);

  it('exits 1 when a destination refused its credentials, saying why', async () => {
    discord.refuseToken = true;
    try {
      const herald = await once(CHANNEL);
      expect((await herald.exited).code).toBe(1);
      const done = herald.logged('one cycle done')[0]!;
      expect(String((done.held as string[])[0])).toMatch(/^Discord refused the bot token \(401\).*DISCORD_TOKEN/);
    } finally {
      discord.refuseToken = false;
    }
  }, 60_000);
});
