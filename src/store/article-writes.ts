import { fixedStatement } from './compile-once.js';
import type { Db } from './statements.js';
import type { DeliveryStatus, EpochMs, NewDelivery, StoredArticle } from './store.js';

/**
 * A new article's rows on PostgreSQL in one statement: the article, its seen item, its deliveries
 * and its approval, each an INSERT in a data-modifying WITH query
 * (https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING). One statement
 * is one round trip and one implicit transaction: all its rows are written, or none. Its text never
 * changes (the deliveries go in as one array per column), so it is prepared once per connection.
 *
 * Every part sees the database as it was before the statement: the queue position (sort_at) of a
 * story recorded before is read from its first record, else it is the new article's. The foreign
 * keys of deliveries and approval on the article are checked at the end of the statement, when
 * the article is in. Deliveries get their ids in the order given (ORDER BY ord): a queue keeps
 * that order among articles of one time.
 */
const ADD_ARTICLE = `WITH input AS (
    SELECT * FROM unnest($14::text[], $15::text[], $16::text[], $17::jsonb[], $18::text[], $19::bigint[], $20::text[])
      WITH ORDINALITY AS i (target, status, reason, options, desk_channel, desk_expire_ms, desk_on_expiry, ord)
  ), article AS (
    INSERT INTO articles (id, feed_id, url, title, summary, author, site_name, image_url, published_at, first_seen_at, sort_at, categories)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint, $10::bigint, $11::bigint, $12)
      ON CONFLICT (id) DO NOTHING
  ), seen AS (
    INSERT INTO seen_items (feed_id, item_key, article_id, seen_at, url, content_hash)
      VALUES ($2, $21, $1, $13::bigint, $3, $22)
      ON CONFLICT DO NOTHING
  ), delivery AS (
    INSERT INTO deliveries (article_id, target, status, last_error, attempts, next_attempt_at, sort_at, created_at, updated_at, options)
      SELECT $1, target, status, reason, 0, $13::bigint, coalesce((SELECT sort_at FROM articles WHERE id = $1), $11::bigint), $13::bigint, $13::bigint, options
      FROM input ORDER BY ord
      ON CONFLICT (article_id, target) DO NOTHING
      RETURNING target, status
  ), approval AS (
    INSERT INTO approvals (article_id, channel, status, expires_at, on_expiry, created_at)
      SELECT $1, input.desk_channel, 'held', $13::bigint + input.desk_expire_ms, input.desk_on_expiry, $13::bigint
      FROM input JOIN delivery ON delivery.target = input.target AND delivery.status = 'held'
      ORDER BY input.ord LIMIT 1
      ON CONFLICT (article_id) DO NOTHING
  )
  SELECT target, status FROM delivery`;

/** A delivery's status as first recorded: skipped when a filter held it back, held for an approval desk, else pending. */
export function firstStatus(delivery: NewDelivery): DeliveryStatus {
  return delivery.heldBack !== undefined ? 'skipped' : delivery.approval ? 'held' : 'pending';
}

/**
 * Records a new article on PostgreSQL `db` as Articles.addArticle says, in one statement (see
 * ADD_ARTICLE). Returns the rows of the deliveries it inserted (target and status), in no
 * particular order; rejects with pg's error, having written nothing.
 */
export function addArticleStatement(): (db: Db, article: StoredArticle, item: { key: string; contentHash: string | null }, deliveries: readonly NewDelivery[], now: EpochMs) => Promise<unknown[]> {
  const statement = fixedStatement<unknown>(ADD_ARTICLE);
  return async (db, article, item, deliveries, now) => {
    const column = <T>(value: (delivery: NewDelivery) => T) => deliveries.map(value);
    const { rows } = await statement(db, [
      article.id,
      article.feedId,
      article.url,
      article.title,
      article.summary,
      article.author,
      article.siteName,
      article.imageUrl,
      article.publishedAt,
      article.firstSeenAt,
      article.publishedAt ?? article.firstSeenAt,
      JSON.stringify(article.categories ?? []),
      now,
      column((delivery) => delivery.target),
      column(firstStatus),
      column((delivery) => delivery.heldBack ?? null),
      column((delivery) => JSON.stringify(delivery.options)),
      column((delivery) => delivery.approval?.channel ?? null),
      column((delivery) => delivery.approval?.expireMs ?? null),
      column((delivery) => delivery.approval?.onExpiry ?? null),
      item.key,
      item.contentHash,
    ]);
    return rows;
  };
}
