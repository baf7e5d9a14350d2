import { DiscordAPIError, REST, Routes } from 'discord.js';
import type { Logger } from 'pino';
import { DeliveryError, type Readiness, type SendContext, type Target } from '../../deliveries/target.js';
import type { Article } from '../../articles/article.js';
import { redactUrlSecrets } from '../../ops/redact.js';
import { classifyDiscordError } from '../discord/errors.js';
import { renderOptionsOf, renderWebhookMessage } from '../discord/render.js';
import { locationOf, remoteIdOf } from '../discord/forum.js';
import { threadName } from '../discord/threads.js';
import { readWebhookDestination } from './destination.js';
import type { WebhookCredentials } from './env.js';

/** How long one request may take, in ms (then its outcome is unknown). */
const REQUEST_TIMEOUT_MS = 15_000;
/** Rate-limit waits longer than this are handed back to the outbox instead of held in the client, in ms (as for channels). */
const MAX_INLINE_RATE_LIMIT_WAIT_MS = 10_000;
/**
 * How often deliveries to a webhook that is gone are looked at again, in ms (no request is made:
 * nothing changes before a restart, the URL being read from the environment at start). Short, so
 * they go soon after a restart, and under the ops alerts' one-minute "paused" threshold, which
 * would otherwise open and close an incident at every look; the "waiting too long" alert stands.
 */
const GONE_RECHECK_MS = 30_000;
/** Unknown Webhook (404) and Invalid Webhook Token (401): discord.com/developers/docs/topics/opcodes-and-status-codes#json. */
const GONE_CODES = new Set([10015, 50027]);
/** "Webhooks posted to forum channels must have a thread_name or thread_id" (400): the webhook is a forum or media channel's (same source). */
const NEEDS_THREAD_NAME = 220001;

export interface WebhookTargetOptions {
  /** Discord's REST base URL (DISCORD_API_URL; default https://discord.com/api). */
  apiUrl: string;
  /** The webhook whose URL the variable `name` holds now, or what is wrong with it (words without the secret). */
  credentials(name: string): WebhookCredentials | string;
  /** The webhook a sealed URL (added with /feeds add) holds, or what is wrong (words without the secret). */
  unsealed(sealed: string): WebhookCredentials | string;
  log: Logger;
  /** Clock, in ms since the epoch. */
  now?: () => number;
}

/**
 * Posts to Discord webhooks (discord.com/developers/docs/resources/webhook): Execute Webhook with
 * `?wait=true` (the message id is recorded), under the route's name and avatar, with the same
 * message, role pings and `allowed_mentions` as a channel; edits through Edit Webhook Message. No
 * bot token is used: the webhook's own token, read at each send from the variable the delivery
 * names (so a webhook replaced in the environment takes over its deliveries after a restart).
 *
 * A webhook of a forum or media channel starts a post per article, named by its title (Execute
 * Webhook's `thread_name`): Herald learns this from Discord's refusal of the first message without one
 * (400, code 220001: nothing was posted) and sends it again at once with the name; the remote id is
 * then "<thread id>/<message id>", and edits name the thread (`thread_id`).
 *
 * Webhooks take no nonce, so a send whose answer is lost (a timeout or reset after the request left,
 * a 5xx) is an unknown outcome: the REST client never retries on its own here, and the outbox resends
 * at most once. A rate limit waits as for channels. A webhook Discord no longer knows (404 Unknown
 * Webhook, 401 Invalid Webhook Token) holds its deliveries, not counting attempts, with one error line
 * naming the variable; they go out after a restart with a working URL in it.
 */
