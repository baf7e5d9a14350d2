import { AtpAgent, XRPCError, type AtpSessionData, type AtpSessionEvent } from '@atproto/api';
import type { Logger } from 'pino';
import { z } from 'zod';
import { DeliveryError } from '../../deliveries/target.js';
import type { KeyValues } from '../../store/store.js';
import type { BlueskyAccount } from './env.js';

/** Where the session lives: the database, so restarts resume it instead of logging in again. */
const SESSION_KEY = 'bluesky.session';
/** A request that gets no answer within this long (ms) fails, as of unknown outcome. */
const REQUEST_TIMEOUT_MS = 30_000;
/** How often paused Bluesky posting (a refused login) says so again to the outbox (ms); the pause itself lasts until a restart. */
export const PAUSE_RECHECK_MS = 15_000;
/** Waiting for a rate limit with no reset time given (ms). */
const DEFAULT_LIMIT_WAIT_MS = 60_000;

const storedSchema = z.object({
  service: z.string(),
  handle: z.string(),
  session: z.looseObject({ did: z.string(), handle: z.string(), accessJwt: z.string(), refreshJwt: z.string(), active: z.boolean().default(true) }),
});

/**
 * When a Bluesky rate limit lifts, in ms since the epoch: the `ratelimit-reset` header's value
 * (seconds since the epoch, docs.bsky.app "Rate Limits"), or `fallback` when it is missing or not a number.
 */
export function rateLimitReset(reset: string | null | undefined, fallback: number): number {
  const seconds = Number(reset);
  return reset && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : fallback;
}

/** True when Bluesky refused the request's session (expired or revoked access or refresh token): nothing was done. */
export function isSessionRefusal(error: unknown): boolean {
  return error instanceof XRPCError && (error.status === 401 || ['ExpiredToken', 'InvalidToken', 'AuthenticationRequired'].includes(error.error));
}

/** The logged-in client, kept alive across posts and restarts. */
export interface BlueskySession {
  /**
   * The agent with a session: the one in use, else the stored one resumed (one refreshSession call),
   * else a new login (createSession). Throws a DeliveryError to retry later when Bluesky cannot be
   * reached or limits logins (at its `ratelimit-reset`), or while paused.
   */
  agent(): Promise<AtpAgent>;
  /** After a request was refused for its session: forget it, so the next agent() logs in again. */
  drop(): Promise<void>;
  /** Resolves once the tokens the client last created or refreshed are in the database. */
  saved(): Promise<void>;
  /** Why Bluesky posting is paused (the app password was refused), or null. */
  paused(): string | null;
  /** Until when (ms since the epoch) Bluesky said to send nothing more (`ratelimit-remaining: 0`), or null. */
  limitedUntil(): number | null;
  /** The rate limit as Bluesky's last answer with its headers stated it (outside the login calls), while its window lasts; else null. */
  rateLimit(): RateLimitState | null;
}

/** A rate limit as Bluesky's `ratelimit-*` headers state it (docs.bsky.app "Rate Limits"). */
interface RateLimitState {
  limit: number;
  remaining: number;
  /** When the window resets, in ms since the epoch. */
  resetAt: number;
  /** The `ratelimit-policy` header ("5000;w=3600"), or null. */
  policy: string | null;
}

export interface BlueskySessionOptions {
  account: BlueskyAccount;
  store: KeyValues;
  log: Logger;
  now?: () => number;
}

/**
 * A session for one account that is logged into once and then refreshed, never re-created for each
 * post: createSession is rate-limited (30 per 5 minutes, 300 a day per account, docs.bsky.app "Rate
 * Limits"). The access and refresh tokens are stored under `bluesky.session` whenever the client
 * creates or refreshes them (the client refreshes an expired access token by itself, with
 * com.atproto.server.refreshSession, and repeats the request). Only when the refresh token is refused
 * does Herald log in again; when the login itself is refused (a wrong, revoked or deleted app password,
 * a suspended account), Bluesky posting pauses with one error until Herald restarts with a new password.
 */
