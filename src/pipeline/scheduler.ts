import pLimit, { type LimitFunction } from 'p-limit';
import TinyQueue from 'tinyqueue';
import type { FeedConfig } from '../config/config.js';
import { isStorageFault } from '../store/health.js';
import type { ParsedFeed } from '../sources/feed.js';
import type { Leases, Workers } from '../store/store.js';
import { keptEvidence, nextInterval, type Cadence, type PollEvidence } from './cadence.js';
import { fetchWatched, ingestPushed, pollFeed, type IngestDeps, type PollOutcome } from './ingest.js';
import type { WebSub } from './push.js';
import { feedOwner } from './sharing.js';

/** Push beside polling: the WebSub subscriber, and how often a pushed feed is still polled (ms). */
export interface SchedulerPush {
  websub: WebSub;
  safetyEveryMs: number;
}

/** Next poll delay: the feed's interval, stretched exponentially while it fails (at most 6 h), with ±10 % jitter. */
function nextPollDelay(everyMs: number, failures: number, random: () => number = Math.random): number {
  const base = failures === 0 ? everyMs : Math.min(Math.max(everyMs, 6 * 3_600_000), everyMs * 2 ** Math.min(failures, 10));
  return Math.round(base * (0.9 + random() * 0.2));
}

/** A poll that starts this late (and at least half its interval late) is warned about, at most once a minute. */
const LAG_WARNING_MIN_MS = 5_000;
const LAG_WARNING_EVERY_MS = 60_000;
/** The first polls after a start are spread over a tenth of each feed's interval, at most this long, in ms. */
const START_SPREAD_MS = 10_000;

/** Past its next poll, a feed's lease lasts this much longer before another process may take it. */
const FEED_LEASE_GRACE_MS = 15_000;
/** How often a process says it is alive, and how long after its last word it still counts as a worker. */
const WORKER_HEARTBEAT_MS = 5_000;
const WORKER_LIVE_MS = 20_000;

/** One feed's next poll: when it fires (performance.now() ms, the timer's clock) and when it is due (ms since the epoch, the deps' clock). */
interface DuePoll {
  feed: FeedConfig;
  firesAt: number;
  dueAt: number;
}

/** What the scheduler uses: ingest's, and the store's feed leases and worker heartbeats. */
type SchedulerDeps = IngestDeps & { store: Leases & Workers };

/**
 * Polls every feed on its own schedule, all behind one timer (a queue of due polls, soonest first:
 * 10,000 feeds hold 10,000 small entries, not 10,000 timers with their closures); a slow or
 * failing feed never delays the others.
 * `concurrency` bounds polls in flight across all feeds. With several processes on one database,
 * the live ones share the feeds out (see feedOwner), and each poll is still claimed first (a lease
 * that runs until the feed's next poll, plus a grace): one process polls a feed, a process that
 * joins takes its share over, and a killed process's feeds are taken over when it has gone quiet
 * and its leases have expired.
 */
