import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed } from 'discord.js';
import type { ArticlePreparer, PageReach } from '../../../articles/article.js';
import type { SummaryLimits } from '../../../articles/summarize.js';
import type { FeedCatalog } from '../../catalog.js';
import type { ApprovalDesk } from '../../desk.js';
import type { FeedLimits } from '../../../sources/fetch.js';
import type { HttpClient } from '../../../sources/http.js';
import type { Articles, DeliveryQueue, FeedStates } from '../../../store/store.js';
import type { MemberAlerts } from '../../../store/member-alerts.js';

/** How the pipeline watches each feed now (pipeline/scheduler.ts implements it). */
interface FeedWatch {
  /** The feed's poll interval in ms, what set it (every, rhythm, max-age, ttl, …), and whether a WebSub hub pushes it; null for a feed not scheduled (paused). */
  watchOf(feedId: string): { everyMs: number; reason: string; pushed: boolean } | null;
}

/** What slash command handlers may use; passed in, never reached for. */
export interface CommandDeps {
  store: FeedStates & Articles & DeliveryQueue & MemberAlerts;
  feeds: FeedCatalog;
  /** Effective intervals and push, for /feeds list and /status (absent: every feed's configured interval, no push). */
  watch?: FeedWatch;
  /** The SSRF-guarded HTTP client, public addresses only: /feeds add and /feeds test fetch feeds that users typed, within `reach`. */
  http: HttpClient;
  /** How far URLs that people type may reach: loopback and private addresses only with HERALD_ALLOW_PRIVATE_COMMANDS. */
  reach: PageReach;
  /** Limits for a feed a user names. */
  feedLimits: FeedLimits;
  /** Article pages and articles as the pipeline prepares them: /summary and /feeds test fetch URLs that users typed. */
  articles: ArticlePreparer;
  summary: SummaryLimits;
  /** How a delivery's target key reads to people ("<#channel>", "X"), from its kind's descriptor. */
  describeTarget(target: string): string;
  /** Why deliveries to a target wait whatever their state ("target not configured: set X_APP_KEY…"), or null when its kind is configured. */
  waitingFor(target: string): string | null;
  /** A link to the message a delivery to `target` posted as `remoteId` (its kind's messageUrl), or null when there is none. */
  messageUrl(target: string, remoteId: string): string | null;
  /** HERALD_SECRET_KEY (32 bytes): /feeds add seals a webhook URL with it before storing it; null: webhooks cannot be added. */
  secretKey: Buffer | null;
  /** Discord's REST base URL (DISCORD_API_URL): a webhook URL under it is Discord's too (targets/discord-webhook/env.ts). */
  webhookApiUrl: string;
  startedAt: number;
  version: string;
  /** The approval desk behind the Approve, Edit and Skip buttons (absent: the buttons answer that no desk runs). */
  desk?: ApprovalDesk;
}

export { CommandError } from '../../refusal.js';

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
