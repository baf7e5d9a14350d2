import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { buildArticle } from '../articles/article.js';
import { canonicalUrl, itemKey } from '../articles/identity.js';
import { loadArticlePage, type PageLimits } from './pages.js';
import type { SummaryLimits } from '../articles/summarize.js';
import type { FeedConfig } from '../config/config.js';
import type { FeedState, Store } from '../store/store.js';
import { charsetOf, decodeBytes } from '../sources/decode.js';
import type { FeedItem } from '../sources/feed.js';
import { FetchError, type HttpClient } from '../sources/http.js';
import { FEED_ACCEPT } from '../sources/load.js';
import { parseFeedText } from '../sources/parse.js';
import { feedOwner } from './sharing.js';

/** What Herald compares to notice that a publisher edited an item. */
export function contentHash(item: FeedItem): string {
  return createHash('sha1').update(`${item.title ?? ''}\n${item.summary ?? ''}`).digest('base64url');
}

/** Items edited by their publisher that are re-read per poll, at most. */
const MAX_REVISIONS_PER_POLL = 20;

/** At most this many new items are processed per poll; the rest stay unseen for the next one. */
const MAX_NEW_PER_POLL = 100;
/** Article pages fetched at once for one feed. */
const PAGE_CONCURRENCY = 4;

export interface PollOutcome {
  feedId: string;
  /** elsewhere: another Herald process polls this feed (its share of the feeds, or it holds the lease; shared PostgreSQL). */
  status: 'not-modified' | 'ok' | 'failed' | 'elsewhere';
  newArticles: number;
  /** Consecutive failed polls, this one included (0 after a success). */
  failures: number;
  error?: string;
}

export interface PollerDeps {
  store: Store;
  http: HttpClient;
  log: Logger;
  targetsFor(feedId: string): string[];
  summary: SummaryLimits;
  /** What to do when a publisher edits an item already posted: edit the messages, or ignore it. */
  updates: 'edit' | 'ignore';
  feedLimits: { maxBytes: number; timeoutMs: number };
  pageLimits: PageLimits;
  /** Called after new deliveries were recorded, so the outbox can start on them at once. */
  onNewDeliveries(): void;
  now?: () => number;
}

/** Runs `worker` over `items` with at most `limit` in flight, keeping result order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, worker: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await worker(items[index]!);
    }
  });
  await Promise.all(runners);
  return results;
}

function newestFirst(a: FeedItem, b: FeedItem): number {
  return (b.publishedAt?.getTime() ?? 0) - (a.publishedAt?.getTime() ?? 0);
}

/**
 * One poll of one feed, from its state as claimed: fetch (conditional), parse, find unseen items, turn
 * each into an article and record its deliveries. Validators are saved only after every new item was recorded, so a crash
 * mid-poll refetches and nothing is lost.
 */
