import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { DeliveryError } from '../../deliveries/target.js';

/** Discord error codes that no retry will fix: unknown channel, missing access/permissions, invalid body, … */
const PERMANENT_CODES = new Set([10003, 10004, 50001, 50006, 50008, 50013, 50035, 50109]);

/** Connection errors that mean a request never reached Discord (so nothing was posted). */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** The code of a connection error in `error` or its causes (undici wraps them), if it is one that never reached the server. */
export function unreachableCode(error: unknown): string | null {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return code;
  }
  return null;
}

/**
 * How the outbox treats a failed Discord request (`now` in ms since the epoch): a rate limit waits
 * for its reset; 4xx and the codes no retry fixes are permanent. A request that may have been
 * carried out (a timeout or reset after it left, a 5xx) is 'retry' when `resend` is 'harmless' (a
 * channel message carries a nonce) and 'unknown' when it is 'duplicates' (Execute Webhook has no
 * nonce: the outbox then resends at most once). A request that never reached Discord is 'retry'.
 */
export function classifyDiscordError(error: unknown, now: number, resend: 'harmless' | 'duplicates' = 'harmless'): DeliveryError {
  const mayHavePosted = resend === 'harmless' ? 'retry' : 'unknown';
  if (error instanceof RateLimitError) {
    return new DeliveryError(`rate limited (${error.route})`, 'retry', now + Math.max(error.retryAfter, error.timeToReset, 1000));
  }
  if (error instanceof DiscordAPIError) {
    if (error.status >= 500) return new DeliveryError(`Discord ${error.status} ${error.code}: ${error.message}`, mayHavePosted);
    const permanent = (error.status >= 400 && error.status !== 429) || PERMANENT_CODES.has(Number(error.code));
    return new DeliveryError(`Discord ${error.status} ${error.code}: ${error.message}`, permanent ? 'permanent' : 'retry');
  }
  if (error instanceof HTTPError) return new DeliveryError(`Discord HTTP ${error.status}`, error.status >= 500 ? mayHavePosted : 'permanent');
  const reason = `Discord request failed: ${(error as Error)?.message ?? String(error)}`;
  // Timeouts and resets: Discord may have posted.
  return new DeliveryError(reason, unreachableCode(error) ? 'retry' : mayHavePosted);
}
