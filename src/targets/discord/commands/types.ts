import type { Store } from '../../../store/store.js';

/** What slash command handlers may use; passed in, never reached for. */
export interface CommandDeps {
  store: Store;
  /** Feed id → display name, for the feeds Herald currently watches. */
  feedNames(): ReadonlyMap<string, string>;
}
