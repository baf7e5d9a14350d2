import type { Delivery, DeliveryStatus, DiscordFeed, FeedState, StoredArticle } from './store.js';

/**
 * Database rows → Herald's types, for both backends. Numbers go through Number(): SQLite returns
 * numbers, PostgreSQL returns BIGINT columns as strings.
 */
export type Row = Record<string, unknown>;

const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export const ARTICLE_COLUMNS = 'a.id, a.feed_id, a.url, a.title, a.summary, a.author, a.site_name, a.image_url, a.published_at, a.first_seen_at, a.revision, a.categories';

export function toArticle(row: Row): StoredArticle {
  return {
    id: row.id as string,
    feedId: row.feed_id as string,
    url: row.url as string,
    title: row.title as string,
    summary: row.summary as string,
    author: row.author as string | null,
    siteName: row.site_name as string | null,
    imageUrl: row.image_url as string | null,
    publishedAt: numOrNull(row.published_at),
    firstSeenAt: num(row.first_seen_at),
    revision: num(row.revision),
    categories: JSON.parse((row.categories as string | undefined) ?? '[]') as string[],
  };
}

/**
 * A JSON column's value: SQLite returns its text, PostgreSQL (JSONB) the parsed value. Text that is
 * not JSON is returned as it is, for the reader's validation to refuse; NULL and absent are null.
 */
function json(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export function toDelivery(row: Row): Delivery {
  return {
    id: num(row.id),
    articleId: row.article_id as string,
    target: row.target as string,
    status: row.status as DeliveryStatus,
    attempts: num(row.attempts),
    nextAttemptAt: num(row.next_attempt_at),
    lastError: row.last_error as string | null,
    remoteId: row.remote_id as string | null,
    unknownOutcome: num(row.unknown_outcome) === 1,
    options: json(row.options),
  };
}

export function toFeedState(row: Row): FeedState {
  return {
    feedId: row.feed_id as string,
    etag: row.etag as string | null,
    lastModified: row.last_modified as string | null,
    initialized: num(row.initialized) === 1,
    lastPollAt: numOrNull(row.last_poll_at),
    lastSuccessAt: numOrNull(row.last_success_at),
    failures: num(row.failures),
    lastError: row.last_error as string | null,
  };
}

export function emptyFeedState(feedId: string): FeedState {
  return { feedId, etag: null, lastModified: null, initialized: false, lastPollAt: null, lastSuccessAt: null, failures: 0, lastError: null };
}

export function toDiscordFeed(row: Row): DiscordFeed {
  return {
    id: row.id as string,
    url: row.url as string,
    everyMs: num(row.every_ms),
    backfill: num(row.backfill),
    name: row.name as string,
    channelId: row.channel_id as string,
    paused: num(row.paused) === 1,
    addedBy: row.added_by as string | null,
    createdAt: num(row.created_at),
  };
}

export { num, numOrNull };
