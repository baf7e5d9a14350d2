import pg from 'pg';
import type { DeliveryJob, DeliveryStatus, Store, StoredArticle } from './store.js';
import { ARTICLE_COLUMNS, num, numOrNull, toArticle, toDelivery, toDiscordFeed, toFeedState, type Row } from './rows.js';
import { MIGRATIONS, searchWords } from './migrations.js';

/** Any constant shared by Herald processes: the advisory lock that elects the gateway holder. */
const GATEWAY_LOCK = 7_245_001;
const MIGRATION_LOCK = 7_245_002;
/** The head of each target's queue: its earliest unfinished delivery in publication order. */
const QUEUE_HEADS = `SELECT DISTINCT ON (target) * FROM deliveries WHERE status IN ('pending', 'sending') ORDER BY target, sort_at, id`;

/**
 * The store on PostgreSQL: the same interface and schema versions as SQLite, shared by several
 * Herald processes. Leases in the database decide which process polls a feed and which sends a
 * target's queue; an advisory lock decides which one holds the Discord gateway.
 */
export async function openPostgresStore(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => undefined); // an idle client's error surfaces on its next query
  const query = async (sql: string, params: unknown[] = []): Promise<Row[]> => (await pool.query(sql, params)).rows as Row[];

  async function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  await migrate(pool);
  let gatewayClient: pg.PoolClient | null = null;

  async function articleById(id: string): Promise<StoredArticle> {
    return toArticle((await query(`SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE a.id = $1`, [id]))[0]!);
  }
  async function jobs(rows: Row[]): Promise<DeliveryJob[]> {
    return Promise.all(rows.map(async (row) => ({ delivery: toDelivery(row), article: await articleById(row.article_id as string) })));
  }

  return {
    async saveFeedState(state) {
      await query(
        `INSERT INTO feed_state (feed_id, etag, last_modified, initialized, last_poll_at, last_success_at, failures, last_error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (feed_id) DO UPDATE SET etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified, initialized = EXCLUDED.initialized,
           last_poll_at = EXCLUDED.last_poll_at, last_success_at = EXCLUDED.last_success_at, failures = EXCLUDED.failures, last_error = EXCLUDED.last_error`,
        [state.feedId, state.etag, state.lastModified, state.initialized ? 1 : 0, state.lastPollAt, state.lastSuccessAt, state.failures, state.lastError],
      );
    },
    async unseenKeys(feedId, keys) {
      if (keys.length === 0) return [];
      const seen = new Set((await query('SELECT item_key FROM seen_items WHERE feed_id = $1 AND item_key = ANY($2)', [feedId, keys])).map((row) => row.item_key as string));
      return keys.filter((key) => !seen.has(key));
    },
    async markSeen(feedId, items, at) {
      if (items.length === 0) return;
      await query(
        `INSERT INTO seen_items (feed_id, item_key, article_id, seen_at, url, content_hash)
         SELECT $1, key, NULL, $2, url, hash FROM UNNEST($3::text[], $4::text[], $5::text[]) AS t (key, url, hash)
         ON CONFLICT DO NOTHING`,
        [feedId, at, items.map((i) => i.key), items.map((i) => i.url), items.map((i) => i.contentHash ?? null)],
      );
    },
    async seenItems(feedId, keys) {
      const found = new Map<string, { contentHash: string | null; articleId: string | null }>();
      if (keys.length === 0) return found;
      for (const row of await query('SELECT item_key, content_hash, article_id FROM seen_items WHERE feed_id = $1 AND item_key = ANY($2)', [feedId, keys])) {
        found.set(row.item_key as string, { contentHash: row.content_hash as string | null, articleId: row.article_id as string | null });
      }
      return found;
    },
    async setContentHash(feedId, key, contentHash) {
      await query('UPDATE seen_items SET content_hash = $1 WHERE feed_id = $2 AND item_key = $3', [contentHash, feedId, key]);
    },
    async reviseArticle(articleId, changes) {
      const rows = await query('UPDATE articles SET title = $1, summary = $2, revision = revision + 1 WHERE id = $3 AND (title <> $1 OR summary <> $2) RETURNING id', [changes.title, changes.summary, articleId]);
      return rows.length > 0;
    },
    async dueEdits(now) {
      const rows = await query(
        `SELECT DISTINCT ON (d.target) d.* FROM deliveries d JOIN articles a ON a.id = d.article_id
         WHERE d.status = 'sent' AND d.remote_id IS NOT NULL AND d.posted_revision < a.revision AND d.next_attempt_at <= $1
         ORDER BY d.target, d.id`,
        [now],
      );
      return jobs(rows);
    },
    async markEdited(id, revision, now) {
      await query('UPDATE deliveries SET posted_revision = $1, last_error = NULL, updated_at = $2 WHERE id = $3', [revision, now, id]);
    },
    async markEditRetry(id, error, nextAttemptAt, now) {
      await query('UPDATE deliveries SET last_error = $1, next_attempt_at = $2, updated_at = $3 WHERE id = $4', [error, nextAttemptAt, now, id]);
    },
    async fillDeliveryOptions(optionsOf) {
      const pairs = await query('SELECT DISTINCT a.feed_id, d.target FROM deliveries d JOIN articles a ON a.id = d.article_id WHERE d.options IS NULL');
      let updated = 0;
      for (const { feed_id: feedId, target } of pairs) {
        const rows = await query(
          'UPDATE deliveries SET options = $1::jsonb WHERE options IS NULL AND target = $2 AND article_id IN (SELECT id FROM articles WHERE feed_id = $3) RETURNING id',
          [JSON.stringify(optionsOf(feedId as string, target as string)), target, feedId],
        );
        updated += rows.length;
      }
      return updated;
    },
    async addArticle(article, item, deliveries, now) {
      return transaction(async (client) => {
        const sortAt = article.publishedAt ?? article.firstSeenAt;
        await client.query(
          `INSERT INTO articles (id, feed_id, url, title, summary, author, site_name, image_url, published_at, first_seen_at, sort_at, categories)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
          [article.id, article.feedId, article.url, article.title, article.summary, article.author, article.siteName, article.imageUrl, article.publishedAt, article.firstSeenAt, sortAt, JSON.stringify(article.categories ?? [])],
        );
        await client.query(
          'INSERT INTO seen_items (feed_id, item_key, article_id, seen_at, url, content_hash) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
          [article.feedId, item.key, article.id, now, article.url, item.contentHash],
        );
        const storedSortAt = num((await client.query('SELECT sort_at FROM articles WHERE id = $1', [article.id])).rows[0].sort_at);
        const created: string[] = [];
        for (const { target, options, heldBack } of deliveries) {
          const inserted = await client.query(
            `INSERT INTO deliveries (article_id, target, status, attempts, next_attempt_at, sort_at, created_at, updated_at, options, last_error)
             VALUES ($1, $2, $6, 0, $3, $4, $3, $3, $5::jsonb, $7) ON CONFLICT (article_id, target) DO NOTHING RETURNING id`,
            [article.id, target, now, storedSortAt, JSON.stringify(options), heldBack ? 'skipped' : 'pending', heldBack ?? null],
          );
          if (inserted.rowCount && !heldBack) created.push(target);
        }
        return created;
      });
    },
    async searchArticles(text, options) {
      const words = searchWords(text);
      if (words.length === 0) return [];
      const tsquery = words.map((word) => `${word}:*`).join(' & ');
      const rows = await query(
        `SELECT ${ARTICLE_COLUMNS} FROM articles a, to_tsquery('simple', $1) q
         WHERE a.search @@ q AND ($2::text IS NULL OR a.feed_id = $2) AND ($3::bigint IS NULL OR a.sort_at >= $3)
         ORDER BY round(ts_rank(a.search, q)::numeric, 6) DESC, a.sort_at DESC LIMIT $4`,
        [tsquery, options.feedId ?? null, options.since ?? null, options.limit],
      );
      return rows.map(toArticle);
    },
    async urlHistory(url) {
      const seen = await query('SELECT feed_id, seen_at, article_id FROM seen_items WHERE url = $1 ORDER BY seen_at', [url]);
      const byUrl = (await query(`SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE a.url = $1`, [url]))[0];
      const articleId = (byUrl?.id as string | undefined) ?? (seen.find((row) => row.article_id)?.article_id as string | undefined);
      const article = byUrl ? toArticle(byUrl) : articleId ? await articleById(articleId) : null;
      return {
        seen: seen.map((row) => ({ feedId: row.feed_id as string, seenAt: num(row.seen_at), posted: row.article_id !== null })),
        article,
        deliveries: article ? (await query('SELECT * FROM deliveries WHERE article_id = $1 ORDER BY id', [article.id])).map(toDelivery) : [],
      };
    },
    async feedStates() {
      return (await query('SELECT * FROM feed_state ORDER BY feed_id')).map(toFeedState);
    },
    async failedDeliveries(limit) {
      return jobs(await query(`SELECT * FROM deliveries WHERE status IN ('failed', 'skipped') ORDER BY updated_at DESC LIMIT $1`, [limit]));
    },
    async discordFeeds() {
      return (await query('SELECT * FROM discord_feeds ORDER BY id')).map(toDiscordFeed);
    },
    async addDiscordFeed(feed) {
      const rows = await query(
        `INSERT INTO discord_feeds (id, url, every_ms, backfill, name, channel_id, paused, added_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [feed.id, feed.url, feed.everyMs, feed.backfill, feed.name, feed.channelId, feed.paused ? 1 : 0, feed.addedBy, feed.createdAt],
      );
      return rows.length > 0;
    },
    async removeDiscordFeed(id) {
      return (await query('DELETE FROM discord_feeds WHERE id = $1 RETURNING id', [id])).length > 0;
    },
    async setDiscordFeedPaused(id, paused) {
      return (await query('UPDATE discord_feeds SET paused = $1 WHERE id = $2 RETURNING id', [paused ? 1 : 0, id])).length > 0;
    },
    async dueDeliveries(now) {
      return jobs(await query(`SELECT * FROM (${QUEUE_HEADS}) heads WHERE next_attempt_at <= $1`, [now]));
    },
    async queueHeads() {
      return jobs(await query(QUEUE_HEADS));
    },
    async nextDueAt() {
      return numOrNull((await query(`SELECT MIN(next_attempt_at) AS next FROM deliveries WHERE status = 'pending'`))[0]?.next);
    },
    async markSending(id, now) {
      await query(`UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = $1 WHERE id = $2`, [now, id]);
    },
    async markSent(id, remoteId, now) {
      await query(
        `UPDATE deliveries SET status = 'sent', remote_id = $1, last_error = NULL, updated_at = $2,
           posted_revision = (SELECT revision FROM articles WHERE articles.id = deliveries.article_id) WHERE id = $3`,
        [remoteId, now, id],
      );
    },
    async markRetry(id, error, nextAttemptAt, unknownOutcome, now) {
      await query(`UPDATE deliveries SET status = 'pending', last_error = $1, next_attempt_at = $2, unknown_outcome = $3, updated_at = $4 WHERE id = $5`, [error, nextAttemptAt, unknownOutcome ? 1 : 0, now, id]);
    },
    async markFailed(id, error, now) {
      await query(`UPDATE deliveries SET status = 'failed', last_error = $1, updated_at = $2 WHERE id = $3`, [error, now, id]);
    },
    async markSkipped(id, reason, now) {
      await query(`UPDATE deliveries SET status = 'skipped', last_error = $1, updated_at = $2 WHERE id = $3`, [reason, now, id]);
    },
    async unfinishedFor(target) {
      return jobs(await query(`SELECT * FROM deliveries WHERE target = $1 AND status IN ('pending', 'sending') ORDER BY sort_at, id`, [target]));
    },
    async xUsage(periods) {
      const usage = new Map<string, { posts: number; usd: number }>(periods.map((period) => [period, { posts: 0, usd: 0 }]));
      for (const row of await query('SELECT period, posts, usd FROM x_usage WHERE period = ANY($1)', [periods])) {
        usage.set(row.period as string, { posts: num(row.posts), usd: num(row.usd) });
      }
      return usage;
    },
    async recordXUsage(periods, posts, usd) {
      await query(
        `INSERT INTO x_usage (period, posts, usd) SELECT period, $2, $3 FROM UNNEST($1::text[]) AS t (period)
         ON CONFLICT (period) DO UPDATE SET posts = x_usage.posts + EXCLUDED.posts, usd = x_usage.usd + EXCLUDED.usd`,
        [periods, posts, usd],
      );
    },
    async interruptedDeliveries(target) {
      return (await query(`SELECT * FROM deliveries WHERE status = 'sending' AND ($1::text IS NULL OR target = $1) ORDER BY id`, [target ?? null])).map(toDelivery);
    },
    async recentArticles(limit, feedId, offset = 0) {
      const rows = await query(
        `SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE ($1::text IS NULL OR a.feed_id = $1) ORDER BY a.sort_at DESC, a.first_seen_at DESC LIMIT $2 OFFSET $3`,
        [feedId ?? null, limit, offset],
      );
      return rows.map(toArticle);
    },
    async deliveryCounts() {
      const counts: Record<DeliveryStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0, skipped: 0 };
      for (const row of await query('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status')) counts[row.status as DeliveryStatus] = num(row.n);
      return counts;
    },
    async getMeta(key) {
      return ((await query('SELECT value FROM meta WHERE key = $1', [key]))[0]?.value as string | undefined) ?? null;
    },
    async setMeta(key, value) {
      await query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, value]);
    },
    async claimFeed(feedId, owner, now, until) {
      const rows = await query(
        `INSERT INTO feed_state (feed_id, lease_owner, lease_until) VALUES ($1, $2, $4)
         ON CONFLICT (feed_id) DO UPDATE SET lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until
           WHERE feed_state.lease_owner IS NULL OR feed_state.lease_owner = $2 OR feed_state.lease_until < $3
         RETURNING *`,
        [feedId, owner, now, until],
      );
      return rows[0] ? toFeedState(rows[0]) : null;
    },
    async claimTargets(owner, now, until) {
      return transaction(async (client) => {
        const candidates = (await client.query(`SELECT DISTINCT target FROM deliveries WHERE status IN ('pending', 'sending')`)).rows.map((row: Row) => row.target as string);
        if (candidates.length === 0) return { held: [], takenOver: [] };
        // Lock existing leases so two processes cannot both see one as expired.
        const previous = new Map<string, string>(
          (await client.query('SELECT target, owner FROM target_leases WHERE target = ANY($1) FOR UPDATE', [candidates])).rows.map((row: Row) => [row.target as string, row.owner as string]),
        );
        const won = (
          await client.query(
            `INSERT INTO target_leases (target, owner, lease_until) SELECT target, $2, $4 FROM UNNEST($1::text[]) AS t (target)
             ON CONFLICT (target) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
               WHERE target_leases.owner = $2 OR target_leases.lease_until < $3
             RETURNING target`,
            [candidates, owner, now, until],
          )
        ).rows.map((row: Row) => row.target as string);
        return { held: won, takenOver: won.filter((target) => previous.get(target) !== owner) };
      });
    },
    async releaseLeases(owner) {
      await query('DELETE FROM target_leases WHERE owner = $1', [owner]);
      await query('UPDATE feed_state SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1', [owner]);
      await query('DELETE FROM workers WHERE owner = $1', [owner]);
    },
    async releaseFeed(feedId, owner) {
      await query('UPDATE feed_state SET lease_owner = NULL, lease_until = NULL WHERE feed_id = $1 AND lease_owner = $2', [feedId, owner]);
    },
    async heartbeat(owner, now, liveSince) {
      await query('INSERT INTO workers (owner, seen_at) VALUES ($1, $2) ON CONFLICT (owner) DO UPDATE SET seen_at = EXCLUDED.seen_at', [owner, now]);
      // Rows of processes long gone are cleared by whoever is alive.
      await query('DELETE FROM workers WHERE seen_at < $1', [liveSince - 3_600_000]);
      return (await query('SELECT owner FROM workers WHERE seen_at >= $1 ORDER BY owner', [liveSince])).map((row) => row.owner as string);
    },
    async tryGatewayLock() {
      if (gatewayClient) return true;
      const client = await pool.connect();
      const { rows } = await client.query('SELECT pg_try_advisory_lock($1) AS locked', [GATEWAY_LOCK]);
      if (rows[0].locked) {
        // The lock lives as long as this session: a killed process's connection drops, and with it the lock.
        gatewayClient = client;
        return true;
      }
      client.release();
      return false;
    },
    async close() {
      gatewayClient?.release();
      gatewayClient = null;
      await pool.end();
    },
  };
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // Several processes may start at once: one migrates, the others wait for it.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((row: Row) => num(row.version)));
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.postgres);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [migration.version, Date.now()]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
