import type { PageLimits } from '../../../articles/load.js';
import type { SummaryLimits } from '../../../articles/summarize.js';
import type { HttpClient } from '../../../sources/http.js';
import type { FeedRegistry } from '../../../sources/registry.js';
import type { Store } from '../../../store/store.js';

/** What slash command handlers may use; passed in, never reached for. */
export interface CommandDeps {
  store: Store;
  feeds: FeedRegistry;
  /** The SSRF-guarded HTTP client: /summary and /feeds test fetch URLs that users typed. */
  http: HttpClient;
  summary: SummaryLimits;
  pageLimits: PageLimits;
  startedAt: number;
  version: string;
}
