import { ConfigError } from '../../config/config.js';
import { variablesSchema, type Environment } from '../../config/env.js';

/** The variables the X kind reads (README "Environment"). */
export const X_ENV = [
  { name: 'X_APP_KEY', secret: true },
  { name: 'X_APP_SECRET', secret: true },
  { name: 'X_ACCESS_TOKEN', secret: true },
  { name: 'X_ACCESS_SECRET', secret: true },
  { name: 'X_CLIENT_ID', secret: false },
  { name: 'X_CLIENT_SECRET', secret: true },
  { name: 'X_REDIRECT_URI', secret: false },
  { name: 'X_API_URL', secret: false },
] as const;

/** OAuth 1.0a user-context keys (X_APP_KEY, X_APP_SECRET, X_ACCESS_TOKEN, X_ACCESS_SECRET). */
export interface XCredentials {
  appKey: string;
  appSecret: string;
  accessToken: string;
  accessSecret: string;
}

/** An OAuth 2 app (X_CLIENT_ID, X_CLIENT_SECRET for a confidential client). */
export interface OAuth2App {
  clientId: string;
  clientSecret: string | null;
  /** Replaces https://api.x.com and https://upload.x.com (X_API_URL); null: X's own hosts. */
  apiUrl: string | null;
}

/** How Herald posts to X: OAuth 1.0a keys from the environment, or OAuth 2 (tokens in the database, from `herald x login`). */
type XAccount = { mode: 'oauth1'; credentials: XCredentials; apiUrl: string | null } | ({ mode: 'oauth2' } & OAuth2App);

/** What the X variables say. */
export interface XEnv {
  /** The account to post as, or null when neither the four OAuth 1.0a keys nor X_CLIENT_ID are set (no X). */
  account: XAccount | null;
  /** The OAuth 2 app `herald x login` logs in with, when X_CLIENT_ID is set. */
  loginApp: (OAuth2App & { redirectUri: string }) | null;
}

const xEnvSchema = variablesSchema(X_ENV).transform((env): XEnv => {
  const keys = [env.X_APP_KEY, env.X_APP_SECRET, env.X_ACCESS_TOKEN, env.X_ACCESS_SECRET];
  const keysSet = keys.filter(Boolean).length;
  if (keysSet > 0 && keysSet < 4) {
    throw new ConfigError('environment: X_APP_KEY, X_APP_SECRET, X_ACCESS_TOKEN and X_ACCESS_SECRET must be set together');
  }
  const apiUrl = env.X_API_URL ?? null;
  const app = env.X_CLIENT_ID ? { clientId: env.X_CLIENT_ID, clientSecret: env.X_CLIENT_SECRET ?? null, apiUrl } : null;
  return {
    // OAuth 1.0a keys win when both are set: they need no stored state.
    account:
      keysSet === 4
        ? { mode: 'oauth1', credentials: { appKey: env.X_APP_KEY!, appSecret: env.X_APP_SECRET!, accessToken: env.X_ACCESS_TOKEN!, accessSecret: env.X_ACCESS_SECRET! }, apiUrl }
        : app && { mode: 'oauth2', ...app },
    loginApp: app && { ...app, redirectUri: env.X_REDIRECT_URI ?? 'http://127.0.0.1:8788/callback' },
  };
});

/**
 * The X variables from the environment record. Throws ConfigError when only some of the four
 * OAuth 1.0a keys are set.
 */
export function readXEnv(environment: Environment): XEnv {
  return xEnvSchema.parse(environment);
}
