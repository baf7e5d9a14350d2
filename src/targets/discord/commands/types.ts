import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed } from 'discord.js';
import type { PageLimits } from '../../../pipeline/pages.js';
import type { SummaryLimits } from '../../../articles/summarize.js';
import type { HttpClient } from '../../../sources/http.js';
import type { FeedRegistry } from '../../../pipeline/registry.js';
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

/**
 * A refusal meant for the person who ran the command ("there is no feed `x`"): handlers throw it,
 * and the interaction boundary shows its message to that person only and counts it as refused.
 */
export class CommandError extends Error {
  override name = 'CommandError';
}

/**
 * A handler's answer as plain data. The boundary fits it to Discord's limits and sends it: as the
 * reply, as the edit of a deferred reply, or as a button's message update.
 */
export interface Reply {
  content?: string;
  embeds?: APIEmbed[];
  components?: Array<APIActionRowComponent<APIComponentInMessageActionRow>>;
  /** Only the person who ran the command sees it. After `deferReply` the deferral decided this. */
  ephemeral?: boolean;
}
