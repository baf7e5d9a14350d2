import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { AlertMonitor, findIncidents } from '../../src/pipeline/alerts.js';
import { openStore } from '../../src/store/open.js';
import { article } from '../builders.js';
import type { Store } from '../../src/store/store.js';
import type { ListedFeed } from '../../src/targets/catalog.js';

const SETTINGS: Config['alerts'] = { discord: '333333333333333333', feedFailures: 3, deliveryWaitMs: 3_600_000, pollLagMs: 600_000, checkEveryMs: 60_000 };
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

function feed(id: string, overrides: Partial<ListedFeed> = {}): ListedFeed {
  return { id, url: `https://user:hunter2@news.example/${id}.xml`, everyMs: 300_000, minEveryMs: 300_000, maxEveryMs: 300_000, backfill: 0, name: id, siteName: null, color: 0, priority: 0, category: null, privateNetwork: false, source: 'config', paused: false, channelId: null, ...overrides };
}

function state(feedId: string, failures: number, lastPollAt: number, lastError: string | null = null) {
  return { feedId, etag: null, lastModified: null, initialized: true, lastPollAt, lastSuccessAt: failures ? null : lastPollAt, failures, lastError, heldUntil: null, readUrl: null, readFor: null };
}

describe('ops alerts', () => {
  let store: Store;
  const feeds: ListedFeed[] = [];
  const posted: string[] = [];
  let now = NOW;
  let failNotify = false;
  let monitor: AlertMonitor;

  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    feeds.splice(0, feeds.length, feed('calm'), feed('flaky'));
    posted.length = 0;
    now = NOW;
    failNotify = false;
    monitor = new AlertMonitor({
      store,
      feeds: { list: () => feeds },
      settings: SETTINGS,
      async notify(text) {
        if (failNotify) throw new Error('Discord is down');
        posted.push(text);
      },
      isLeader: () => true,
      describe: (target) => `<#${target.slice(8)}>`,
      log: pino({ level: 'silent' }),
      now: () => now,
    });
  });

  afterEach(() => store.close());

  it('posts once when a feed has failed N polls, never again while it fails, and once when it recovers', async () => {
    await store.saveFeedState(state('calm', 0, NOW - 1000));
    await store.saveFeedState(state('flaky', 2, NOW - 1000, 'http: HTTP 503 at https://user:hunter2@news.example/flaky.xml'));
    await monitor.check();
    expect(posted).toEqual([]);
    await store.saveFeedState(state('flaky', 3, NOW, 'http: HTTP 503 at https://user:hunter2@news.example/flaky.xml'));
    await monitor.check();
    await store.saveFeedState(state('flaky', 4, NOW, 'network: timed out'));
    await monitor.check();
    await monitor.check();
    expect(posted).toEqual(['🔴 Feed flaky has failed 3 polls in a row: http: HTTP 503 at https://[redacted]@news.example/flaky.xml']);
    await store.saveFeedState(state('flaky', 0, NOW));
    await monitor.check();
    await monitor.check();
    expect(posted).toHaveLength(2);
    expect(posted[1]).toBe('✅ Recovered: Feed flaky has failed 3 polls in a row: http: HTTP 503 at https://[redacted]@news.example/flaky.xml');
  });

  it('keeps what is open across a restart, and posts a message that failed at the next check', async () => {
    await store.saveFeedState(state('flaky', 5, NOW, 'http: HTTP 500'));
    failNotify = true;
    await monitor.check();
    expect(posted).toEqual([]);
    failNotify = false;
    await monitor.check();
    expect(posted).toHaveLength(1);
    const restarted = new AlertMonitor({ store, feeds: { list: () => feeds }, settings: SETTINGS, notify: async (text) => void posted.push(text), isLeader: () => true, describe: String, log: pino({ level: 'silent' }), now: () => now });
    await restarted.check();
    expect(posted).toHaveLength(1);
  });

  it('does nothing in a process that is not the leader', async () => {
    await store.saveFeedState(state('flaky', 5, NOW, 'http: HTTP 500'));
    const follower = new AlertMonitor({ store, feeds: { list: () => feeds }, settings: SETTINGS, notify: async (text) => void posted.push(text), isLeader: () => false, describe: String, log: pino({ level: 'silent' }), now: () => now });
    await follower.check();
    expect(posted).toEqual([]);
  });

  it('posts once when a destination has been paused for over a minute by waits rechecked every few seconds (a refused token), and once when it posts again', async () => {
    await store.addArticle(article({ id: 'held', firstSeenAt: NOW }), { key: 'k', contentHash: null }, [{ target: 'discord:111111111111111111', options: {} }], NOW);
    const { delivery } = (await store.queueHeads())[0]!;
    const reason = 'Discord refused the bot token (HTTP 401): set DISCORD_TOKEN';
    // The outbox looks again every 15 s, each time setting the next look 15 s ahead.
    for (let at = NOW; at <= NOW + 75_000; at += 15_000) {
      now = at;
      await store.markRetry(delivery.id, reason, at + 15_000, false, at);
      await monitor.check();
      if (at === NOW + 45_000) expect(posted).toEqual([]);
    }
    // Between two looks the head is due for a moment: still the same pause.
    now = NOW + 91_000;
    await monitor.check();
    expect(posted).toEqual(['🔴 Posting to <#111111111111111111> is paused: Discord refused the bot token (HTTP 401): set DISCORD_TOKEN']);
    await store.markSending(delivery.id, now);
    await store.markSent(delivery.id, 'm1', now);
    await monitor.check();
    expect(posted).toHaveLength(2);
    expect(posted[1]).toMatch(/^✅ Recovered: Posting to <#111111111111111111> is paused/);
  });

  it('finds paused destinations, late deliveries and polls that fall behind, but not short retries or backed-off feeds', async () => {
    const article = { id: 'a', feedId: 'calm', url: 'https://news.example/a', title: 'Old story', summary: '', author: null, siteName: null, imageUrl: null, publishedAt: null, firstSeenAt: NOW - 2 * 3_600_000 };
    const delivery = (target: string, nextAttemptAt: number, lastError: string | null) => ({ id: 1, articleId: 'a', target, status: 'pending' as const, attempts: 1, nextAttemptAt, lastError, remoteId: null, unknownOutcome: false, options: null });
    const paused = { delivery: delivery('x', NOW + 3_600_000, 'waiting for the daily cap of 10 X posts (x.maxPostsPerDay) to reset'), article };
    const retry = { delivery: delivery('discord:111111111111111111', NOW + 5_000, 'Discord HTTP 500'), article: { ...article, firstSeenAt: NOW - 1000 } };
    const incidents = findIncidents(
      {
        feeds: [
          { feed: feed('calm'), state: state('calm', 0, NOW - 300_000 - 600_001), health: 'ok' },
          { feed: feed('backing-off'), state: state('backing-off', 2, NOW - 3_600_000, 'http: HTTP 500'), health: 'failing' },
          { feed: feed('resting', { paused: true }), state: state('resting', 0, NOW - 86_400_000), health: 'paused' },
        ],
        counts: { held: 0, pending: 2, sending: 0, sent: 0, failed: 0, skipped: 0, folded: 0 },
        failed: [],
        heads: [paused, retry],
        waiting: [paused, retry],
      },
      SETTINGS,
      NOW,
      (target) => (target === 'x' ? 'X' : target),
    );
    expect(incidents.map((incident) => incident.key)).toEqual(['paused:x', 'late:x', 'polls-behind']);
    expect(incidents[0]!.text).toBe('Posting to X is paused until 2026-11-30T13:00:00.000Z: waiting for the daily cap of 10 X posts (x.maxPostsPerDay) to reset');
    expect(incidents[1]!.text).toBe('Deliveries to X have waited over 1h (the oldest: “Old story”)');
    expect(incidents[2]!.text).toBe('Polls are falling behind: 1 feed not polled for over 10m past the interval (calm)');
  });
});
