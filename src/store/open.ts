import { resolve } from 'node:path';
import type { Store } from './store.js';
import { openSqliteStore } from './sqlite.js';
import { ConfigError } from '../config/config.js';
import { redactUrlSecrets } from '../ops/redact.js';

/** File-system errors that mean "this path cannot hold the database" rather than a bug. */
const UNUSABLE_PATH = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR', 'EISDIR', 'EEXIST', 'SQLITE_CANTOPEN', 'SQLITE_READONLY']);

/** The database DATABASE_URL names, for log lines: the SQLite file's absolute path, or the PostgreSQL URL without its password. */
export function describeDatabase(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return resolve(databaseUrl.slice('sqlite:'.length) || 'data/herald.db');
  return redactUrlSecrets(databaseUrl);
}

/**
 * Opens the store DATABASE_URL names: `sqlite:<path>` (or `sqlite::memory:`), or `postgres://…`.
 * @throws ConfigError naming DATABASE_URL when the URL is malformed or its SQLite file cannot be
 *   created or written (permission denied, read-only file system, a file where a folder should be).
 */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length) || 'data/herald.db';
    try {
      return openSqliteStore(path);
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
    return openPostgresStore(databaseUrl);
  }
  throw new ConfigError('DATABASE_URL: expected sqlite:<path> or postgres://…');
}
