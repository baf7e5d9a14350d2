import { Api, GrammyError, HttpError } from 'grammy';
import type { Logger } from 'pino';
import { DeliveryError, type Readiness, type Target } from '../../deliveries/target.js';
import type { Article } from '../../articles/article.js';
import { renderTelegramMessage } from './render.js';

/** How long one Bot API call may take, in seconds (then its outcome is unknown). */
const REQUEST_TIMEOUT_S = 30;
/** How long a refused token holds Telegram messages before the next look, in ms (the token changes only with a restart). */
const REFUSED_RECHECK_MS = 60_000;

export interface TelegramTargetOptions {
  /** The bot's token from @BotFather (TELEGRAM_BOT_TOKEN). */
  token: string;
  /** The Bot API's base URL (TELEGRAM_API_URL; default https://api.telegram.org). */
  apiRoot: string;
  log: Logger;
  /** Clock, in ms since the epoch. */
  now?: () => number;
}

/**
 * A failure as the outbox treats it (core.telegram.org/bots/api#making-requests): 429 waits
 * `parameters.retry_after` seconds; 5xx retries; other refusals (chat not found, bot not an admin,
 * bad HTML) are permanent. `reached`: a lost answer to a send may hide a message that was posted.
 */
function classify(error: unknown, now: number, reached: boolean): DeliveryError {
  if (error instanceof GrammyError) {
    if (error.error_code === 429) {
      const seconds = error.parameters.retry_after ?? 30;
      return new DeliveryError(`Telegram rate limit reached (retry after ${seconds} s)`, 'retry', now + seconds * 1000);
    }
    if (error.error_code >= 500) return new DeliveryError(`Telegram ${error.error_code}: ${error.description}`, 'retry');
    const moved = error.parameters.migrate_to_chat_id;
    const hint = moved ? `; the group is now the supergroup ${moved}: use that id in the route` : '';
    return new DeliveryError(`Telegram ${error.error_code}: ${error.description}${hint}`, 'permanent');
  }
  const message = `Telegram request failed: ${error instanceof HttpError ? String(error.error) : ((error as Error)?.message ?? String(error))}`;
  return new DeliveryError(message, reached ? 'unknown' : 'retry');
}

/**
 * Posts messages to Telegram chats and channels through the Bot API (grammY): HTML parse mode with
 * everything escaped, the article as the link preview, the 4,096-character limit, edits with
 * editMessageText, 429s waited out for `retry_after`. The Bot API has no idempotency key: after a
 * lost answer the outbox resends at most once. A refused token (401) holds every message with one
 * clear error until Herald restarts with a new one.
 */
export function createTelegramTarget(options: TelegramTargetOptions): Target {
  const now = options.now ?? Date.now;
  const { log } = options;
  const api = new Api(options.token, { apiRoot: options.apiRoot, timeoutSeconds: REQUEST_TIMEOUT_S });
  let refused: string | null = null;

  function refusedToken(error: unknown): DeliveryError | null {
    if (!(error instanceof GrammyError) || error.error_code !== 401) return null;
    if (!refused) {
      refused = 'Telegram refused the bot token (401): get it again from @BotFather (/token), put it in TELEGRAM_BOT_TOKEN and restart Herald (Telegram messages wait until then)';
      log.error(refused);
    }
    return new DeliveryError(refused, 'held', now() + REFUSED_RECHECK_MS);
  }

  function messageOf(article: Article) {
    const { html, previewUrl } = renderTelegramMessage(article);
    return { html, other: { parse_mode: 'HTML' as const, link_preview_options: { url: previewUrl, prefer_large_media: true } } };
  }

  return {
    kind: 'telegram',

    async ready(): Promise<Readiness> {
      return refused ? { kind: 'wait', until: now() + REFUSED_RECHECK_MS, reason: refused } : { kind: 'send' };
    },

    async send(article, context) {
      const { html, other } = messageOf(article);
      try {
        const message = await api.sendMessage(context.address, html, other);
        return { remoteId: String(message.message_id) };
      } catch (error) {
        throw refusedToken(error) ?? classify(error, now(), true);
      }
    },

    async edit(article, context) {
      const { html, other } = messageOf(article);
      try {
        await api.editMessageText(context.address, Number(context.remoteId), html, other);
      } catch (error) {
        // The message already reads so: nothing to change.
        if (error instanceof GrammyError && error.error_code === 400 && error.description.includes('message is not modified')) return;
        throw refusedToken(error) ?? classify(error, now(), false);
      }
    },
  };
}
