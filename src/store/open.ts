import type { Store } from './store.js';
import { openSqliteStore } from './sqlite.js';
import { ConfigError } from '../config/config.js';

/** Opens the store DATABASE_URL names: `sqlite:<path>` (or `sqlite::memory:`). */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteStore(databaseUrl.slice('sqlite:'.length) || 'data/herald.db');
  throw new ConfigError(`DATABASE_URL: ${databaseUrl.split(':')[0]} is not supported yet; use sqlite:<path>`);
}