export class FeedScheduler {
  /**
   * Every feed's next poll, by feed; a poll is due only while its entry here is the one in the
   * queue (a feed removed or rescheduled leaves a stale entry behind, skipped when it comes up).
   */
  private readonly due = new Map<string, DuePoll>();
  /** The due polls, soonest first: one timer for all of them (armed for the head), not one per feed. */
  private readonly queue = new TinyQueue<DuePoll>([], (a, b) => a.firesAt - b.firesAt);
  private wake: NodeJS.Timeout | null = null;
  /** When `wake` fires, in performance.now() ms; Infinity when it is not armed. */
  private wakeAt = Infinity;
  private readonly feeds = new Map<string, FeedConfig>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Bounds polls in flight across all feeds. */
  private readonly limit: LimitFunction;
  private stopped = false;
  /** The live processes sharing the database, this one included. */
  private workers: readonly string[];
  /** Feeds whose lease this process holds, to hand over at once when their owner changes. */
  private readonly held = new Set<string>();
  /** Feeds being polled right now: never handed over mid-poll, or two processes would poll them at once. */
  private readonly polling = new Set<string>();
  private heartbeat: NodeJS.Timeout | null = null;
  /** When the last "falling behind" warning was logged (ms since the epoch). */
  private lagWarnedAt = 0;
  /** Consecutive polls of a feed whose outcome the store could not record (a full disk), for back-off. */
  private readonly storeFailures = new Map<string, number>();
  /**
   * What each feed's last answers showed, and the interval they gave (adaptive polling): only what
   * can still matter (see keptEvidence), and only intervals not set by `every`; a feed whose answers
   * say nothing has no entry in either (10,000 such feeds held 5.6 MB of headers and item times).
   */
  private readonly evidence = new Map<string, PollEvidence>();
  private readonly cadences = new Map<string, Cadence>();
  /** Feeds of the start whose first poll (or the decision to leave it to another process) is still to come. */
  private readonly firstRoundLeft = new Set<string>();
  private firstRoundDone: () => void = () => {};
  /** Resolves once every feed known at start() has had its first poll here, or was left to another process. */
  readonly firstRound = new Promise<void>((resolve) => (this.firstRoundDone = resolve));

  constructor(
    feeds: readonly FeedConfig[],
    private readonly deps: SchedulerDeps,
    concurrency: number,
    private readonly owner: string,
    private readonly onPolled: (outcome: PollOutcome, lagMs: number) => void = () => {},
    private readonly push: SchedulerPush | null = null,
  ) {
    this.limit = pLimit(concurrency);
    for (const feed of feeds) this.feeds.set(feed.id, feed);
    this.workers = [owner];
  }

