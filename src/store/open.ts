import { resolve } from 'node:path';
import pRetry from 'p-retry';
import type { Store } from './store.js';
import { openSqliteStore } from './sqlite.js';
import { ConfigError } from '../config/config.js';
import { redactUrlSecrets } from '../ops/redact.js';

/** File-system errors that mean "this path cannot hold the database" rather than a bug. */
const UNUSABLE_PATH = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR', 'EISDIR', 'EEXIST', 'SQLITE_CANTOPEN', 'SQLITE_READONLY']);

/** How long a PostgreSQL that cannot be reached at start-up is waited for, in ms (retried with back-off: 250 ms doubling to 5 s). */
const POSTGRES_WAIT_MS = 30_000;

/**
 * Connection errors that mean PostgreSQL is not there (yet): refused, unknown or unresolvable host,
 * timed out, reset, or 57P03 cannot_connect_now (starting up). Returns the code, or null.
 */
function unreachable(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', '57P03'].includes(code) ? code : null;
}

/** The database DATABASE_URL names, for log lines: the SQLite file's absolute path, or the PostgreSQL URL without its password. */
export function describeDatabase(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return resolve(databaseUrl.slice('sqlite:'.length) || 'data/herald.db');
  return redactUrlSecrets(databaseUrl);
}

/**
 * Opens the store DATABASE_URL names: `sqlite:<path>` (or `sqlite::memory:`), or `postgres://…`.
 * A PostgreSQL that cannot be reached is tried again with back-off for 30 s.
 * @throws ConfigError naming DATABASE_URL when the URL is malformed, its SQLite file cannot be
 *   created or written (permission denied, read-only file system, a file where a folder should be),
 *   or its PostgreSQL cannot be reached within 30 s (the message shows the URL without its password).
 */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length) || 'data/herald.db';
    try {
      return await openSqliteStore(path);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === undefined || !UNUSABLE_PATH.has(code)) throw error;
      throw new ConfigError(
        `DATABASE_URL: cannot open the SQLite database ${resolve(path)} (${code}: ${(error as Error).message}); ` +
          'point DATABASE_URL at a file in a directory this user can write (in the container: sqlite:/data/herald.db, the volume)',
      );
    }
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const { openPostgresStore } = await import('./postgres.js');
    // Compose and orchestrators start Herald and PostgreSQL together: wait for it a while.
    return pRetry(() => openPostgresStore(databaseUrl), {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: 250,
      maxTimeout: 5_000,
      maxRetryTime: POSTGRES_WAIT_MS,
      shouldRetry: ({ error }) => unreachable(error) !== null,
    }).catch((error: unknown) => {
      const code = unreachable(error);
      if (code === null) throw error;
      throw new ConfigError(
        `DATABASE_URL: PostgreSQL at ${describeDatabase(databaseUrl)} could not be reached for ${POSTGRES_WAIT_MS / 1000} s (${code}: ${(error as Error).message}); ` +
          'start it, or fix the host and port in DATABASE_URL',
      );
    });
  }
  throw new ConfigError('DATABASE_URL: expected sqlite:<path> or postgres://…');
}
