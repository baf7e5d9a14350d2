import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import type { FeedState, Store } from './store.js';
import type { Tables } from './schema.js';
import { ARTICLE_COLUMNS, emptyFeedState, toArticle, toFeedState } from './rows.js';
import { migrate, searchWords } from './migrations.js';
import { createStore } from './queries.js';
import { batcher, BATCH_ROWS } from './batch.js';
import { unfinishedTargets } from './statements.js';
import { fixedStatement } from './compile-once.js';

/**
 * The store on SQLite: one process owns the file. What only SQLite does: FTS5 search, and claims
 * that always succeed.
 */

/**
 * A safe FTS5 query from what a user typed: every word quoted (so FTS syntax characters are
 * just text) and matched as a prefix, all words required. Null when nothing searchable remains.
 */
function ftsQuery(input: string): string | null {
  const words = searchWords(input);
  return words.length === 0 ? null : words.map((word) => `"${word}"*`).join(' ');
}

/** How many prepared statements stay cached: every query shape Herald runs, with room to spare. */
const STATEMENT_CACHE = 256;

/** better-sqlite3 for kysely, preparing each distinct SQL text once (kysely itself prepares on every query). */
function preparedOnce(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => void (database.open && database.close()),
    prepare(text) {
      let statement = statements.get(text);
      if (statement) statements.delete(text); // re-inserted below: the map's order is least recently used first
      else statement = database.prepare(text);
      statements.set(text, statement);
      if (statements.size > STATEMENT_CACHE) statements.delete(statements.keys().next().value!);
      return statement;
    },
  };
}

/**
 * Creates the missing directories of `dir`, outermost first, one call each. Node's recursive mkdir
 * loops for ever when a parent answers ENOENT although it exists (a path under /proc): created one
 * by one, such a path fails at once. Throws the first mkdir error (ENOENT, EACCES, EROFS…), or
 * ENOTDIR when a file stands where a folder should be.
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  let current = dir;
  for (; !existsSync(current) && dirname(current) !== current; current = dirname(current)) missing.unshift(current);
  if (!statSync(current).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory: ${current}`), { code: 'ENOTDIR' });
  for (const path of missing) mkdirSync(path);
}

/**
 * SQLite's page cache per connection, in KiB: SQLite's documented default (PRAGMA cache_size,
 * https://sqlite.org/pragma.html#pragma_cache_size; a negative value counts KiB). better-sqlite3
 * builds SQLite with 16,000 KiB instead, which a bot with 10,000 feeds (a ~20 MB database) fills
 * during its first poll round and then holds for good, although each poll reads a few pages only:
 * pages not cached are read again from the operating system's file cache.
 */
const PAGE_CACHE_KIB = 2_000;

/**
 * Opens a SQLite connection as Herald uses it (creating the file's missing directories first):
 * write-ahead log, synchronous NORMAL, foreign keys enforced, 5 s busy timeout, a page cache of
 * PAGE_CACHE_KIB. `path` ':memory:' keeps everything in memory. Throws better-sqlite3's error when
 * the file cannot be opened, and mkdir's when a directory cannot be made.
 */
export function connectSqlite(path: string): Database.Database {
  if (path !== ':memory:') makeDirectories(dirname(path));
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  database.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  return database;
}

/**
 * Opens (creating and migrating) a SQLite database; `path` ':memory:' keeps everything in memory.
 * Rejects with better-sqlite3's error when the file cannot be opened or migrated.
 */
export async function openSqliteStore(path: string): Promise<Store> {
  const database = connectSqlite(path);
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: preparedOnce(database) }) });
  try {
    await migrate(db, { name: 'sqlite' });
  } catch (error) {
    await db.destroy();
    throw error;
  }
  // Every target is "taken over" the first time this process sees it, so what a crashed
  // predecessor left in "sending" is recovered.
  const seenTargets = new Set<string>();
  // The claims of polls that start together: one read, of one text whatever their number (see bulk.ts).
  const readStates = fixedStatement('SELECT * FROM feed_state WHERE feed_id IN (SELECT value FROM json_each(?))');
  const claims = batcher<string, FeedState>(async (feedIds) => {
    const states = new Map((await readStates(db, [JSON.stringify(feedIds)])).rows.map(toFeedState).map((state) => [state.feedId, state]));
    return feedIds.map((feedId) => states.get(feedId) ?? emptyFeedState(feedId));
  }, BATCH_ROWS);

  return createStore(db, 'sqlite', {
    async searchArticles(query, options) {
      const match = ftsQuery(query);
      if (!match) return [];
      const { rows } = await sql`SELECT ${sql.join(ARTICLE_COLUMNS.map((column) => sql.ref(`a.${column}`)))}
        FROM articles_fts f JOIN articles a ON a.rowid = f.rowid
        WHERE articles_fts MATCH ${match}
          ${options.feedId !== undefined ? sql`AND a.feed_id = ${options.feedId}` : sql``}
          ${options.since !== undefined ? sql`AND a.sort_at >= ${options.since}` : sql``}
        ORDER BY round(bm25(articles_fts), 6), a.sort_at DESC LIMIT ${options.limit}`.execute(db);
      return rows.map(toArticle);
    },
    // SQLite serves a single process: every claim succeeds.
    claimFeed: (feedId) => claims.load(feedId),
    async claimTargets(_owner, _now, _until, sends) {
      const held = (await unfinishedTargets(db)).filter(sends);
      const takenOver = held.filter((target) => !seenTargets.has(target));
      for (const target of takenOver) seenTargets.add(target);
      return { held, takenOver };
    },
    async releaseLeases() {},
    async releaseFeed() {},
    async tryGatewayLock() {
      return true;
    },
    // One process per SQLite file: it is the only worker.
    async heartbeat(owner) {
      return [owner];
    },
    async close() {
      await claims.flush();
      await db.destroy();
    },
  });
}
