import type { MemberAlerts } from './member-alerts.js';
import type { Digests } from './digests.js';

/**
 * What Herald keeps between runs, as small interfaces named for what each keeps; `Store` is all of
 * them together. Every method is async so that SQLite and PostgreSQL share them. Every timestamp is
 * an `EpochMs`. Every method rejects with the driver's error (better-sqlite3's SqliteError, pg's
 * DatabaseError) when the database fails, and with a `StoreRowError` (store/rows.ts) when a row read
 * back does not have the shape Herald wrote.
 */

/** A point in time: milliseconds since 1970-01-01T00:00:00Z (what `Date.now()` returns). */
export type EpochMs = number;

export interface FeedState {
  feedId: string;
  /** The validators of the last 200 answer (RFC 9110 §8.8), sent back in conditional requests. */
  etag: string | null;
  lastModified: string | null;
  /** False until the first successful poll: first sight follows the feed's `backfill`. */
  initialized: boolean;
  lastPollAt: EpochMs | null;
  lastSuccessAt: EpochMs | null;
  /** Failed polls in a row since the last success, and the last one's reason. */
  failures: number;
  lastError: string | null;
  /** Last poll held back (not failed) by the host's Retry-After (429/503): no poll before this; else null. */
  heldUntil: EpochMs | null;
  /** Where the feed was last read as a feed (its `feeds[].url`, or the feed its page links), for `readFor`, the url then configured. */
  readUrl: string | null;
  readFor: string | null;
}

/** An article as the store keeps it; above the store it is articles/article.ts `Article`. */
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
  publishedAt: EpochMs | null;
  firstSeenAt: EpochMs;
  /** The item's categories as published (for X hashtags). */
  categories?: string[];
}

/**
 * skipped: never sent on purpose (an X cap, a moderator), with the reason in lastError; held: waits
 * for a moderator's decision on the approval desk, outside the queue until approved; folded: owned
 * by a digest (digestId), outside the queue, sent or failed with it.
 */
export type DeliveryStatus = 'held' | 'pending' | 'sending' | 'sent' | 'failed' | 'skipped' | 'folded';

export interface Delivery {
  id: number;
  articleId: string;
  /** "discord:<channel id>" or "x". */
  target: string;
  status: DeliveryStatus;
  /** Sends started so far (each markSending counts one). */
  attempts: number;
  nextAttemptAt: EpochMs;
  lastError: string | null;
  remoteId: string | null;
  /** Set when a send may have reached the target but its answer was lost (crash, timeout). */
  unknownOutcome: boolean;
  /**
   * The options its route gave it when it was recorded (deliveries/options.ts DeliveryOptions), as
   * stored: parsed JSON, unchecked (the outbox validates them); null on rows recorded before schema v7.
   */
  options: unknown;
  /** The digest it was folded into (schema v10), or null when it goes (or went) out alone. */
  digestId?: number | null;
}

/** Per-route options as the store keeps them: a JSON object it writes and reads without looking inside. */
export type StoredOptions = Readonly<Record<string, unknown>>;

/** A delivery to record for a new article: its target key and its route's options. */
export interface NewDelivery {
  target: string;
  options: StoredOptions;
  /** Why a route's filter held the article back there: the delivery is recorded as skipped with this reason, so /why can tell. */
  heldBack?: string;
  /** The route's approval desk: the delivery is recorded as held, and the article gets an approval (one per article, the first desk named). */
  approval?: { channel: string; expireMs: number; onExpiry: 'skip' | 'post' };
}

/** What became of an article on the approval desk. */
type ApprovalStatus = 'held' | 'approved' | 'skipped';

/** An article waiting for (or given) a moderator's decision before its held deliveries may go out. */
export interface Approval {
  articleId: string;
  /** The moderators' Discord channel. */
  channel: string;
  /** The preview message with the buttons, once posted. */
  messageId: string | null;
  status: ApprovalStatus;
  expiresAt: EpochMs;
  onExpiry: 'skip' | 'post';
  /** Who decided: a Discord member id, "dashboard", or "expiry"; null while held. */
  decidedBy: string | null;
  decidedAt: EpochMs | null;
}

