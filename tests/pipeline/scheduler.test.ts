import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/ops/logger.js';
import { createExtractionPool } from '../../src/pipeline/extraction.js';
import { articlePreparer } from '../../src/pipeline/pages.js';
import type { PollOutcome } from '../../src/pipeline/ingest.js';
import { FeedScheduler } from '../../src/pipeline/scheduler.js';
import { createHttpClient } from '../../src/sources/http.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { TARGET_KINDS } from '../../src/targets/index.js';
import { findIncidents } from '../../src/pipeline/alerts.js';
import { statusSnapshot } from '../../src/targets/status.js';
import { FeedServer, rss } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';

/**
 * The scheduler on an in-memory SQLite store, the real HTTP client and a local feed server: what
 * each poll records, conditional GET, failures, and timers that back a failing feed off.
 */
describe('the feed scheduler', () => {
  const server = new FeedServer();
  const http = createHttpClient({ userAgent: 'test', allowPrivateNetwork: true });
  const extraction = createExtractionPool({ timeoutMs: 5_000, maxDepth: 400, threads: 1 });
  const log = createLogger({ level: 'silent', secrets: [] });
  let store: Store;
  let scheduler: FeedScheduler | null = null;
  let clock = 1_700_000_000_000;

  beforeAll(async () => {
    await server.start();
    server.setFeed('/good.xml', rss('Good', [{ guid: 'g1', title: 'First story', link: server.url('/p/1.html') }]));
  });
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = null;
    await store?.close();
  });
  afterAll(async () => {
    await http.close();
    await extraction.close();
    await server.stop();
  });

  /** A scheduler over `feeds` (backfill 0: first sight posts nothing), its clock the test's; `polled` hears each poll's outcome. */
  async function schedulerFor(feeds: Array<{ id: string; url: string; every: string }>, polled: (outcome: PollOutcome) => void = () => undefined): Promise<FeedScheduler> {
    store = await openSqliteStore(':memory:');
    const config = parseConfig({ feeds: feeds.map((feed) => ({ ...feed, backfill: 0, privateNetwork: true })), routes: [] }, 'test', TARGET_KINDS); // the feed server listens on 127.0.0.1
    const deps = {
      store,
      http,
      articles: articlePreparer({ http, extraction, pageLimits: { maxBytes: 1_000_000, timeoutMs: 5_000 }, summary: config.summary }),
      log,
      deliveriesFor: () => [],
      matchedFilters: () => [],
      updates: 'edit' as const,
      feedLimits: { maxBytes: 1_000_000, timeoutMs: 5_000 },
      addresses: new Map(),
      onNewDeliveries: () => undefined,
      now: () => clock,
    };
    return new FeedScheduler(config.feeds, deps, 2, 'worker-1', polled);
  }

  it('polls every feed once, records each feed state at the clock, and asks again with the validators', async () => {
    scheduler = await schedulerFor([
      { id: 'good', url: server.url('/good.xml'), every: '5m' },
      { id: 'gone', url: server.url('/gone.xml'), every: '5m' },
    ]);
    const first = await scheduler.pollAllOnce();
    expect(first.map(({ feedId, status, failures }) => ({ feedId, status, failures }))).toEqual([
      { feedId: 'good', status: 'ok', failures: 0 },
      { feedId: 'gone', status: 'failed', failures: 1 },
    ]);
    // The outcomes hold no parsed feed: a pass over many feeds would keep them all until its end.
    expect(first.filter((outcome) => 'fetched' in outcome)).toEqual([]);
    const states = new Map((await store.feedStates()).map((state) => [state.feedId, state]));
    expect(states.get('good')).toMatchObject({ initialized: true, lastPollAt: clock, lastSuccessAt: clock, failures: 0, lastError: null });
    expect(states.get('good')!.etag).toMatch(/^"/);
    expect(states.get('gone')).toMatchObject({ initialized: false, lastPollAt: clock, lastSuccessAt: null, failures: 1, lastError: 'http: HTTP 404' });

    clock += 300_000;
    const second = await scheduler.pollAllOnce();
    expect(second.map(({ status, failures }) => [status, failures])).toEqual([
      ['not-modified', 0],
      ['failed', 2],
    ]);
    expect((await store.feedStates()).find((state) => state.feedId === 'good')).toMatchObject({ lastPollAt: clock, lastSuccessAt: clock });
  });

  it('polls a healthy feed on its interval while a failing one backs off, its interval doubling', async () => {
    const polls: Record<string, PollOutcome[]> = { good: [], broken: [] };
    scheduler = await schedulerFor(
      [
        { id: 'good', url: server.url('/good.xml'), every: '1s' },
        { id: 'broken', url: server.url('/broken.xml'), every: '1s' },
      ],
      (outcome) => polls[outcome.feedId]!.push(outcome),
    );
    await scheduler.start();
    // The first poll of every feed (its garbage is given back after it, see main.ts).
    await scheduler.firstRound;
    expect([polls.good!.length, polls.broken!.length]).toEqual([1, 1]);
    // Healthy: a poll every 1 s (±10 %), the fifth by 4.4 s. Failing: the interval doubles with each
    // failure in a row (2 s, then 4 s, ±10 %), so its third poll comes at 5.4 s at the earliest.
    await waitFor('five polls of the healthy feed', () => polls.good!.length >= 5, 30_000);
    expect(polls.good!.every((outcome) => outcome.failures === 0)).toBe(true);
    const broken = polls.broken!.map((outcome) => [outcome.status, outcome.failures]);
    expect(broken.length).toBeLessThanOrEqual(2);
    expect(broken).toEqual([['failed', 1], ['failed', 2]].slice(0, broken.length));
    expect(broken.length).toBeGreaterThanOrEqual(1);
  });

  it("holds a feed whose host answers 429 with Retry-After until then: not a failure, failures in a row kept, next poll (also after a restart) at that time, shown held, no alert", async () => {
    // Its own host: the Retry-After holds every request to it, and the other tests' feeds are on another.
    const busy = new FeedServer();
    await busy.start();
    try {
      clock = Date.now();
      scheduler = await schedulerFor([{ id: 'busy', url: busy.url('/feed.xml'), every: '1m' }]);
      // Two failed polls in a row (404), then the host asks to come back in 10 minutes.
      await scheduler.pollAllOnce();
      await scheduler.pollAllOnce();
      busy.set('/feed.xml', { body: 'slow down', contentType: 'text/plain', status: 429, headers: { 'retry-after': '600' } });
      const [held] = await scheduler.pollAllOnce();
      expect(held).toMatchObject({ feedId: 'busy', status: 'held', failures: 2 });
      expect(held!.heldUntil).toBeGreaterThanOrEqual(clock + 600_000);
      expect(held!.heldUntil).toBeLessThan(clock + 610_000);
      const state = (await store.feedStates())[0]!;
      expect(state).toMatchObject({ failures: 2, lastError: 'http: HTTP 404', heldUntil: held!.heldUntil, lastPollAt: clock });

      // Shown as held, not failing; neither the failing-feed alert nor the late-poll one while the hold lasts.
      const listed = { id: 'busy', url: busy.url('/feed.xml'), everyMs: 60_000, minEveryMs: 60_000, maxEveryMs: 60_000, backfill: 0, name: 'busy', siteName: null, color: 0, priority: 0, category: null, privateNetwork: true, source: 'config' as const, paused: false, channelId: null };
      const snapshot = await statusSnapshot(store, { list: () => [listed] }, 5, clock);
      expect(snapshot.feeds.map(({ health }) => health)).toEqual(['held']);
      const settings = { discord: null, feedFailures: 3, deliveryWaitMs: 3_600_000, pollLagMs: 60_000, checkEveryMs: 60_000 };
      expect(findIncidents(snapshot, settings, clock + 500_000, String)).toEqual([]);
      // Held with no failure before it: its poll is late only once it is past the host's time (plus alerts.pollLag), not its interval.
      const heldOnly = { ...snapshot, feeds: snapshot.feeds.map((row) => ({ ...row, state: { ...row.state!, failures: 0, lastError: null } })) };
      expect(findIncidents(heldOnly, settings, clock + 500_000, String)).toEqual([]);
      expect(findIncidents(heldOnly, settings, held!.heldUntil! + 120_000, String).map(({ key }) => key)).toEqual(['polls-behind']);

      // A restart waits for the host too, instead of polling the feed as soon as its interval has passed.
      await scheduler.stop();
      clock += 120_000;
      scheduler = await schedulerFor([{ id: 'busy', url: busy.url('/feed.xml'), every: '1m' }]);
      await store.saveFeedState(state);
      await scheduler.start();
      expect(scheduler.nextPollAt('busy')).toBeGreaterThanOrEqual(held!.heldUntil!);

      // A held poll of the running scheduler: the next comes when the host said, not on the failure back-off.
      await scheduler.stop();
      clock = Date.now();
      scheduler = await schedulerFor([{ id: 'busy', url: busy.url('/feed.xml'), every: '1m' }]);
      await scheduler.start();
      await scheduler.firstRound;
      expect(busy.count('/feed.xml')).toBe(3);
      const next = scheduler.nextPollAt('busy')!;
      expect(next).toBeGreaterThanOrEqual(held!.heldUntil!);
      expect(next).toBeLessThan(held!.heldUntil! + 10_000);
    } finally {
      await busy.stop();
    }
  });
});
