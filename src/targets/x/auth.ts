import type { Logger } from 'pino';
import { ApiResponseError, TwitterApi } from 'twitter-api-v2';
import type { KeyValues } from '../../store/store.js';
import type { OAuth2App, XCredentials } from './env.js';
import { redirectPlugin, type XClientSource } from './publisher.js';

/** Where OAuth 2 tokens live: the database, so they survive restarts and rotation. */
const OAUTH2_TOKENS_KEY = 'x.oauth2.tokens';
export const OAUTH2_SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'offline.access', 'media.write'];
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 120_000;

export interface OAuth2Tokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

function plugins(apiUrl: string | null) {
  return apiUrl ? [redirectPlugin(apiUrl)] : [];
}

/** Why X posting is paused, or null: each new reason is logged once, as an error. */
function pauseSwitch(log: Logger) {
  let reason: string | null = null;
  return {
    reason: () => reason,
    pause(next: string) {
      if (reason === next) return;
      reason = next;
      log.error({ target: 'x' }, next);
    },
    resume() {
      reason = null;
    },
  };
}

/**
 * OAuth 1.0a keys from the environment. X's 401 means the keys are wrong or revoked: posting pauses
 * with one clear error, and what waits goes out after a restart with the right keys.
 */
export function oauth1Source(credentials: XCredentials, apiUrl: string | null, log: Logger): XClientSource {
  const client = new TwitterApi(credentials, { plugins: plugins(apiUrl) });
  const state = pauseSwitch(log);
  return {
    client: async () => client,
    async recover() {
      state.pause('X refused the OAuth 1.0a keys: check X_APP_KEY, X_APP_SECRET, X_ACCESS_TOKEN and X_ACCESS_SECRET, then restart Herald (X posts wait until then)');
      return false;
    },
    pause: state.pause,
    paused: async () => state.reason(),
  };
}

/** The app-level client that logs in and refreshes; it carries the plugin, as helpers made inside the library would not. */
export function oauth2AppClient(app: OAuth2App): TwitterApi {
  const credentials = app.clientSecret ? { clientId: app.clientId, clientSecret: app.clientSecret } : { clientId: app.clientId };
  return new TwitterApi(credentials, { plugins: plugins(app.apiUrl) });
}

export async function saveTokens(store: KeyValues, tokens: OAuth2Tokens): Promise<void> {
  await store.setMeta(OAUTH2_TOKENS_KEY, JSON.stringify(tokens));
}

async function loadTokens(store: KeyValues): Promise<OAuth2Tokens | null> {
  const stored = await store.getMeta(OAUTH2_TOKENS_KEY);
  return stored ? (JSON.parse(stored) as OAuth2Tokens) : null;
}

/**
 * OAuth 2 user context from tokens stored by `herald x login`. A refresh rotates the refresh token:
 * the new pair is saved before the new access token is used, so a crash never leaves the database
 * holding only a token X has already invalidated. A refused refresh (revoked access) pauses
 * posting with one clear error instead of failing every post; posting resumes, without a restart,
 * once `herald x login` has stored new tokens.
 */
export async function oauth2Source(app: OAuth2App, store: KeyValues, log: Logger, now: () => number = Date.now): Promise<XClientSource> {
  let tokens = await loadTokens(store);
  const state = pauseSwitch(log);
  if (!tokens) state.pause('X is not authorized yet: run `herald x login` (X posts wait until then)');
  let refreshing: Promise<boolean> | null = null;

  async function refresh(): Promise<boolean> {
    if (!tokens) return false;
    try {
      const result = await oauth2AppClient(app).refreshOAuth2Token(tokens.refreshToken);
      const next = { accessToken: result.accessToken, refreshToken: result.refreshToken ?? tokens.refreshToken, expiresAt: now() + result.expiresIn * 1000 };
      await saveTokens(store, next);
      tokens = next;
      log.info({ target: 'x', expiresAt: new Date(next.expiresAt).toISOString() }, 'X access token refreshed');
      return true;
    } catch (error) {
      if (error instanceof ApiResponseError && (error.code === 400 || error.code === 401)) {
        state.pause('X authorization was revoked or has expired: run `herald x login` again (X posts wait until then)');
        return false;
      }
      throw error;
    }
  }

  /** One refresh at a time: concurrent callers share it instead of spending the refresh token twice. */
  function refreshOnce(): Promise<boolean> {
    refreshing ??= refresh().finally(() => (refreshing = null));
    return refreshing;
  }

  return {
    async client() {
      if (!tokens || state.reason()) throw new Error(state.reason() ?? 'X is not authorized');
      if (tokens.expiresAt - now() < REFRESH_MARGIN_MS && !(await refreshOnce())) throw new Error(state.reason() ?? 'X token refresh failed');
      return new TwitterApi(tokens.accessToken, { plugins: plugins(app.apiUrl) });
    },
    recover: refreshOnce,
    pause: state.pause,
    /** A new `herald x login` (tokens other than the ones in use) lifts any pause. */
    async paused() {
      if (!state.reason()) return null;
      const stored = await loadTokens(store);
      if (stored && stored.refreshToken !== tokens?.refreshToken) {
        tokens = stored;
        state.resume();
        log.info({ target: 'x' }, 'X authorized again: posting resumes');
      }
      return state.reason();
    },
  };
}
