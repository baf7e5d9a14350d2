import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { DeliveryJob, DeliveryStatus, NewDelivery, Store, StoredArticle } from './store.js';
import { ARTICLE_COLUMNS, emptyFeedState, toArticle, toDelivery, toDiscordFeed, toFeedState, type Row } from './rows.js';
import { MIGRATIONS, searchWords } from './migrations.js';

/**
 * A safe FTS5 query from what a user typed: every word quoted (so FTS syntax characters are
 * just text) and matched as a prefix, all words required. Null when nothing searchable remains.
 */
function ftsQuery(input: string): string | null {
  const words = searchWords(input);
  return words.length === 0 ? null : words.map((word) => `"${word}"*`).join(' ');
}


/** Opens (creating and migrating) a SQLite database; `path` ':memory:' keeps everything in memory. */
export function openSqliteStore(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const statements = {
    feedState: db.prepare('SELECT * FROM feed_state WHERE feed_id = ?'),
    saveFeedState: db.prepare(`INSERT INTO feed_state (feed_id, etag, last_modified, initialized, last_poll_at, last_success_at, failures, last_error)
      VALUES (@feedId, @etag, @lastModified, @initialized, @lastPollAt, @lastSuccessAt, @failures, @lastError)
      ON CONFLICT (feed_id) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, initialized = excluded.initialized,
        last_poll_at = excluded.last_poll_at, last_success_at = excluded.last_success_at, failures = excluded.failures, last_error = excluded.last_error`),
    isSeen: db.prepare('SELECT 1 FROM seen_items WHERE feed_id = ? AND item_key = ?').pluck(),
    markSeen: db.prepare('INSERT OR IGNORE INTO seen_items (feed_id, item_key, article_id, seen_at, url, content_hash) VALUES (?, ?, ?, ?, ?, ?)'),
    seenItem: db.prepare('SELECT content_hash, article_id FROM seen_items WHERE feed_id = ? AND item_key = ?'),
    setContentHash: db.prepare('UPDATE seen_items SET content_hash = ? WHERE feed_id = ? AND item_key = ?'),
    revise: db.prepare('UPDATE articles SET title = ?, summary = ?, revision = revision + 1 WHERE id = ? AND (title <> ? OR summary <> ?)'),
    editHeads: db.prepare(`SELECT d.* FROM deliveries d JOIN articles a ON a.id = d.article_id
      WHERE d.status = 'sent' AND d.remote_id IS NOT NULL AND d.posted_revision < a.revision AND d.next_attempt_at <= ?
      ORDER BY d.target, d.id`),
    markEdited: db.prepare('UPDATE deliveries SET posted_revision = ?, last_error = NULL, updated_at = ? WHERE id = ?'),
    markEditRetry: db.prepare('UPDATE deliveries SET last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?'),
    insertArticle: db.prepare(`INSERT OR IGNORE INTO articles (id, feed_id, url, title, summary, author, site_name, image_url, published_at, first_seen_at, sort_at, categories)
      VALUES (@id, @feedId, @url, @title, @summary, @author, @siteName, @imageUrl, @publishedAt, @firstSeenAt, @sortAt, @categories)`),
    articleSortAt: db.prepare('SELECT sort_at FROM articles WHERE id = ?').pluck(),
    insertDelivery: db.prepare(`INSERT OR IGNORE INTO deliveries (article_id, target, status, attempts, next_attempt_at, sort_at, created_at, updated_at, options, last_error)
      VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`),
    withoutOptions: db.prepare(`SELECT DISTINCT a.feed_id, d.target FROM deliveries d JOIN articles a ON a.id = d.article_id WHERE d.options IS NULL`),
    fillOptions: db.prepare(`UPDATE deliveries SET options = ? WHERE options IS NULL AND target = ? AND article_id IN (SELECT id FROM articles WHERE feed_id = ?)`),
    // The head of each target's queue: its earliest unfinished delivery in publication order.
    heads: db.prepare(`SELECT d.* FROM deliveries d
      WHERE d.status IN ('pending', 'sending') AND d.id = (
        SELECT d2.id FROM deliveries d2 WHERE d2.target = d.target AND d2.status IN ('pending', 'sending')
        ORDER BY d2.sort_at, d2.id LIMIT 1)`),
    article: db.prepare(`SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE a.id = ?`),
    nextDue: db.prepare(`SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'`).pluck(),
    markSending: db.prepare(`UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?`),
    // The message shows the article as it is now: record that revision as posted.
    markSent: db.prepare(`UPDATE deliveries SET status = 'sent', remote_id = ?, last_error = NULL, updated_at = ?,
      posted_revision = (SELECT revision FROM articles WHERE articles.id = deliveries.article_id) WHERE id = ?`),
    markRetry: db.prepare(`UPDATE deliveries SET status = 'pending', last_error = ?, next_attempt_at = ?, unknown_outcome = ?, updated_at = ? WHERE id = ?`),
    markFailed: db.prepare(`UPDATE deliveries SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ?`),
    interrupted: db.prepare(`SELECT * FROM deliveries WHERE status = 'sending' AND (@target IS NULL OR target = @target) ORDER BY id`),
    unfinishedTargets: db.prepare(`SELECT DISTINCT target FROM deliveries WHERE status IN ('pending', 'sending')`).pluck(),
    recent: db.prepare(`SELECT ${ARTICLE_COLUMNS} FROM articles a ORDER BY a.sort_at DESC, a.first_seen_at DESC LIMIT ? OFFSET ?`),
    recentForFeed: db.prepare(`SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE a.feed_id = ? ORDER BY a.sort_at DESC, a.first_seen_at DESC LIMIT ? OFFSET ?`),
    search: db.prepare(`SELECT ${ARTICLE_COLUMNS} FROM articles_fts f JOIN articles a ON a.rowid = f.rowid
      WHERE articles_fts MATCH @query AND (@feedId IS NULL OR a.feed_id = @feedId) AND (@since IS NULL OR a.sort_at >= @since)
      ORDER BY round(bm25(articles_fts), 6), a.sort_at DESC LIMIT @limit`),
    seenByUrl: db.prepare('SELECT feed_id, seen_at, article_id FROM seen_items WHERE url = ? ORDER BY seen_at'),
    articleByUrl: db.prepare(`SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE a.url = ?`),
    deliveriesOf: db.prepare('SELECT * FROM deliveries WHERE article_id = ? ORDER BY id'),
    feedStates: db.prepare('SELECT * FROM feed_state ORDER BY feed_id'),
    failed: db.prepare(`SELECT * FROM deliveries WHERE status IN ('failed', 'skipped') ORDER BY updated_at DESC LIMIT ?`),
    discordFeeds: db.prepare('SELECT * FROM discord_feeds ORDER BY id'),
    addDiscordFeed: db.prepare(`INSERT OR IGNORE INTO discord_feeds (id, url, every_ms, backfill, name, channel_id, paused, added_by, created_at)
      VALUES (@id, @url, @everyMs, @backfill, @name, @channelId, @paused, @addedBy, @createdAt)`),
    removeDiscordFeed: db.prepare('DELETE FROM discord_feeds WHERE id = ?'),
    pauseDiscordFeed: db.prepare('UPDATE discord_feeds SET paused = ? WHERE id = ?'),
    counts: db.prepare('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status'),
    markSkipped: db.prepare(`UPDATE deliveries SET status = 'skipped', last_error = ?, updated_at = ? WHERE id = ?`),
    unfinishedFor: db.prepare(`SELECT * FROM deliveries WHERE target = ? AND status IN ('pending', 'sending') ORDER BY sort_at, id`),
    xUsage: db.prepare('SELECT posts, usd FROM x_usage WHERE period = ?'),
    recordXUsage: db.prepare('INSERT INTO x_usage (period, posts, usd) VALUES (?, ?, ?) ON CONFLICT (period) DO UPDATE SET posts = posts + excluded.posts, usd = usd + excluded.usd'),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
  };

  const seenTargets = new Set<string>();
  const jobOf = (row: Row): DeliveryJob => ({ delivery: toDelivery(row), article: toArticle(statements.article.get(row.article_id) as Row) });
  const markSeenMany = db.transaction((feedId: string, items: Array<{ key: string; url: string | null; contentHash?: string | null }>, at: number) => {
    for (const item of items) statements.markSeen.run(feedId, item.key, null, at, item.url, item.contentHash ?? null);
  });

  const addArticle = db.transaction((article: StoredArticle, item: { key: string; contentHash: string | null }, deliveries: NewDelivery[], now: number): string[] => {
    const { revision: _revision, ...columns } = article;
    statements.insertArticle.run({ ...columns, categories: JSON.stringify(article.categories ?? []), sortAt: article.publishedAt ?? article.firstSeenAt });
    statements.markSeen.run(article.feedId, item.key, article.id, now, article.url, item.contentHash);
    const sortAt = statements.articleSortAt.get(article.id) as number;
    return deliveries
      .filter(({ target, options, heldBack }) => statements.insertDelivery.run(article.id, target, heldBack ? 'skipped' : 'pending', now, sortAt, now, now, JSON.stringify(options), heldBack ?? null).changes > 0 && !heldBack)
      .map(({ target }) => target);
  });
  const fillDeliveryOptions = db.transaction((pairs: Array<{ feedId: string; target: string; options: string }>): number =>
    pairs.reduce((updated, { feedId, target, options }) => updated + statements.fillOptions.run(options, target, feedId).changes, 0),
  );

  return {
    async saveFeedState(state) {
      statements.saveFeedState.run({ ...state, initialized: state.initialized ? 1 : 0 });
    },
    async unseenKeys(feedId, keys) {
      return keys.filter((key) => !statements.isSeen.get(feedId, key));
    },
    async markSeen(feedId, items, at) {
      markSeenMany(feedId, items, at);
    },
    async addArticle(article, item, deliveries, now) {
      return addArticle(article, item, deliveries, now);
    },
    async fillDeliveryOptions(optionsOf) {
      const pairs = statements.withoutOptions.all() as Array<{ feed_id: string; target: string }>;
      return fillDeliveryOptions(pairs.map(({ feed_id: feedId, target }) => ({ feedId, target, options: JSON.stringify(optionsOf(feedId, target)) })));
    },
    async seenItems(feedId, keys) {
      const found = new Map<string, { contentHash: string | null; articleId: string | null }>();
      for (const key of keys) {
        const row = statements.seenItem.get(feedId, key) as { content_hash: string | null; article_id: string | null } | undefined;
        if (row) found.set(key, { contentHash: row.content_hash, articleId: row.article_id });
      }
      return found;
    },
    async setContentHash(feedId, key, contentHash) {
      statements.setContentHash.run(contentHash, feedId, key);
    },
    async reviseArticle(articleId, changes) {
      return statements.revise.run(changes.title, changes.summary, articleId, changes.title, changes.summary).changes > 0;
    },
    async dueEdits(now) {
      const perTarget = new Map<string, Row>();
      for (const row of statements.editHeads.all(now) as Row[]) if (!perTarget.has(row.target as string)) perTarget.set(row.target as string, row);
      return [...perTarget.values()].map(jobOf);
    },
    async markEdited(id, revision, now) {
      statements.markEdited.run(revision, now, id);
    },
    async markEditRetry(id, error, nextAttemptAt, now) {
      statements.markEditRetry.run(error, nextAttemptAt, now, id);
    },
    async dueDeliveries(now) {
      return (statements.heads.all() as Row[]).filter((row) => Number(row.next_attempt_at) <= now).map(jobOf);
    },
    async queueHeads() {
      return (statements.heads.all() as Row[]).map(jobOf);
    },
    async nextDueAt() {
      return (statements.nextDue.get() as number | null) ?? null;
    },
    async markSending(id, now) {
      statements.markSending.run(now, id);
    },
    async markSent(id, remoteId, now) {
      statements.markSent.run(remoteId, now, id);
    },
    async markRetry(id, error, nextAttemptAt, unknownOutcome, now) {
      statements.markRetry.run(error, nextAttemptAt, unknownOutcome ? 1 : 0, now, id);
    },
    async markFailed(id, error, now) {
      statements.markFailed.run(error, now, id);
    },
    async markSkipped(id, reason, now) {
      statements.markSkipped.run(reason, now, id);
    },
    async unfinishedFor(target) {
      return (statements.unfinishedFor.all(target) as Row[]).map(jobOf);
    },
    async xUsage(periods) {
      const usage = new Map<string, { posts: number; usd: number }>();
      for (const period of periods) usage.set(period, (statements.xUsage.get(period) as { posts: number; usd: number } | undefined) ?? { posts: 0, usd: 0 });
      return usage;
    },
    async recordXUsage(periods, posts, usd) {
      db.transaction(() => {
        for (const period of periods) statements.recordXUsage.run(period, posts, usd);
      })();
    },
    async interruptedDeliveries(target) {
      return (statements.interrupted.all({ target: target ?? null }) as Row[]).map(toDelivery);
    },
    // SQLite serves a single process: every claim succeeds, and every target is "taken over" the
    // first time this process sees it, so what a crashed predecessor left in "sending" is recovered.
    async claimFeed(feedId) {
      const row = statements.feedState.get(feedId) as Row | undefined;
      return row ? toFeedState(row) : emptyFeedState(feedId);
    },
    async claimTargets() {
      const targets = statements.unfinishedTargets.all() as string[];
      const takenOver = targets.filter((target) => !seenTargets.has(target));
      for (const target of takenOver) seenTargets.add(target);
      return { held: targets, takenOver };
    },
    async releaseLeases() {},
    async releaseFeed() {},
    // One process per SQLite file: it is the only worker.
    async heartbeat(owner) {
      return [owner];
    },
    async tryGatewayLock() {
      return true;
    },
    async recentArticles(limit, feedId, offset = 0) {
      const rows = feedId ? statements.recentForFeed.all(feedId, limit, offset) : statements.recent.all(limit, offset);
      return (rows as Row[]).map(toArticle);
    },
    async searchArticles(query, options) {
      const match = ftsQuery(query);
      if (!match) return [];
      const rows = statements.search.all({ query: match, feedId: options.feedId ?? null, since: options.since ?? null, limit: options.limit });
      return (rows as Row[]).map(toArticle);
    },
    async urlHistory(url) {
      const seen = statements.seenByUrl.all(url) as Array<{ feed_id: string; seen_at: number; article_id: string | null }>;
      const articleRow = statements.articleByUrl.get(url) as Row | undefined;
      const articleId = articleRow?.id ?? seen.find((row) => row.article_id)?.article_id ?? null;
      const article = articleRow ?? (articleId ? (statements.article.get(articleId) as Row | undefined) : undefined);
      return {
        seen: seen.map((row) => ({ feedId: row.feed_id, seenAt: row.seen_at, posted: row.article_id !== null })),
        article: article ? toArticle(article) : null,
        deliveries: article ? (statements.deliveriesOf.all(article.id) as Row[]).map(toDelivery) : [],
      };
    },
    async feedStates() {
      return (statements.feedStates.all() as Row[]).map(toFeedState);
    },
    async failedDeliveries(limit) {
      return (statements.failed.all(limit) as Row[]).map(jobOf);
    },
    async discordFeeds() {
      return (statements.discordFeeds.all() as Row[]).map(toDiscordFeed);
    },
    async addDiscordFeed(feed) {
      return statements.addDiscordFeed.run({ ...feed, paused: feed.paused ? 1 : 0 }).changes > 0;
    },
    async removeDiscordFeed(id) {
      return statements.removeDiscordFeed.run(id).changes > 0;
    },
    async setDiscordFeedPaused(id, paused) {
      return statements.pauseDiscordFeed.run(paused ? 1 : 0, id).changes > 0;
    },
    async deliveryCounts() {
      const counts: Record<DeliveryStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0, skipped: 0 };
      for (const row of statements.counts.all() as Array<{ status: DeliveryStatus; n: number }>) counts[row.status] = row.n;
      return counts;
    },
    async getMeta(key) {
      return (statements.getMeta.get(key) as string | undefined) ?? null;
    },
    async setMeta(key, value) {
      statements.setMeta.run(key, value);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]));
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sqlite);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, Date.now());
    })();
  }
}