export async function pollFeed(feed: FeedConfig, deps: PollerDeps, state: FeedState): Promise<PollOutcome> {
  const now = deps.now ?? Date.now;
  const { store, log } = deps;
  const startedAt = now();
  try {
    const response = await deps.http.fetch(feed.url, {
      accept: FEED_ACCEPT,
      maxBytes: deps.feedLimits.maxBytes,
      timeoutMs: deps.feedLimits.timeoutMs,
      etag: state.initialized ? state.etag : null,
      lastModified: state.initialized ? state.lastModified : null,
    });
    if (response.status === 'not-modified') {
      await store.saveFeedState({ ...state, lastPollAt: startedAt, lastSuccessAt: startedAt, failures: 0, lastError: null });
      return { feedId: feed.id, status: 'not-modified', newArticles: 0, failures: 0 };
    }
    const text = decodeBytes(response.body, charsetOf(response.contentType));
    const parsed = parseFeedText(text, /^https?:/i.test(response.url) ? response.url : null, new Date(startedAt));

    const keyed = new Map<string, FeedItem>();
    for (const item of parsed.items) {
      const key = itemKey(item);
      if (key && !keyed.has(key)) keyed.set(key, item);
    }
    const unseen = await store.unseenKeys(feed.id, [...keyed.keys()]);
    let toProcess = unseen.map((key) => ({ key, item: keyed.get(key)! }));
    if (!state.initialized) {
      // First sight: the newest `backfill` items are posted, the rest only remembered.
      const chosen = [...toProcess].sort((a, b) => newestFirst(a.item, b.item)).slice(0, feed.backfill);
      const chosenKeys = new Set(chosen.map((entry) => entry.key));
      const remembered = toProcess
        .filter((entry) => !chosenKeys.has(entry.key))
        .map((entry) => ({ key: entry.key, url: entry.item.url ? canonicalUrl(entry.item.url) : null, contentHash: contentHash(entry.item) }));
      await store.markSeen(feed.id, remembered, startedAt);
      toProcess = toProcess.filter((entry) => chosenKeys.has(entry.key));
    }
    const capped = toProcess.length > MAX_NEW_PER_POLL;
    // Oldest first, so deliveries are recorded (and posted) in publication order.
    const batch = toProcess.sort((a, b) => -newestFirst(a.item, b.item)).slice(0, MAX_NEW_PER_POLL);

    let newArticles = 0;
    const targets = deps.targetsFor(feed.id);
    await mapLimit(batch, PAGE_CONCURRENCY, async ({ key, item }) => {
      const page = item.url ? await loadArticlePage(deps.http, item.url, deps.pageLimits) : null;
      if (page && !page.ok) log.warn({ feed: feed.id, item: key, url: item.url, reason: page.reason }, 'article page unavailable; using the feed content');
      const article = buildArticle({ feedId: feed.id, feedName: parsed.title ?? feed.name, item, page: page?.ok ? page.page : null }, deps.summary, now());
      if (!article) {
        log.warn({ feed: feed.id, item: key }, 'item has no usable link; skipped');
        await store.markSeen(feed.id, [{ key, url: null }], now());
        return;
      }
      const queued = await store.addArticle(article, { key, contentHash: contentHash(item) }, targets, now());
      newArticles++;
      log.info({ feed: feed.id, article: article.id, url: article.url, targets: queued }, 'new article');
    });
    const unseenSet = new Set(unseen);
    const revised = await reviseEditedItems(feed, parsed.title, [...keyed].filter(([key]) => !unseenSet.has(key)), deps);
    if (newArticles > 0 || revised > 0) deps.onNewDeliveries();

    await store.saveFeedState({
      ...state,
      // When items were left for the next poll, forget the validators so that poll sees them.
      etag: capped ? null : response.etag,
      lastModified: capped ? null : response.lastModified,
      initialized: true,
      lastPollAt: startedAt,
      lastSuccessAt: startedAt,
      failures: 0,
      lastError: null,
    });
    return { feedId: feed.id, status: 'ok', newArticles, failures: 0 };
  } catch (error) {
    const reason = error instanceof FetchError ? `${error.kind}: ${error.message}` : (error as Error).message;
    await store.saveFeedState({ ...state, lastPollAt: startedAt, failures: state.failures + 1, lastError: reason });
    log.warn({ feed: feed.id, url: feed.url, failures: state.failures + 1, reason }, 'feed poll failed');
    return { feedId: feed.id, status: 'failed', newArticles: 0, failures: state.failures + 1, error: reason };
  }
}

/**
 * Items seen before whose title or description changed: with `updates: edit`, the article is
 * re-read and revised, and its sent messages become due for an edit. Returns how many were revised.
 */
async function reviseEditedItems(feed: FeedConfig, feedTitle: string | null, seenEntries: Array<[string, FeedItem]>, deps: PollerDeps): Promise<number> {
  const now = deps.now ?? Date.now;
  const stored = await deps.store.seenItems(feed.id, seenEntries.map(([key]) => key));
  const changed = seenEntries.filter(([key, item]) => {
    const previous = stored.get(key);
    return previous !== undefined && previous.contentHash !== contentHash(item);
  });
  let revised = 0;
  for (const [key, item] of changed.slice(0, MAX_REVISIONS_PER_POLL)) {
    const previous = stored.get(key)!;
    // Rows from before hashes were kept have none: record it, there is nothing to compare with.
    if (deps.updates === 'edit' && previous.contentHash !== null && previous.articleId) {
      const page = item.url ? await loadArticlePage(deps.http, item.url, deps.pageLimits) : null;
      const article = buildArticle({ feedId: feed.id, feedName: feedTitle ?? feed.name, item, page: page?.ok ? page.page : null }, deps.summary, now());
      if (article && (await deps.store.reviseArticle(previous.articleId, { title: article.title, summary: article.summary }))) {
        revised++;
        deps.log.info({ feed: feed.id, article: previous.articleId, item: key }, 'article edited by its publisher; messages will be updated');
      }
    }
    await deps.store.setContentHash(feed.id, key, contentHash(item));
  }
  return revised;
}

/** Next poll delay: the feed's interval, stretched exponentially while it fails (at most 6 h), with ±10 % jitter. */
export function nextPollDelay(everyMs: number, failures: number, random: () => number = Math.random): number {
  const base = failures === 0 ? everyMs : Math.min(Math.max(everyMs, 6 * 3_600_000), everyMs * 2 ** Math.min(failures, 10));
  return Math.round(base * (0.9 + random() * 0.2));
}