/** A moderator's decision, and the changes an Edit made (the summary; new options for some deliveries, by id). */
export interface Decision {
  status: 'approved' | 'skipped';
  by: string;
  summary?: string;
  options?: ReadonlyArray<{ deliveryId: number; options: StoredOptions }>;
}

export interface DeliveryJob {
  delivery: Delivery;
  article: StoredArticle;
}

/** A feed added from Discord with /feeds add: it lives in the database, not the config file. */
export interface DiscordFeed {
  id: string;
  url: string;
  /** Poll interval in milliseconds. */
  everyMs: number;
  /** How many of the newest items to post on first sight. */
  backfill: number;
  name: string;
  channelId: string;
  paused: boolean;
  addedBy: string | null;
  createdAt: EpochMs;
  /** What it says about its channel's posts (filter words, a role to ping), as given (parsed JSON, unchecked: targets/discord/added-feed.ts reads it); absent or null: nothing. */
  options?: unknown;
}

interface SearchOptions {
  feedId?: string;
  /** Only articles published (or, without a date, first seen) at or after this time. */
  since?: EpochMs;
  /** At most this many articles. */
  limit: number;
}

/** Everything Herald knows about one URL, for /why. */
export interface UrlHistory {
  seen: Array<{ feedId: string; seenAt: EpochMs; posted: boolean }>;
  article: StoredArticle | null;
  deliveries: Delivery[];
  /** The article's approval, when a route asked for one. */
  approval?: Approval | null;
}

/** An item of a feed as first seen: its key, its link, and the hash of its content (for edits). */
interface SeenItem {
  key: string;
  url: string | null;
  contentHash?: string | null;
}

/** Each feed's polling state: validators, first sight, failures, holds. */
export interface FeedStates {
  /**
   * Writes one feed's whole state (creating or replacing it; its lease is left alone). Writes made in one turn of the
   * event loop go as one statement (store/batch.ts), the last of a feed winning; resolves once committed, rejects with its error.
   */
  saveFeedState(state: FeedState): Promise<void>;
  /** Every feed's state, by feed id. */
  feedStates(): Promise<FeedState[]>;
}

/** Which items of each feed were seen, so that each becomes an article at most once. */
export interface SeenItems {
  /** Marks items seen at `at` without making articles of them (backfill, filtered items); items already seen keep their record. */
  markSeen(feedId: string, items: SeenItem[], at: EpochMs): Promise<void>;
  /** For items seen before: their content hash and the article they became (if any). Keys never seen for this feed are absent. */
  seenItems(feedId: string, keys: string[]): Promise<Map<string, { contentHash: string | null; articleId: string | null }>>;
  /** Replaces the content hash of one seen item; nothing happens when the item was never seen. */
  setContentHash(feedId: string, key: string, contentHash: string): Promise<void>;
}