export function blueskySession(options: BlueskySessionOptions): BlueskySession {
  const { account, store, log } = options;
  const now = options.now ?? Date.now;
  let pausedFor: string | null = null;
  let limited: number | null = null;
  let lastLimit: RateLimitState | null = null;
  let saving: Promise<void> = Promise.resolve();
  let connecting: Promise<AtpAgent> | null = null;

  /**
   * Every request has a deadline, and the rate-limit headers of every answer but the session calls
   * are read (docs.bsky.app "Rate Limits"): logins have limits of their own, which hold no post.
   */
  const timedFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const url = input instanceof Request ? input.url : String(input);
    if (!url.includes('/xrpc/com.atproto.server.')) {
      const header = (name: string) => response.headers.get(`ratelimit-${name}`);
      if (header('remaining') === '0') limited = rateLimitReset(header('reset'), now() + DEFAULT_LIMIT_WAIT_MS);
      const [limit, remaining] = [Number(header('limit')), Number(header('remaining'))];
      if (header('limit') && header('remaining') && Number.isFinite(limit) && Number.isFinite(remaining)) {
        lastLimit = { limit, remaining, resetAt: rateLimitReset(header('reset'), now() + DEFAULT_LIMIT_WAIT_MS), policy: header('policy') };
      }
    }
    return response;
  };

  // A refused session is not cleared from the database: another process sharing it may have stored a
  // newer one since, and the next connect tries what is stored before it logs in.
  const persist = (event: AtpSessionEvent, session: AtpSessionData | undefined) => {
    if (event !== 'create' && event !== 'update') return;
    const value = JSON.stringify({ service: account.service, handle: account.handle, session });
    saving = saving.then(() => store.setMeta(SESSION_KEY, value)).catch((error: unknown) => log.warn({ target: 'bluesky', err: error }, 'Bluesky session not saved'));
  };
  const agent = new AtpAgent({ service: account.service, fetch: timedFetch, persistSession: persist });

  async function stored(): Promise<AtpSessionData | null> {
    const text = await store.getMeta(SESSION_KEY);
    if (!text) return null;
    const parsed = storedSchema.safeParse(JSON.parse(text));
    if (!parsed.success || parsed.data.service !== account.service || parsed.data.handle.toLowerCase() !== account.handle.toLowerCase()) return null;
    return parsed.data.session as AtpSessionData;
  }

  function pause(reason: string): DeliveryError {
    if (pausedFor !== reason) log.error({ target: 'bluesky' }, reason);
    pausedFor = reason;
    return new DeliveryError(reason, 'held', now() + PAUSE_RECHECK_MS);
  }

  async function connect(): Promise<AtpAgent> {
    const session = await stored();
    if (session) {
      try {
        await agent.resumeSession(session);
        log.info({ target: 'bluesky', did: session.did }, 'Bluesky session resumed');
        return agent;
      } catch (error) {
        // A refused refresh token clears the session: log in. Anything else (network) keeps it for the next try.
        if (agent.hasSession) throw new DeliveryError(`Bluesky session refresh failed: ${(error as Error).message}`, 'retry');
      }
    }
    try {
      await agent.login({ identifier: account.handle, password: account.appPassword });
      log.info({ target: 'bluesky', did: agent.session?.did }, 'Bluesky session created');
      return agent;
    } catch (error) {
      if (error instanceof XRPCError && error.status === 429) {
        throw new DeliveryError('Bluesky limits logins for now (429)', 'retry', rateLimitReset(error.headers?.['ratelimit-reset'], now() + DEFAULT_LIMIT_WAIT_MS));
      }
      if (error instanceof XRPCError && error.status >= 400 && error.status < 500) {
        throw pause(
          `Bluesky refused the login of ${account.handle} (${error.status} ${error.error}: ${error.message}): make a new app password in Bluesky ` +
            '(Settings, Privacy and security, App passwords), put it in BLUESKY_APP_PASSWORD, check BLUESKY_HANDLE and restart Herald (Bluesky posts wait until then)',
        );
      }
      throw new DeliveryError(`Bluesky login failed: ${(error as Error).message}`, 'retry');
    }
  }

  return {
    async agent() {
      if (pausedFor) throw new DeliveryError(pausedFor, 'held', now() + PAUSE_RECHECK_MS);
      try {
        if (agent.hasSession) return agent;
        connecting ??= connect().finally(() => (connecting = null));
        return await connecting;
      } finally {
        await saving;
      }
    },
    async drop() {
      // Not logout(): that would call deleteSession on a session Bluesky has already refused.
      agent.sessionManager.session = undefined;
    },
    saved: () => saving,
    paused: () => pausedFor,
    limitedUntil: () => (limited !== null && limited > now() ? limited : null),
    rateLimit: () => (lastLimit !== null && lastLimit.resetAt > now() ? lastLimit : null),
  };
}