/** Past its next poll, a feed's lease lasts this much longer before another process may take it. */
const FEED_LEASE_GRACE_MS = 15_000;
/** How often a process says it is alive, and how long after its last word it still counts as a worker. */
const WORKER_HEARTBEAT_MS = 5_000;
const WORKER_LIVE_MS = 20_000;

/**
 * Polls every feed on its own timer; a slow or failing feed never delays the others.
 * `concurrency` bounds polls in flight across all feeds. With several processes on one database,
 * the live ones share the feeds out (see feedOwner), and each poll is still claimed first (a lease
 * that runs until the feed's next poll, plus a grace): one process polls a feed, a process that
 * joins takes its share over, and a killed process's feeds are taken over when it has gone quiet
 * and its leases have expired.
 */
export class FeedScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly feeds = new Map<string, FeedConfig>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private stopped = false;
  /** The live processes sharing the database, this one included. */
  private workers: readonly string[];
  /** Feeds whose lease this process holds, to hand over at once when their owner changes. */
  private readonly held = new Set<string>();
  /** Feeds being polled right now: never handed over mid-poll, or two processes would poll them at once. */
  private readonly polling = new Set<string>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    feeds: readonly FeedConfig[],
    private readonly deps: PollerDeps,
    private readonly concurrency: number,
    private readonly owner: string,
    private readonly onPolled: (outcome: PollOutcome) => void = () => {},
  ) {
    for (const feed of feeds) this.feeds.set(feed.id, feed);
    this.workers = [owner];
  }

  /** Announces this process among the workers, then starts every feed's timer. */
  async start(): Promise<void> {
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat(), WORKER_HEARTBEAT_MS);
    for (const feed of this.feeds.values()) this.schedule(feed, 0);
  }

  private async beat(): Promise<void> {
    const now = (this.deps.now ?? Date.now)();
    try {
      const workers = await this.deps.store.heartbeat(this.owner, now, now - WORKER_LIVE_MS);
      this.workers = workers.includes(this.owner) ? workers : [...workers, this.owner];
    } catch (error) {
      this.deps.log.warn({ err: error }, 'worker heartbeat failed');
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

  /** Stops polling a feed; a poll already running finishes. */
  remove(feedId: string): void {
    clearTimeout(this.timers.get(feedId));
    this.timers.delete(feedId);
    this.feeds.delete(feedId);
  }

  /** Polls every feed once, now, and resolves when all are done (for --once). */
  async pollAllOnce(onProgress?: (done: number, total: number) => void): Promise<PollOutcome[]> {
    const feeds = [...this.feeds.values()];
    let done = 0;
    return Promise.all(
      feeds.map(async (feed) => {
        const outcome = await this.pollLimited(feed, { shared: false });
        onProgress?.(++done, feeds.length);
        return outcome;
      }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(feed: FeedConfig, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      const run = this.pollLimited(feed, { shared: true }).then((outcome) => {
        // A feed removed (or replaced) while it was being polled is not rescheduled.
        if (this.feeds.get(feed.id) === feed) this.schedule(feed, nextPollDelay(feed.everyMs, outcome.failures));
      });
      this.inFlight.add(run);
      void run.finally(() => this.inFlight.delete(run));
    }, delayMs);
    this.timers.set(feed.id, timer);
  }

  /** `shared`: leave feeds that belong to another live worker to it (the timers); --once polls all it can claim. */
  private async pollLimited(feed: FeedConfig, { shared }: { shared: boolean }): Promise<PollOutcome> {
    const elsewhere: PollOutcome = { feedId: feed.id, status: 'elsewhere', newArticles: 0, failures: 0 };
    if (shared && feedOwner(feed.id, this.workers) !== this.owner) return elsewhere;
    while (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    const now = this.deps.now ?? Date.now;
    this.polling.add(feed.id);
    try {
      const state = await this.deps.store.claimFeed(feed.id, this.owner, now(), now() + feed.everyMs + FEED_LEASE_GRACE_MS);
      if (!state) {
        this.held.delete(feed.id);
        return elsewhere;
      }
      this.held.add(feed.id);
      const outcome = await pollFeed(feed, this.deps, state);
      // A failing feed backs off past its interval: hold it until that later poll.
      if (outcome.failures > 0) {
        await this.deps.store.claimFeed(feed.id, this.owner, now(), now() + nextPollDelay(feed.everyMs, outcome.failures, () => 1) + FEED_LEASE_GRACE_MS);
      }
      this.onPolled(outcome);
      return outcome;
    } finally {
      this.polling.delete(feed.id);
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