/** The articles, with full-text search over their titles and summaries. */
export interface Articles {
  /**
   * In one transaction: stores the article (an existing story keeps its first record), marks the
   * item seen at `now`, and records a pending delivery, due at `now`, with its options, per target
   * that has none for this story yet (a skipped one with its reason when `heldBack` is set). Returns
   * the targets that got a new pending delivery, in the order given.
   */
  addArticle(article: StoredArticle, item: { key: string; contentHash: string | null }, deliveries: NewDelivery[], now: EpochMs): Promise<string[]>;
  /**
   * Replaces an article's title and summary when they changed, raising its revision; sent deliveries
   * then become due for an edit. Returns whether anything changed (false also for an unknown article).
   */
  reviseArticle(articleId: string, changes: { title: string; summary: string }): Promise<boolean>;
  /** In one transaction, passes the options (JSON objects) of an article's deliveries through `rewrite` (an edit's filter matches) and writes those it changed; returns how many. */
  rewriteDeliveryOptions(articleId: string, rewrite: (options: StoredOptions) => StoredOptions): Promise<number>;
  /**
   * Full-text search over titles and summaries: every word of `query` must start a word of the
   * article; best match first, the newest first among equals. Query syntax is never interpreted:
   * only letters and digits count (at most 12 words), and nothing searchable returns [].
   */
  searchArticles(query: string, options: SearchOptions): Promise<StoredArticle[]>;
  /** The newest articles (by publication, else first sight), `limit` of them after skipping `offset`, of one feed or all. */
  recentArticles(limit: number, feedId?: string, offset?: number): Promise<StoredArticle[]>;
  /** Every item seen with this exact URL (oldest first), the article it became, and that article's deliveries. */
  urlHistory(url: string): Promise<UrlHistory>;
}

/**
 * The delivery queue: one queue per target, kept in publication order; each delivery goes
 * pending → sending → sent | failed | skipped, back to pending on a retry.
 */
export interface DeliveryQueue {
  /** For each target, its earliest unfinished delivery if it is due at `now` (order within a target is kept). */
  dueDeliveries(now: EpochMs): Promise<DeliveryJob[]>;
  /** For each target, its earliest unfinished delivery, due or not (what each queue waits on, for /status). */
  queueHeads(): Promise<DeliveryJob[]>;
  /**
   * The earliest time the head of one of `targets`' queues becomes due (a delivery behind a head that waits,
   * waits too), or null when none is pending (always for an empty list): what a process waits for is the work it may do next.
   */
  nextDueAt(targets: string[]): Promise<EpochMs | null>;
  /** A send starts: status "sending", one more attempt. */
  markSending(id: number, now: EpochMs): Promise<void>;
  /** The target took it as `remoteId` (null when it gives no id); the article's current revision is what it shows. */
  markSent(id: number, remoteId: string | null, now: EpochMs): Promise<void>;
  /**
   * Back to pending until `nextAttemptAt`, with the error; `unknownOutcome` when the send may have arrived.
   * `attemptCounts` false takes back the attempt markSending counted (the target held the send: DeliveryError 'held').
   */
  markRetry(id: number, error: string, nextAttemptAt: EpochMs, unknownOutcome: boolean, now: EpochMs, attemptCounts?: boolean): Promise<void>;
  /** Given up for good, with the error. */
  markFailed(id: number, error: string, now: EpochMs): Promise<void>;
  /** Never to be sent on purpose (an X cap), with the reason. */
  markSkipped(id: number, reason: string, now: EpochMs): Promise<void>;
  /** Every unfinished delivery of one target, in queue order (for X's budget triage). */
  unfinishedFor(target: string): Promise<DeliveryJob[]>;
  /** Deliveries a crashed process left in "sending" (for one target, or all), by id: their outcome is unknown. */
  interruptedDeliveries(target?: string): Promise<Delivery[]>;
  /** The `limit` most recently updated failed or skipped deliveries, newest first. */
  failedDeliveries(limit: number): Promise<DeliveryJob[]>;
  /** How many deliveries are in each status (0 for none). */
  deliveryCounts(): Promise<Record<DeliveryStatus, number>>;
  /** Sent deliveries whose message shows an older revision of the article, due at `now`, one per target (the oldest). */
  dueEdits(now: EpochMs): Promise<DeliveryJob[]>;
  /** The message now shows `revision` of the article. */
  markEdited(id: number, revision: number, now: EpochMs): Promise<void>;
  /** An edit failed: try again at `nextAttemptAt`. */
  markEditRetry(id: number, error: string, nextAttemptAt: EpochMs, now: EpochMs): Promise<void>;
  /**
   * Gives the deliveries recorded without options (before schema v7) the options `optionsOf` returns
   * for their article's feed and their target (asked once per pair). Returns how many were updated.
   */
  fillDeliveryOptions(optionsOf: (feedId: string, target: string) => StoredOptions): Promise<number>;
}