export function createWebhookTarget(options: WebhookTargetOptions): Target {
  const { log } = options;
  const now = options.now ?? Date.now;
  const rest = new REST({ api: options.apiUrl, timeout: REQUEST_TIMEOUT_MS, retries: 0, rejectOnRateLimit: (data) => data.retryAfter > MAX_INLINE_RATE_LIMIT_WAIT_MS });
  /** Why deliveries to a webhook (by id) wait until a restart, when they do. */
  const gone = new Map<string, string>();
  /** Webhook ids whose deliveries went to the webhook their variable names now, said once. */
  const moved = new Set<string>();
  /** Webhooks (by id) of forum or media channels: each message starts a post. */
  const inForum = new Set<string>();

  function hold(address: string, reason: string): DeliveryError {
    if (!gone.has(address)) log.error({ target: `discord_webhook:${address}`, reason }, 'Discord webhook unusable; its deliveries wait');
    gone.set(address, reason);
    return new DeliveryError(reason, 'held', now() + GONE_RECHECK_MS);
  }

  /** The delivery's webhook: its id and token from the variable it names; throws DeliveryError (held) when there is none. */
  function webhookOf(context: SendContext): { webhook: WebhookCredentials; variable: string; identity: { username?: string; avatar?: string } } {
    const destination = readWebhookDestination(context.options.kindOptions);
    if (!destination) throw new DeliveryError('the delivery names no webhook URL variable (url_env): its options are damaged', 'permanent');
    const variable = destination.url_env ?? 'HERALD_SECRET_KEY';
    const webhook = destination.sealed === undefined ? options.credentials(variable) : options.unsealed(destination.sealed);
    if (typeof webhook === 'string') throw hold(context.address, webhook);
    if (webhook.id !== context.address && !moved.has(context.address)) {
      moved.add(context.address);
      log.info({ target: `discord_webhook:${context.address}`, now: webhook.id, variable }, `deliveries queued for this webhook go to the webhook ${variable} names now`);
    }
    return { webhook, variable, identity: { username: destination.username, avatar: destination.avatar } };
  }

  /** The outbox's view of a failed request; a webhook gone holds its deliveries. The reason never quotes the token. */
  function failure(error: unknown, address: string, variable: string): DeliveryError {
    if (error instanceof DiscordAPIError && GONE_CODES.has(Number(error.code))) {
      const what = error.status === 404 ? 'Discord no longer knows it (404 Unknown Webhook: deleted, or its channel was)' : 'Discord refused its token (401 Invalid Webhook Token)';
      return hold(address, `Discord webhook ${address}: ${what}; ${variable === 'HERALD_SECRET_KEY' ? 'add a working webhook with /feeds add' : `put a working webhook URL in ${variable} and restart Herald`} (deliveries to it wait until then)`);
    }
    const classified = classifyDiscordError(error, now(), 'duplicates');
    return new DeliveryError(redactUrlSecrets(classified.message), classified.kind, classified.retryAt);
  }

  return {
    kind: 'discord_webhook',

    /** Per webhook (`address`): a webhook that is gone waits; without an address, whether any does (for the --once report). */
    async ready(address?: string): Promise<Readiness> {
      const reason = address === undefined ? gone.values().next().value : gone.get(address);
      return reason === undefined ? { kind: 'send' } : { kind: 'wait', until: now() + GONE_RECHECK_MS, reason };
    },

    async send(article: Article, context: SendContext) {
      const { webhook, variable, identity } = webhookOf(context);
      const message = renderWebhookMessage(article, renderOptionsOf(context), identity);
      const execute = async () => {
        const body = inForum.has(webhook.id) ? { ...message, thread_name: threadName(article.title) } : message;
        return (await rest.post(Routes.webhook(webhook.id, webhook.token), { body, query: new URLSearchParams({ wait: 'true' }), auth: false })) as { id?: string; channel_id?: string };
      };
      try {
        let posted: { id?: string; channel_id?: string };
        try {
          posted = await execute();
        } catch (error) {
          if (!(error instanceof DiscordAPIError && Number(error.code) === NEEDS_THREAD_NAME) || inForum.has(webhook.id)) throw error;
          inForum.add(webhook.id);
          log.info({ target: `discord_webhook:${context.address}` }, 'the webhook posts in a forum or media channel: each article starts a post named by its title');
          posted = await execute();
        }
        if (!posted?.id) return { remoteId: null };
        return { remoteId: inForum.has(webhook.id) && posted.channel_id ? remoteIdOf('', { channelId: posted.channel_id, messageId: posted.id }) : posted.id };
      } catch (error) {
        throw failure(error, context.address, variable);
      }
    },

    async edit(article: Article, context: SendContext & { remoteId: string }) {
      const { webhook, variable, identity } = webhookOf(context);
      // Edit Webhook Message takes no name or avatar: the message keeps those it was posted with.
      const { content, embeds, allowed_mentions } = renderWebhookMessage(article, renderOptionsOf(context), identity);
      // A message in a forum post is named with its thread (Edit Webhook Message's thread_id).
      const where = locationOf('', context.remoteId);
      const query = where.channelId === '' ? undefined : new URLSearchParams({ thread_id: where.channelId });
      try {
        await rest.patch(Routes.webhookMessage(webhook.id, webhook.token, where.messageId), { body: { ...(content !== undefined ? { content } : {}), embeds, allowed_mentions }, auth: false, ...(query ? { query } : {}) });
      } catch (error) {
        throw failure(error, context.address, variable);
      }
    },
  };
}
