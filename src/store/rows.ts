import { z } from 'zod';
import type { Approval, Delivery, DeliveryStatus, DiscordFeed, FeedState, PushState, PushSubscription, StoredArticle } from './store.js';
import type { Digest, DigestStatus } from './digests.js';

/**
 * Database rows are external input: each is checked here, once, and turned into Herald's types.
 * Both backends hand numbers over as JavaScript numbers (PostgreSQL's BIGINT is parsed as a
 * number, which holds epoch milliseconds exactly: see postgres.ts); flags are stored as 0 or 1.
 */

/** A row read back from the database that does not have the shape Herald wrote. */
export class StoreRowError extends Error {
  constructor(
    readonly table: string,
    readonly issues: string,
  ) {
    super(`unexpected ${table} row: ${issues}`);
    this.name = 'StoreRowError';
  }
}

/** Column checks for the row schemas here and in the queries. */
export const int = z.number().int();
const flag = int.transform((value) => value === 1);
export const text = z.string();
export const nullableText = z.string().nullable();
export const nullableInt = int.nullable();
export const deliveryStatus = z.enum(['held', 'pending', 'sending', 'sent', 'failed', 'skipped', 'folded'] satisfies DeliveryStatus[]);
/** A JSON array of strings kept in a TEXT column (`what` names it in errors). */
export const jsonStrings = (what: string) =>
  z
    .string()
    .transform((json, context) => {
      try {
        return JSON.parse(json) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: `${what}: not JSON` });
        return z.NEVER;
      }
    })
    .pipe(z.array(z.string()));
const categories = jsonStrings('categories');