/** Feeds added from Discord (/feeds add), kept beside the configured ones. */
export interface Subscriptions {
  /** Every feed added from Discord, by id. */
  discordFeeds(): Promise<DiscordFeed[]>;
  /** Adds a feed; false when a feed with that id already exists (it is left as it was). */
  addDiscordFeed(feed: DiscordFeed): Promise<boolean>;
  /** False when no feed has that id. */
  removeDiscordFeed(id: string): Promise<boolean>;
  /** False when no feed has that id. */
  setDiscordFeedPaused(id: string, paused: boolean): Promise<boolean>;
}

/** Where a WebSub subscription stands (W3C WebSub §5): asked for, verified by its hub, being ended, or refused. */
/**
 * Where a WebSub subscription stands: asked for (`requested`), verified (`active`), being ended
 * (`unsubscribing`), refused by the hub (`refused`), or `ended` (the feed is no longer watched and
 * its hub confirmed the end, or could not be asked): hub and topic are kept, so the feed, watched
 * again, is subscribed again at once, whatever its next poll answers.
 */
export type PushState = 'requested' | 'active' | 'unsubscribing' | 'refused' | 'ended';

/** One feed's WebSub subscription, as Herald asked a hub for it. */
export interface PushSubscription {
  feedId: string;
  hub: string;
  /** The topic URL subscribed to (the feed's rel="self"). */
  topic: string;
  /** The last segment of the callback URL: random, unguessable, one per subscription. */
  callbackId: string;
  /** The secret the hub signs notifications with (HMAC, X-Hub-Signature). */
  secret: string;
  state: PushState;
  /** When the hub's lease ends (it said so when verifying); null before verification. */
  leaseUntil: EpochMs | null;
  requestedAt: EpochMs;
  /** When the last genuine (signed) notification arrived; null before any. */
  lastPushAt: EpochMs | null;
  /** Why the hub refused, or why the last request failed. */
  lastError: string | null;
}

/** WebSub subscriptions, one per feed at most, found by feed or by callback. */
export interface PushSubscriptions {
  /** Every subscription, by feed id. */
  pushSubscriptions(): Promise<PushSubscription[]>;
  /** One feed's subscription, or null. */
  pushSubscription(feedId: string): Promise<PushSubscription | null>;
  /** The subscription whose callback ends in `callbackId`, or null. */
  pushSubscriptionByCallback(callbackId: string): Promise<PushSubscription | null>;
  /** Writes one feed's subscription whole (creating or replacing it). Throws StoreRowError, writing nothing, for a value that could not be read back (a time no Date holds). */
  savePushSubscription(subscription: PushSubscription): Promise<void>;
  /** Forgets a feed's subscription; nothing happens when it has none. */
  deletePushSubscription(feedId: string): Promise<void>;
}

/**
 * Who does which work when several processes share one PostgreSQL database: leases on feeds (polling) and
 * targets (sending), and the Discord gateway. SQLite serves one process, which always holds everything.
 */
export interface Leases {
  /**
   * Claims (or renews) a feed's polling for `owner` until `until`, returning the feed's state in the
   * same round trip (a fresh state for a feed never polled); null while another owner's lease on it
   * runs past `now`. Claims made in one turn of the event loop go as one statement (store/batch.ts);
   * of two owners' claims of one feed in a batch, the first made is tried.
   */
  claimFeed(feedId: string, owner: string, now: EpochMs, until: EpochMs): Promise<FeedState | null>;
  /**
   * Claims (or renews) until `until` every target with unfinished deliveries that `sends` accepts
   * (those of the kinds this owner can send) and no other owner holds past `now`; a target it
   * cannot send is left to a process that can. `takenOver`: targets this owner did not hold
   * before; their "sending" rows are orphans to recover.
   */
  claimTargets(owner: string, now: EpochMs, until: EpochMs, sends: (target: string) => boolean): Promise<{ held: string[]; takenOver: string[] }>;
  /** Gives up this owner's leases and its place among the workers (graceful stop), so others take over at once. */
  releaseLeases(owner: string): Promise<void>;
  /** Gives up one feed's lease at once if `owner` holds it: its polling has moved to another worker. */
  releaseFeed(feedId: string, owner: string): Promise<void>;
  /** True when this process may hold the Discord gateway: one per database. Held until close. */
  tryGatewayLock(): Promise<boolean>;
}

