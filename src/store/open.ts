import type { Store } from './store.js';
import { openSqliteStore } from './sqlite.js';
import { ConfigError } from '../config/config.js';

/** Opens the store DATABASE_URL names: `sqlite:<path>` (or `sqlite::memory:`), or `postgres://…`. */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteStore(databaseUrl.slice('sqlite:'.length) || 'data/herald.db');
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(databaseUrl);
  }
  throw new ConfigError('DATABASE_URL: expected sqlite:<path> or postgres://…');
}