/** Checks `row` against `schema`, naming `table` in the StoreRowError it throws on a mismatch; returns the parsed row. */
export function checkRow<T>(schema: z.ZodType<T>, table: string, row: unknown): T {
  const result = schema.safeParse(row);
  if (!result.success) throw new StoreRowError(table, result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  return result.data;
}

/** The article columns every article query selects. */
export const ARTICLE_COLUMNS = ['id', 'feed_id', 'url', 'title', 'summary', 'author', 'site_name', 'image_url', 'published_at', 'first_seen_at', 'revision', 'categories'] as const;

const articleRow = z.object({
  id: text,
  feed_id: text,
  url: text,
  title: text,
  summary: text,
  author: nullableText,
  site_name: nullableText,
  image_url: nullableText,
  published_at: nullableInt,
  first_seen_at: int,
  revision: int,
  categories,
});

/** An articles row (ARTICLE_COLUMNS) → StoredArticle. Throws StoreRowError. */
export function toArticle(row: unknown): StoredArticle {
  const r = checkRow(articleRow, 'articles', row);
  return {
    id: r.id,
    feedId: r.feed_id,
    url: r.url,
    title: r.title,
    summary: r.summary,
    author: r.author,
    siteName: r.site_name,
    imageUrl: r.image_url,
    publishedAt: r.published_at,
    firstSeenAt: r.first_seen_at,
    revision: r.revision,
    categories: r.categories,
  };
}

/**
 * A JSON column's value: SQLite returns its text, PostgreSQL (JSONB) the parsed value. Text that is
 * not JSON is returned as it is, for the reader's validation to refuse; NULL and absent are null.
 */
export function json(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

const deliveryRow = z.object({
  id: int,
  article_id: text,
  target: text,
  status: deliveryStatus,
  attempts: int,
  next_attempt_at: int,
  last_error: nullableText,
  remote_id: nullableText,
  unknown_outcome: flag,
  options: z.unknown(),
  digest_id: nullableInt.optional(),
});

/** A deliveries row → Delivery. Throws StoreRowError. */
export function toDelivery(row: unknown): Delivery {
  const r = checkRow(deliveryRow, 'deliveries', row);
  return {
    id: r.id,
    articleId: r.article_id,
    target: r.target,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    remoteId: r.remote_id,
    unknownOutcome: r.unknown_outcome,
    options: json(r.options),
    digestId: r.digest_id ?? null,
  };
}

const digestRow = z.object({
  id: int,
  target: text,
  cause: z.enum(['pace', 'quiet', 'scheduled']),
  status: z.enum(['open', 'ready', 'sent', 'failed', 'skipped'] satisfies DigestStatus[]),
  due_at: int,
  since: int,
  options: z.unknown(),
  parts_sent: int,
  remote_id: nullableText,
  attempts: int,
  last_error: nullableText,
});

/** A digests row → Digest. Throws StoreRowError. */
export function toDigest(row: unknown): Digest {
  const r = checkRow(digestRow, 'digests', row);
  return {
    id: r.id,
    target: r.target,
    cause: r.cause,
    status: r.status,
    dueAt: r.due_at,
    since: r.since,
    options: json(r.options),
    partsSent: r.parts_sent,
    remoteId: r.remote_id,
    attempts: r.attempts,
    lastError: r.last_error,
  };
}

const feedStateRow = z.object({
  feed_id: text,
  etag: nullableText,
  last_modified: nullableText,
  initialized: flag,
  last_poll_at: nullableInt,
  last_success_at: nullableInt,
  failures: int,
  last_error: nullableText,
  held_until: nullableInt,
  read_url: nullableText,
  read_for: nullableText,
});

/** A feed_state row → FeedState (its lease columns are not part of it). Throws StoreRowError. */
export function toFeedState(row: unknown): FeedState {
  const r = checkRow(feedStateRow, 'feed_state', row);
  return {
    feedId: r.feed_id,
    etag: r.etag,
    lastModified: r.last_modified,
    initialized: r.initialized,
    lastPollAt: r.last_poll_at,
    lastSuccessAt: r.last_success_at,
    failures: r.failures,
    lastError: r.last_error,
    heldUntil: r.held_until,
    readUrl: r.read_url,
    readFor: r.read_for,
  };
}

/** The state of a feed never polled. */
export function emptyFeedState(feedId: string): FeedState {
  return { feedId, etag: null, lastModified: null, initialized: false, lastPollAt: null, lastSuccessAt: null, failures: 0, lastError: null, heldUntil: null, readUrl: null, readFor: null };
}

const discordFeedRow = z.object({
  id: text,
  url: text,
  every_ms: int,
  backfill: int,
  name: text,
  channel_id: text,
  paused: flag,
  added_by: nullableText,
  created_at: int,
  options: z.unknown(),
});

/** A discord_feeds row → DiscordFeed. Throws StoreRowError. */
export function toDiscordFeed(row: unknown): DiscordFeed {
  const r = checkRow(discordFeedRow, 'discord_feeds', row);
  return {
    id: r.id,
    url: r.url,
    everyMs: r.every_ms,
    backfill: r.backfill,
    name: r.name,
    channelId: r.channel_id,
    paused: r.paused,
    addedBy: r.added_by,
    createdAt: r.created_at,
    ...(r.options === null || r.options === undefined ? {} : { options: json(r.options) }),
  };
}

const approvalRow = z.object({
  article_id: text,
  channel: text,
  message_id: nullableText,
  status: z.enum(['held', 'approved', 'skipped']),
  expires_at: int,
  on_expiry: z.enum(['skip', 'post']),
  decided_by: nullableText,
  decided_at: nullableInt,
});

export function toApproval(row: unknown): Approval {
  const r = checkRow(approvalRow, 'approvals', row);
  return { articleId: r.article_id, channel: r.channel, messageId: r.message_id, status: r.status, expiresAt: r.expires_at, onExpiry: r.on_expiry, decidedBy: r.decided_by, decidedAt: r.decided_at };
}

/** Why a moderator's skip (or an expiry) left a delivery unsent, as /why shows it. */
export function skippedBy(by: string): string {
  return by === 'expiry' ? 'no moderator decided in time (approval expired)' : `skipped on the approval desk by ${by === 'dashboard' ? 'the dashboard' : `<@${by}>`}`;
}

/** A time in ms since the epoch that a Date can hold (ECMAScript §21.4.1.22: at most 8.64e15). */
const epochMs = int.min(0).max(8.64e15);
const pushKeys = z.object({ feed_id: text, hub: text, topic: text, callback_id: text, secret: text });
const pushRow = pushKeys.extend({
  state: z.enum(['requested', 'active', 'unsubscribing', 'refused', 'ended'] satisfies PushState[]),
  lease_until: epochMs.nullable(),
  requested_at: epochMs,
  last_push_at: epochMs.nullable(),
  last_error: nullableText,
});

/** How `lastError` begins for a subscription read back from a row that does not check: it counts as refused, to be asked again. */
export const UNREADABLE_PUSH_ROW = 'unreadable stored subscription';

/**
 * A push_subscriptions row → PushSubscription. A row whose keys (feed, hub, topic, callback,
 * secret) check but whose state or times do not (written by an earlier release) comes back
 * refused, asked for long ago, with its issues in `lastError` (starting with UNREADABLE_PUSH_ROW):
 * the feed is polled and its hub asked again. Throws StoreRowError when even its keys do not check.
 */
export function toPushSubscription(row: unknown): PushSubscription {
  const checked = pushRow.safeParse(row);
  if (!checked.success) {
    const keys = checkRow(pushKeys, 'push_subscriptions', row);
    const issues = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    return { feedId: keys.feed_id, hub: keys.hub, topic: keys.topic, callbackId: keys.callback_id, secret: keys.secret, state: 'refused', leaseUntil: null, requestedAt: 0, lastPushAt: null, lastError: `${UNREADABLE_PUSH_ROW}: ${issues}` };
  }
  const r = checked.data;
  return {
    feedId: r.feed_id,
    hub: r.hub,
    topic: r.topic,
    callbackId: r.callback_id,
    secret: r.secret,
    state: r.state,
    leaseUntil: r.lease_until,
    requestedAt: r.requested_at,
    lastPushAt: r.last_push_at,
    lastError: r.last_error,
  };
}

/** A PushSubscription → its push_subscriptions row, checked as it will be read back: nothing is written that could not be. Throws StoreRowError. */
export function pushRowOf(subscription: PushSubscription): z.infer<typeof pushRow> {
  return checkRow(pushRow, 'push_subscriptions', {
    feed_id: subscription.feedId,
    hub: subscription.hub,
    topic: subscription.topic,
    callback_id: subscription.callbackId,
    secret: subscription.secret,
    state: subscription.state,
    lease_until: subscription.leaseUntil,
    requested_at: subscription.requestedAt,
    last_push_at: subscription.lastPushAt,
    last_error: subscription.lastError,
  });
}
