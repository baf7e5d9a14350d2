import { z } from 'zod';
import type { Backend } from './bulk.js';
import { fixedStatement } from './compile-once.js';
import { checkRow, deliveryStatus, text } from './rows.js';
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

/** A new article's rows on SQLite, in one transaction: its article, its seen item, its deliveries (one statement, in the order given, each at the story's first queue position), its approval. */
const SQLITE_ARTICLE = `INSERT INTO articles (id, feed_id, url, title, summary, author, site_name, image_url, published_at, first_seen_at, sort_at, categories)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;
const SQLITE_SEEN = 'INSERT INTO seen_items (feed_id, item_key, article_id, seen_at, url, content_hash) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING';
// WHERE true: SQLite's parser needs it between a SELECT and ON CONFLICT (sqlite.org/lang_upsert.html, "Parsing Ambiguity").
const SQLITE_DELIVERIES = `INSERT INTO deliveries (article_id, target, status, last_error, attempts, next_attempt_at, sort_at, created_at, updated_at, options)
  SELECT ?, value ->> 0, value ->> 1, value ->> 2, 0, ?, (SELECT sort_at FROM articles WHERE id = ?), ?, ?, value ->> 3 FROM json_each(?) WHERE true ORDER BY key
  ON CONFLICT (article_id, target) DO NOTHING
  RETURNING target, status`;
const SQLITE_APPROVAL = `INSERT INTO approvals (article_id, channel, status, expires_at, on_expiry, created_at) VALUES (?, ?, 'held', ?, ?, ?) ON CONFLICT (article_id) DO NOTHING`;

/** A delivery's status as first recorded: skipped when a filter held it back, held for an approval desk, else pending. */
function firstStatus(delivery: NewDelivery): DeliveryStatus {
  return delivery.heldBack !== undefined ? 'skipped' : delivery.approval ? 'held' : 'pending';
}

const insertedRow = z.object({ target: text, status: deliveryStatus });

/** Records one new article (see Articles.addArticle) and returns the deliveries it inserted, target and status, in no particular order. */
type ArticleWrite = (db: Db, article: StoredArticle, item: { key: string; contentHash: string | null }, deliveries: readonly NewDelivery[], now: EpochMs) => Promise<Array<z.infer<typeof insertedRow>>>;

/** The article's columns in the order of the INSERTs above: the story keeps its first queue position (sort_at), its publication else first sight. */
function articleValues(article: StoredArticle): unknown[] {
  const { id, feedId, url, title, summary, author, siteName, imageUrl, publishedAt, firstSeenAt } = article;
  return [id, feedId, url, title, summary, author, siteName, imageUrl, publishedAt, firstSeenAt, publishedAt ?? firstSeenAt, JSON.stringify(article.categories ?? [])];
}

/**
 * How `backend` records a new article's rows, all or none: PostgreSQL in one statement (one round
 * trip, see ADD_ARTICLE), SQLite in one transaction of fixed statements. The approval goes to the
 * first desk, in the order given, among the held deliveries inserted. Rejects with the driver's error,
 * having written nothing, or with a StoreRowError for a row it did not write.
 */
export function articleWrite(backend: Backend): ArticleWrite {
  if (backend === 'postgres') {
    const statement = fixedStatement<unknown>(ADD_ARTICLE);
    return async (db, article, item, deliveries, now) => {
      const column = <T>(value: (delivery: NewDelivery) => T) => deliveries.map(value);
      const { rows } = await statement(db, [
        ...articleValues(article),
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
      return rows.map((row) => checkRow(insertedRow, 'deliveries', row));
    };
  }
  const [insertArticle, insertSeen, insertDeliveries, insertApproval] = [SQLITE_ARTICLE, SQLITE_SEEN, SQLITE_DELIVERIES, SQLITE_APPROVAL].map((text) => fixedStatement<unknown>(text));
  return (db, article, item, deliveries, now) =>
    db.transaction().execute(async (trx) => {
      await insertArticle!(trx, articleValues(article));
      await insertSeen!(trx, [article.feedId, item.key, article.id, now, article.url, item.contentHash]);
      if (deliveries.length === 0) return [];
      const rows = JSON.stringify(deliveries.map((delivery) => [delivery.target, firstStatus(delivery), delivery.heldBack ?? null, JSON.stringify(delivery.options)]));
      const inserted = (await insertDeliveries!(trx, [article.id, now, article.id, now, now, rows])).rows.map((row) => checkRow(insertedRow, 'deliveries', row));
      const held = new Set(inserted.filter((row) => row.status === 'held').map((row) => row.target));
      const desk = deliveries.find((delivery) => delivery.approval && held.has(delivery.target))?.approval;
      if (desk) await insertApproval!(trx, [article.id, desk.channel, now + desk.expireMs, desk.onExpiry, now]);
      return inserted;
    });
}
