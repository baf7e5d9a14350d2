import { batcher, BATCH_ROWS, onePerKey } from './batch.js';
import { fixedStatement } from './compile-once.js';
import type { Db } from './statements.js';
import type { FeedState } from './store.js';

/**
 * The poll path's many-row statements, each of one fixed SQL text whatever the number of rows: the
 * rows go in as one array per column (PostgreSQL `unnest`) or as one JSON document (SQLite
 * `json_each`), so each statement is parsed and planned once, not once per batch size with a
 * placeholder per value; and it has no limit on bound values, so a batch is one statement.
 */

/** The backends Herald stores in. */
export type Backend = 'sqlite' | 'postgres';

/** One item of a feed marked seen without an article (backfill, an item without a usable link). */
interface SeenRow {
  feedId: string;
  key: string;
  url: string | null;
  contentHash: string | null;
  /** When it was seen, ms since the epoch. */
  seenAt: number;
}

/** Statements writing many rows at once; each resolves when its one statement has run (committed, outside a transaction). */
interface BulkWrites {
  /** Writes every state's validators, times, failures, error, hold and address (the lease columns are left as they are). At most one state per feed. */
  saveFeedStates(db: Db, states: readonly FeedState[]): Promise<void>;
  /** Records every row as seen; a row already recorded keeps its record (and its article). */
  markSeen(db: Db, rows: readonly SeenRow[]): Promise<void>;
}

/**
 * SQL reading rows from the statement's parameters: PostgreSQL `unnest($1::text[], …)`, SQLite
 * `json_each(?)` over an array of row arrays. `types`: the PostgreSQL type of each column.
 */
function rowSource(backend: Backend, types: readonly string[]): string {
  if (backend === 'postgres') return `SELECT * FROM unnest(${types.map((type, column) => `$${column + 1}::${type}[]`).join(', ')})`;
  // WHERE true: SQLite's parser needs it between a SELECT and ON CONFLICT (sqlite.org/lang_upsert.html, "Parsing Ambiguity").
  return `SELECT ${types.map((_, column) => `value ->> ${column}`).join(', ')} FROM json_each(?) WHERE true`;
}

/** The rows of `columns` (each a list of one column's values, rows at the same index) as the parameters rowSource reads. */
function rowParameters(backend: Backend, columns: ReadonlyArray<readonly unknown[]>): unknown[] {
  if (backend === 'postgres') return [...columns];
  return [JSON.stringify(columns[0]!.map((_, row) => columns.map((column) => column[row])))];
}

const STATE_COLUMNS = ['feed_id', 'etag', 'last_modified', 'initialized', 'last_poll_at', 'last_success_at', 'failures', 'last_error', 'held_until', 'read_url', 'read_for'];
const STATE_TYPES = ['text', 'text', 'text', 'integer', 'bigint', 'bigint', 'integer', 'text', 'bigint', 'text', 'text'];
const SEEN_COLUMNS = ['feed_id', 'item_key', 'seen_at', 'url', 'content_hash'];
const SEEN_TYPES = ['text', 'text', 'bigint', 'text', 'text'];

/** The bulk statements of `backend`. */
function bulkWrites(backend: Backend): BulkWrites {
  const saveStates = fixedStatement(
    `INSERT INTO feed_state (${STATE_COLUMNS.join(', ')}) ${rowSource(backend, STATE_TYPES)}
      ON CONFLICT (feed_id) DO UPDATE SET ${STATE_COLUMNS.slice(1)
        .map((column) => `${column} = excluded.${column}`)
        .join(', ')}`,
  );
  const markSeen = fixedStatement(`INSERT INTO seen_items (${SEEN_COLUMNS.join(', ')}) ${rowSource(backend, SEEN_TYPES)} ON CONFLICT DO NOTHING`);
  return {
    async saveFeedStates(db, states) {
      if (states.length === 0) return;
      await saveStates(
        db,
        rowParameters(backend, [
          states.map((state) => state.feedId),
          states.map((state) => state.etag),
          states.map((state) => state.lastModified),
          states.map((state) => (state.initialized ? 1 : 0)),
          states.map((state) => state.lastPollAt),
          states.map((state) => state.lastSuccessAt),
          states.map((state) => state.failures),
          states.map((state) => state.lastError),
          states.map((state) => state.heldUntil),
          states.map((state) => state.readUrl),
          states.map((state) => state.readFor),
        ]),
      );
    },
    async markSeen(db, rows) {
      if (rows.length === 0) return;
      await markSeen(
        db,
        rowParameters(backend, [rows.map((row) => row.feedId), rows.map((row) => row.key), rows.map((row) => row.seenAt), rows.map((row) => row.url), rows.map((row) => row.contentHash)]),
      );
    },
  };
}

/**
 * Reads which of `keys` a feed has seen, in one statement of one text whatever the number of keys
 * (PostgreSQL `= ANY` over one array, prepared once per connection; SQLite `json_each` over one JSON
 * document): the rows of seen_items, item_key, content_hash and article_id, unchecked.
 */
export function seenItemsRead(backend: Backend): (db: Db, feedId: string, keys: readonly string[]) => Promise<unknown[]> {
  const keysFrom = backend === 'postgres' ? '= ANY ($2::text[])' : 'IN (SELECT value FROM json_each(?))';
  const read = fixedStatement<unknown>(`SELECT item_key, content_hash, article_id FROM seen_items WHERE feed_id = ${backend === 'postgres' ? '$1' : '?'} AND item_key ${keysFrom}`);
  return async (db, feedId, keys) => (await read(db, [feedId, backend === 'postgres' ? keys : JSON.stringify(keys)])).rows;
}

/** The poll path's writes, gathered into batches (see batch.ts); each resolves once its batch's statement has run. */
export interface BatchedWrites {
  /** Writes one feed's state; of several writes of a feed in one batch, the last made wins. */
  saveFeedState(state: FeedState): Promise<void>;
  /** Records rows as seen (see BulkWrites.markSeen). */
  markSeen(rows: SeenRow[]): Promise<void>;
  /** Sends what is gathered and waits for every batch in progress (before the database closes). */
  flush(): Promise<void>;
}

/**
 * The state writes and seen items of polls that finish together (a feed's first poll remembers all
 * its items), each kind one statement, one commit, on `db` of `backend`.
 */
export function batchedWrites(db: Db, backend: Backend): BatchedWrites {
  const bulk = bulkWrites(backend);
  const states = batcher<FeedState, void>(async (requests) => {
    await bulk.saveFeedStates(db, onePerKey(requests, (state) => state.feedId, 'last'));
    return requests.map(() => undefined);
  }, BATCH_ROWS);
  const seen = batcher<SeenRow[], void>(async (requests) => {
    await bulk.markSeen(db, onePerKey(requests.flat(), (row) => `${row.feedId}\n${row.key}`, 'first'));
    return requests.map(() => undefined);
  }, BATCH_ROWS);
  return {
    saveFeedState: (state) => states.load(state),
    markSeen: async (rows) => {
      if (rows.length > 0) await seen.load(rows);
    },
    async flush() {
      await seen.flush();
      await states.flush();
    },
  };
}
