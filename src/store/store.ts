/** What Herald keeps between runs. Async so that a PostgreSQL implementation can share it. */

export interface FeedState {
  feedId: string;
  etag: string | null;
  lastModified: string | null;
  /** False until the first successful poll: first sight follows the feed's `backfill`. */
  initialized: boolean;
  lastPollAt: number | null;
  lastSuccessAt: number | null;
  failures: number;
  lastError: string | null;
}

export interface StoredArticle {
  id: string;
  /** Starts at 1; raised each time the publisher changes the title or summary. */
  revision?: number;
  feedId: string;
  url: string;
  title: string;
  summary: string;
  author: string | null;
  siteName: string | null;
  imageUrl: string | null;
  publishedAt: number | null;
  firstSeenAt: number;
  /** The item's categories as published (for X hashtags). */
  categories?: string[];
}

/** skipped: never sent on purpose (an X cap), with the reason in lastError. */
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

export interface Delivery {
  id: number;
  articleId: string;
  /** "discord:<channel id>" or "x". */
  target: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  remoteId: string | null;
  /** Set when a send may have reached the target but its answer was lost (crash, timeout). */
  unknownOutcome: boolean;
}

export interface DeliveryJob {
  delivery: Delivery;
  article: StoredArticle;
}

/** A feed added from Discord with /feeds add: it lives in the database, not the config file. */
export interface DiscordFeed {
  id: string;
  url: string;
  everyMs: number;
  backfill: number;
  name: string;
  channelId: string;
  paused: boolean;
  addedBy: string | null;
  createdAt: number;
}

export interface SearchOptions {
  feedId?: string;
  /** Only articles published (or first seen) at or after this time. */
  since?: number;
  limit: number;
}

/** Everything Herald knows about one URL, for /why. */
export interface UrlHistory {
  seen: Array<{ feedId: string; seenAt: number; posted: boolean }>;
  article: StoredArticle | null;
  deliveries: Delivery[];
}

export interface Store {
  saveFeedState(state: FeedState): Promise<void>;
  /** The keys among `keys` that were never seen for this feed, in the order given. */
  unseenKeys(feedId: string, keys: string[]): Promise<string[]>;
  markSeen(feedId: string, items: Array<{ key: string; url: string | null; contentHash?: string | null }>, at: number): Promise<void>;
  /** For items seen before: their content hash and the article they became (if any). */
  seenItems(feedId: string, keys: string[]): Promise<Map<string, { contentHash: string | null; articleId: string | null }>>;
  setContentHash(feedId: string, key: string, contentHash: string): Promise<void>;
  /**
   * Replaces an article's title and summary when they changed, raising its revision; sent
   * deliveries then become due for an edit. Returns whether anything changed.
   */
  reviseArticle(articleId: string, changes: { title: string; summary: string }): Promise<boolean>;
  /** Sent deliveries whose message shows an older revision of the article, due now, one per target. */
  dueEdits(now: number): Promise<DeliveryJob[]>;
  markEdited(id: number, revision: number, now: number): Promise<void>;
  markEditRetry(id: number, error: string, nextAttemptAt: number, now: number): Promise<void>;
  /**
   * In one transaction: stores the article (an existing story keeps its first record), marks the
   * item seen, and records a pending delivery per target that has none for this story yet.
   * Returns the targets that got a new delivery.
   */
  addArticle(article: StoredArticle, item: { key: string; contentHash: string | null }, targets: string[], now: number): Promise<string[]>;
  /** Full-text search over titles and summaries: best match first, the newest first among equals. */
  searchArticles(query: string, options: SearchOptions): Promise<StoredArticle[]>;
  urlHistory(url: string): Promise<UrlHistory>;
  feedStates(): Promise<FeedState[]>;
  /** The most recent failed or skipped deliveries, newest first. */
  failedDeliveries(limit: number): Promise<DeliveryJob[]>;
  discordFeeds(): Promise<DiscordFeed[]>;
  /** False when a feed with that id already exists. */
  addDiscordFeed(feed: DiscordFeed): Promise<boolean>;
  removeDiscordFeed(id: string): Promise<boolean>;
  setDiscordFeedPaused(id: string, paused: boolean): Promise<boolean>;
  /** For each target, its earliest unfinished delivery if it is due now (order within a target is kept). */
  dueDeliveries(now: number): Promise<DeliveryJob[]>;
  /** For each target, its earliest unfinished delivery, due or not (what each queue waits on, for /status). */
  queueHeads(): Promise<DeliveryJob[]>;
  /** The earliest time any unfinished delivery becomes due, or null when none is waiting. */
  nextDueAt(): Promise<number | null>;
  markSending(id: number, now: number): Promise<void>;
  markSent(id: number, remoteId: string | null, now: number): Promise<void>;
  markRetry(id: number, error: string, nextAttemptAt: number, unknownOutcome: boolean, now: number): Promise<void>;
  markFailed(id: number, error: string, now: number): Promise<void>;
  markSkipped(id: number, reason: string, now: number): Promise<void>;
  /** Every unfinished delivery of one target, in queue order (for X's budget triage). */
  unfinishedFor(target: string): Promise<DeliveryJob[]>;
  /** Posts and dollars used in each named period ("day:2026-11-25", "month:2026-11"). */
  xUsage(periods: string[]): Promise<Map<string, { posts: number; usd: number }>>;
  recordXUsage(periods: string[], posts: number, usd: number): Promise<void>;
  /** Deliveries a crashed process left in "sending" (for one target, or all): their outcome is unknown. */
  interruptedDeliveries(target?: string): Promise<Delivery[]>;

  // Work sharing. Several processes may share one PostgreSQL database; SQLite serves one process.
  /**
   * Claims (or renews) a feed's polling for `owner` until `until`, returning the feed's state in the
   * same round trip; null while another process holds it.
   */
  claimFeed(feedId: string, owner: string, now: number, until: number): Promise<FeedState | null>;
  /**
   * Claims (or renews) every target with unfinished deliveries that no other live process holds.
   * `takenOver`: targets this owner did not hold before; their "sending" rows are orphans to recover.
   */
  claimTargets(owner: string, now: number, until: number): Promise<{ held: string[]; takenOver: string[] }>;
  /** Gives up this owner's leases and its place among the workers (graceful stop), so others take over at once. */
  releaseLeases(owner: string): Promise<void>;
  /** Gives up one feed's lease at once: its polling has moved to another worker. */
  releaseFeed(feedId: string, owner: string): Promise<void>;
  /** Records that `owner` is alive; returns every owner seen since `liveSince`, itself included, sorted. */
  heartbeat(owner: string, now: number, liveSince: number): Promise<string[]>;
  /** True when this process may hold the Discord gateway: one per database. Held until close. */
  tryGatewayLock(): Promise<boolean>;
  recentArticles(limit: number, feedId?: string, offset?: number): Promise<StoredArticle[]>;
  deliveryCounts(): Promise<Record<DeliveryStatus, number>>;
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}
