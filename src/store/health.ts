import type { Logger } from 'pino';
import type { Store } from './store.js';

/**
 * Error codes that mean the database cannot be written right now, not that Herald has a bug: SQLite's
 * full, read-only and I/O errors (better-sqlite3 codes, e.g. SQLITE_READONLY_DBMOVED), the file
 * system's (no space, read-only, quota, file size limit) and PostgreSQL's disk_full (53100) and
 * read_only_sql_transaction (25006, a read-only replica or default_transaction_read_only).
 */
const STORAGE_FAULT = /^(SQLITE_(FULL|READONLY|IOERR)\w*|ENOSPC|EROFS|EDQUOT|EFBIG|53100|25006)$/;

/** True when `error` says the database cannot be written now (see STORAGE_FAULT); such errors are logged once by watchWrites. */
export function isStorageFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_FAULT.test(code);
}

/** How often a database that could not be written is tried again (one small write), in ms. */
const WRITE_CHECK_MS = 5_000;

export interface WatchedStore {
  /** The same store; every call that fails with a storage fault is noticed on its way out. */
  store: Store;
  /** False from the first storage fault until a test write succeeds again (for /readyz). */
  writable(): boolean;
  /** Stops the test writes. */
  stop(): void;
}

/**
 * Watches a store for write failures (a full disk, a read-only file or file system): the first one
 * is logged once, naming the database and the fix; then one small write (the meta key
 * `herald.write-check`) every 5 s tells when the database can be written again, which is logged too.
 * Callers still get every error (their work is retried: an unrecorded item is found again on the
 * next poll), so nothing is lost; they should not log storage faults themselves.
 * `where` names the database in log lines (its file, or the PostgreSQL URL without the password).
 */
export function watchWrites(inner: Store, log: Logger, where: string): WatchedStore {
  let fault: string | null = null;
  let check: NodeJS.Timeout | null = null;

  const noticed = (error: unknown) => {
    if (!isStorageFault(error) || fault !== null) return;
    fault = String((error as { code: string }).code);
    log.error(
      { database: where, code: fault, reason: (error as Error).message },
      `the database cannot be written (${fault}): free disk space or make ${where} writable; polling and posting pause and resume by themselves`,
    );
    check = setInterval(() => void writeCheck(), WRITE_CHECK_MS);
    check.unref();
  };

  async function writeCheck(): Promise<void> {
    try {
      await inner.setMeta('herald.write-check', String(Date.now()));
    } catch {
      return;
    }
    if (check) clearInterval(check);
    check = null;
    log.info({ database: where, was: fault }, 'the database can be written again; resuming');
    fault = null;
  }

  // Every method of the store, passed through: a wrapper per method by hand would be ~45 copies of one line.
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.catch((error: unknown) => {
          noticed(error);
          throw error;
        });
      };
    },
  });

  return {
    store,
    writable: () => fault === null,
    stop() {
      if (check) clearInterval(check);
      check = null;
    },
  };
}
