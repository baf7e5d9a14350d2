import DataLoader from 'dataloader';

/**
 * Many small statements of the poll path made into few: the feed claims and state writes that
 * polls in flight ask for within one batch window go to the database as one statement (one
 * multi-row upsert or one `IN (…)` read instead of one round trip, one commit, per feed). Each
 * caller still awaits its own request, so a state write has been committed when its promise
 * resolves, a batch window after it was asked for at the latest.
 */

/**
 * At most this many requests per batch, and rows or keys per statement where each value is bound
 * on its own: SQLite allows 32,766 bound values per statement, PostgreSQL 65,535, and an article
 * row binds 12 (the bulk statements of bulk.ts bind one array or document, whatever their rows).
 */
export const BATCH_ROWS = 500;

/** `items` cut into runs of at most BATCH_ROWS, in order. */
export function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += BATCH_ROWS) out.push(items.slice(start, start + BATCH_ROWS));
  return out;
}

/**
 * A batch window: the rest of the event loop's current turn (setImmediate runs once the I/O
 * callbacks of this turn are done), so the answers of all polls that arrived together share one
 * statement, and a lone request waits no timer.
 */
const nextTurn = (run: () => void): NodeJS.Immediate => setImmediate(run);

/** Requests gathered into batches; `flush` sends what is gathered now and waits for every batch in progress. */
export interface Batcher<K, V> {
  /** Adds one request to the open batch; resolves with its answer, or rejects with the error of its batch's statement. */
  load(key: K): Promise<V>;
  /** Sends the open batch at once and resolves when every batch sent so far has finished (before the database closes). */
  flush(): Promise<void>;
}

/**
 * Gathers requests made within one batch window (the event loop's current turn) into one call of
 * `run`, at most `maxBatch` requests per call (DataLoader, without its cache). `run` takes the
 * requests in the order made (duplicates included) and returns one answer per request, in that
 * order; when it rejects, every request of the batch rejects with its error.
 */
export function batcher<K, V>(run: (keys: readonly K[]) => Promise<V[]>, maxBatch: number): Batcher<K, V> {
  const open = new Map<NodeJS.Immediate, () => void>();
  const running = new Set<Promise<unknown>>();
  const loader = new DataLoader<K, V>(
    (keys) => {
      const batch = run(keys);
      running.add(batch);
      void batch.then(
        () => running.delete(batch),
        () => running.delete(batch),
      );
      return batch;
    },
    {
      cache: false,
      maxBatchSize: maxBatch,
      batchScheduleFn: (send) => {
        const turn = nextTurn(() => {
          open.delete(turn);
          send();
        });
        open.set(turn, send);
      },
    },
  );
  return {
    load: (key) => loader.load(key),
    async flush() {
      for (const [turn, send] of open) {
        clearImmediate(turn);
        open.delete(turn);
        send();
      }
      await Promise.allSettled([...running]);
    },
  };
}

/**
 * One request per key (the `keep`: first or last made), in key order: one row per key in a
 * multi-row upsert (PostgreSQL refuses to update a row twice in one statement), and rows always
 * locked in the same order, so two processes' batches cannot deadlock on each other.
 */
export function onePerKey<T>(items: readonly T[], keyOf: (item: T) => string, keep: 'first' | 'last'): T[] {
  const kept = new Map<string, T>();
  for (const item of items) if (keep === 'last' || !kept.has(keyOf(item))) kept.set(keyOf(item), item);
  return [...kept.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}