/** The processes sharing the database, known by their heartbeats. */
export interface Workers {
  /**
   * Records that `owner` is alive at `now`; returns every owner seen since `liveSince`, itself
   * included, sorted. Rows of owners silent for an hour before `liveSince` are removed.
   */
  heartbeat(owner: string, now: EpochMs, liveSince: EpochMs): Promise<string[]>;
}

/** Small named values (the `meta` table), such as X's OAuth tokens. */
export interface KeyValues {
  /** The value stored under `key`, or null. */
  getMeta(key: string): Promise<string | null>;
  /** Stores `value` under `key`, replacing any. */
  setMeta(key: string, value: string): Promise<void>;
}

/** What X posts cost, per named period, for its caps; and how many posts each platform was sent (the dashboard's usage page). */
export interface UsageLedger {
  /**
   * Deliveries to destinations of `kind` ("bluesky", "telegram": target "<kind>" or "<kind>:<address>")
   * marked sent, or edited since, at or after `since`: the posts (writes) a platform counted.
   */
  sentSince(kind: string, since: EpochMs): Promise<number>;
  /** Posts and dollars used in each named period ("day:2026-11-25", "month:2026-11"); zeros for a period with none. */
  xUsage(periods: string[]): Promise<Map<string, { posts: number; usd: number }>>;
  /** Adds `posts` posts and `usd` dollars to each of the (distinct) periods, in one statement. */
  recordXUsage(periods: string[], posts: number, usd: number): Promise<void>;
}

/** The approval desk: articles held for a moderator's decision (recorded by Articles.addArticle). */
export interface Approvals {
  /** Held approvals whose preview was not posted yet, oldest first, with their articles. */
  unannounced(): Promise<Array<{ approval: Approval; article: StoredArticle }>>;
  /** Records the preview message of an approval. */
  setApprovalMessage(articleId: string, messageId: string): Promise<void>;
  /** One article's approval with its article and deliveries, or null when it has none. */
  approval(articleId: string): Promise<{ approval: Approval; article: StoredArticle; deliveries: Delivery[] } | null>;
  /** Held approvals, oldest first (the dashboard's desk). */
  heldApprovals(limit: number): Promise<Array<{ approval: Approval; article: StoredArticle }>>;
  /** Held approvals whose time ran out at `now`. */
  expiredApprovals(now: EpochMs): Promise<Approval[]>;
  /**
   * Decides a held approval, in one transaction and only if it is still held (one conditional
   * update, so two clicks or two places decide once): approved moves its held deliveries to
   * pending, due at `now`; skipped marks them skipped naming who. An Edit's summary and options
   * are written first. Returns false (changing nothing) when it was decided already or is unknown.
   */
  decide(articleId: string, decision: Decision, now: EpochMs): Promise<boolean>;
}

/** Everything the store keeps, on one connection pool (SQLite file or PostgreSQL database). */
export interface Store extends FeedStates, SeenItems, Articles, DeliveryQueue, Subscriptions, PushSubscriptions, Leases, Workers, KeyValues, UsageLedger, Approvals, Digests, MemberAlerts {
  /** Closes the database (and with it the gateway lock); the store is unusable afterwards. */
  close(): Promise<void>;
}