  /** Announces this process among the workers, then starts every feed's timer. */
  async start(): Promise<void> {
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat(), WORKER_HEARTBEAT_MS);
    // A restart does not fire every poll at once: a feed polled recently waits until it is due (unless
    // push is new and its hubs unknown), one its host held back waits until the host said, and the first
    // polls are spread over a tenth of the interval (at most 10 s).
    const now = (this.deps.now ?? Date.now)();
    const states = new Map((await this.deps.store.feedStates()).map((state) => [state.feedId, state]));
    for (const feed of this.feeds.values()) this.firstRoundLeft.add(feed.id);
    if (this.firstRoundLeft.size === 0) this.firstRoundDone();
    for (const feed of this.feeds.values()) {
      // Push newly on: a feed whose hubs are unknown is polled as soon as a feed never polled.
      const state = states.get(feed.id);
      const lastPoll = this.push?.websub.needsContent(feed.id) ? null : state?.lastPollAt;
      const due = Math.max((lastPoll ?? now) + (lastPoll ? feed.everyMs : 0), state?.heldUntil ?? 0);
      this.schedule(feed, Math.max(0, due - now) + Math.round(Math.random() * Math.min(feed.everyMs / 10, START_SPREAD_MS)));
    }
  }

  private async beat(): Promise<void> {
    const now = (this.deps.now ?? Date.now)();
    try {
      const workers = await this.deps.store.heartbeat(this.owner, now, now - WORKER_LIVE_MS);
      this.workers = workers.includes(this.owner) ? workers : [...workers, this.owner];
    } catch (error) {
      if (!isStorageFault(error)) this.deps.log.warn({ err: error }, 'worker heartbeat failed');
      return;
    }
    // Feeds that moved to another worker are handed over now, not when their leases run out.
    for (const feedId of this.held) {
      if (this.polling.has(feedId) || feedOwner(feedId, this.workers) === this.owner) continue;
      this.held.delete(feedId);
      await this.deps.store.releaseFeed(feedId, this.owner).catch((error: unknown) => this.deps.log.warn({ err: error, feed: feedId }, 'could not hand a feed over'));
    }
  }

  /** Starts polling a feed now (added from Discord, resumed, or changed by a reload). */
  add(feed: FeedConfig): void {
    this.remove(feed.id);
    this.feeds.set(feed.id, feed);
    this.schedule(feed, 0);
  }

  /** A feed of the start had its first poll (or will have none: removed). */
  private firstPollDone(feedId: string): void {
    if (this.firstRoundLeft.delete(feedId) && this.firstRoundLeft.size === 0) this.firstRoundDone();
  }

  /** Stops polling a feed; a poll already running finishes. */
  remove(feedId: string): void {
    this.firstPollDone(feedId);
    this.evidence.delete(feedId);
    this.cadences.delete(feedId);
    this.deps.addresses.delete(feedId);
    this.due.delete(feedId);
    this.feeds.delete(feedId);
  }

  /**
   * Polls every feed once, now, and resolves when all are done (for --once), with one outcome per feed
   * in config order. The outcomes leave out what each server answered (PollOutcome.fetched): the
   * parsed feeds of a whole pass would otherwise stay in memory until its last poll (measured
   * 2026-12-01: 100,000 feeds of 10 items, 2.8 GB peak RSS in one process).
   */
  async pollAllOnce(onProgress?: (done: number, total: number) => void): Promise<Omit<PollOutcome, 'fetched'>[]> {
    const feeds = [...this.feeds.values()];
    let done = 0;
    return Promise.all(
      feeds.map(async (feed) => {
        const { fetched: _answered, ...outcome } = await this.pollLimited(feed, { shared: false });
        onProgress?.(++done, feeds.length);
        return outcome;
      }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.wake) clearTimeout(this.wake);
    this.wake = null;
    this.due.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** When this process polls a feed next (ms since the epoch), or null when it has none scheduled (paused, removed, stopped). */
  nextPollAt(feedId: string): number | null {
    return this.due.get(feedId)?.dueAt ?? null;
  }

  /** The live processes sharing the database as of the last heartbeat, this one included. */
  liveWorkers(): readonly string[] {
    return this.workers;
  }

  /** Polls `feed` in `delayMs` ms: queued behind the one timer. */
  private schedule(feed: FeedConfig, delayMs: number): void {
    if (this.stopped) return;
    const entry: DuePoll = { feed, firesAt: performance.now() + delayMs, dueAt: (this.deps.now ?? Date.now)() + delayMs };
    this.due.set(feed.id, entry);
    this.queue.push(entry);
    this.arm();
  }

  /** Arms the one timer for the soonest due poll (stale entries at the head dropped). */
  private arm(): void {
    while (this.queue.length > 0 && this.due.get(this.queue.peek()!.feed.id) !== this.queue.peek()) this.queue.pop();
    const head = this.queue.peek();
    if (!head || head.firesAt >= this.wakeAt) return;
    if (this.wake) clearTimeout(this.wake);
    this.wakeAt = head.firesAt;
    this.wake = setTimeout(() => this.fire(), Math.max(0, head.firesAt - performance.now()));
  }

  /** Starts every poll whose time has come, then arms the timer for the next. */
  private fire(): void {
    this.wake = null;
    this.wakeAt = Infinity;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue.peek()!.firesAt <= now) {
      const entry = this.queue.pop()!;
      if (this.due.get(entry.feed.id) !== entry) continue;
      this.due.delete(entry.feed.id);
      this.startPoll(entry);
    }
    this.arm();
  }

  /** One due poll: polled (within the concurrency limit), then scheduled again. */
  private startPoll({ feed, dueAt }: DuePoll): void {
    const run = this.pollLimited(feed, { shared: true }, dueAt).then(
      async (outcome) => {
        this.storeFailures.delete(feed.id);
        // A feed removed (or replaced) while it was being polled is not subscribed (its unsubscription is under way) nor rescheduled.
        if (this.feeds.get(feed.id) !== feed) return;
        if (this.push && (outcome.status === 'ok' || outcome.status === 'not-modified')) {
          await this.push.websub.afterPoll(feed.id, outcome.fetched?.status === 'ok' ? outcome.fetched.push : null, outcome.newArticles);
        }
        if (this.feeds.get(feed.id) === feed) this.schedule(feed, this.nextDelay(feed, outcome));
      },
      (error: unknown) => {
        // The store failed (a full disk: logged once where it is noticed): nothing of this poll was
        // kept, so the feed is polled again later, backing off while the failures last.
        const failures = (this.storeFailures.get(feed.id) ?? 0) + 1;
        this.storeFailures.set(feed.id, failures);
        if (!isStorageFault(error)) this.deps.log.error({ err: error, feed: feed.id }, 'feed poll could not be recorded; it will be polled again');
        if (this.feeds.get(feed.id) === feed) this.schedule(feed, nextPollDelay(this.intervalOf(feed), failures));
      },
    );
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      this.firstPollDone(feed.id);
    });
  }

  /**
   * When to poll a feed next, in ms: its interval (a pushed feed's at least the safety interval),
   * stretched while it fails; a feed its host held back, when the host said to come back.
   */
  private nextDelay(feed: FeedConfig, outcome: PollOutcome): number {
    if (outcome.heldUntil !== undefined) return Math.max(0, outcome.heldUntil - (this.deps.now ?? Date.now)());
    if (outcome.fetched) this.learn(feed, outcome);
    return nextPollDelay(this.intervalOf(feed), outcome.failures);
  }

  /** Adaptive polling: what the answer showed (caching headers, publisher hints, item times) sets the feed's next interval. */
  private learn(feed: FeedConfig, outcome: PollOutcome): void {
    const fetched = outcome.fetched!;
    const previous = this.evidence.get(feed.id);
    const evidence: PollEvidence =
      fetched.status === 'ok'
        ? { caching: fetched.caching, hints: fetched.feed.hints, itemTimes: fetched.feed.items.flatMap((item) => (item.publishedAt ? [item.publishedAt.getTime()] : [])) }
        : {
            // A 304 should repeat the caching headers (RFC 9110 §15.4.5); when it does not, the 200's still hold.
            caching: fetched.caching.cacheControl || fetched.caching.expires ? fetched.caching : (previous?.caching ?? null),
            hints: previous?.hints ?? null,
            itemTimes: previous?.itemTimes ?? [],
          };
    const now = (this.deps.now ?? Date.now)();
    const kept = keptEvidence(evidence, now);
    if (kept) this.evidence.set(feed.id, kept);
    else this.evidence.delete(feed.id);
    const cadence = nextInterval(evidence, { everyMs: feed.everyMs, minMs: feed.minEveryMs, maxMs: feed.maxEveryMs }, now);
    const before = this.cadences.get(feed.id);
    // No entry reads as `every` (intervalOf, watchOf).
    if (cadence.reason === 'every') this.cadences.delete(feed.id);
    else this.cadences.set(feed.id, cadence);
    if (before?.everyMs !== cadence.everyMs && (cadence.everyMs !== feed.everyMs || before)) {
      this.deps.log.info({ feed: feed.id, everyMs: cadence.everyMs, reason: cadence.reason }, 'poll interval');
    }
  }

  /** A feed's poll interval now, in ms, before jitter: the adaptive one (else `every`), at least `push.safetyEvery` while a hub pushes it. */
  private intervalOf(feed: FeedConfig): number {
    const every = this.cadences.get(feed.id)?.everyMs ?? feed.everyMs;
    const pushed = this.push?.websub.status(feed.id)?.pushed ?? false;
    return pushed ? Math.max(every, this.push!.safetyEveryMs) : every;
  }

  /**
   * How a feed is watched now (for /feeds list and /status): its poll interval in ms, what set it
   * (see cadence.ts), and whether a hub pushes it; null for a feed not scheduled here.
   */
  watchOf(feedId: string): { everyMs: number; reason: string; pushed: boolean } | null {
    const feed = this.feeds.get(feedId);
    if (!feed) return null;
    return { everyMs: this.intervalOf(feed), reason: this.cadences.get(feedId)?.reason ?? 'every', pushed: this.push?.websub.status(feedId)?.pushed ?? false };
  }

  /**
   * A hub pushed the feed (a genuine WebSub notification): its content goes through the same
   * ingestion as a poll; a thin ping (no content) fetches the feed first. Needs no lease: the
   * store records each item once, whichever process or path sees it first.
   */
  pushed(feedId: string, content: ParsedFeed | null): void {
    const feed = this.feeds.get(feedId);
    if (!feed || this.stopped) {
      this.deps.log.info({ feed: feedId }, 'push notification for a feed no longer watched; ignored');
      return;
    }
    const run = this.limit(async () => {
      const parsed = content ?? (await fetchWatched(feed, this.deps, undefined, new Date((this.deps.now ?? Date.now)()))).feed;
      const newArticles = await ingestPushed(feed, parsed, this.deps);
      this.deps.log.info({ feed: feedId, newArticles, thin: content === null }, 'push notification ingested');
    }).catch((error: unknown) => this.deps.log.warn({ err: error, feed: feedId }, 'push notification could not be ingested; the next poll will see it'));
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /**
   * Says when polls start later than due (every poll slot busy, a slow database): a warning at most
   * once a minute when a poll starts more than half its interval (the adaptive one, see intervalOf; at least
   * 5 s) late.
   */
  private noteLag(feed: FeedConfig, lagMs: number): void {
    const now = (this.deps.now ?? Date.now)();
    const everyMs = this.intervalOf(feed);
    if (lagMs < Math.max(everyMs / 2, LAG_WARNING_MIN_MS) || now - this.lagWarnedAt < LAG_WARNING_EVERY_MS) return;
    this.lagWarnedAt = now;
    this.deps.log.warn({ feed: feed.id, lagMs, everyMs }, 'polls are falling behind their interval: raise http.concurrency, lengthen every, or share the feeds out over more processes');
  }

  /**
   * `shared`: leave feeds that belong to another live worker to it (the timers); --once polls all it can claim.
   * `dueAt`: when the poll was due (ms since the epoch), to measure how late it starts.
   */
  private async pollLimited(feed: FeedConfig, { shared }: { shared: boolean }, dueAt?: number): Promise<PollOutcome> {
    const elsewhere: PollOutcome = { feedId: feed.id, status: 'elsewhere', newArticles: 0, failures: 0 };
    if (shared && feedOwner(feed.id, this.workers) !== this.owner) return elsewhere;
    return this.limit(async () => {
      const now = this.deps.now ?? Date.now;
      const lagMs = dueAt === undefined ? 0 : Math.max(0, now() - dueAt);
      this.noteLag(feed, lagMs);
      this.polling.add(feed.id);
      try {
        const state = await this.deps.store.claimFeed(feed.id, this.owner, now(), now() + feed.everyMs + FEED_LEASE_GRACE_MS);
        if (!state) {
          this.held.delete(feed.id);
          return elsewhere;
        }
        this.held.add(feed.id);
        // Push newly on: a feed's hubs are read from its content, which a 304 would not show.
        const unconditional = this.push?.websub.needsContent(feed.id) ?? false;
        const outcome = await pollFeed(feed, this.deps, unconditional ? { ...state, etag: null, lastModified: null } : state);
        // A failing feed backs off past its interval, a held one waits for its host: keep it until that later poll.
        if (outcome.heldUntil !== undefined) {
          await this.deps.store.claimFeed(feed.id, this.owner, now(), Math.max(outcome.heldUntil, now()) + FEED_LEASE_GRACE_MS);
        } else if (outcome.failures > 0) {
          await this.deps.store.claimFeed(feed.id, this.owner, now(), now() + nextPollDelay(feed.everyMs, outcome.failures, () => 1) + FEED_LEASE_GRACE_MS);
        }
        this.onPolled(outcome, lagMs);
        return outcome;
      } finally {
        this.polling.delete(feed.id);
      }
    });
  }
}
