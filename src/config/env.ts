import { isIP } from 'node:net';
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from './config.js';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() ? value.trim() : undefined));

const envSchema = z.object({
  DISCORD_TOKEN: optionalText,
  DISCORD_API_URL: optionalText,
  DISCORD_GUILD_ID: optionalText,
  X_APP_KEY: optionalText,
  X_APP_SECRET: optionalText,
  X_ACCESS_TOKEN: optionalText,
  X_ACCESS_SECRET: optionalText,
  X_API_URL: optionalText,
  X_CLIENT_ID: optionalText,
  X_CLIENT_SECRET: optionalText,
  X_REDIRECT_URI: optionalText,
  HERALD_CONFIG: optionalText,
  DATABASE_URL: optionalText,
  HERALD_ALLOW_PRIVATE_NETWORK: optionalText,
  HTTP_HOST: optionalText,
  HTTP_PORT: optionalText,
  LOG_LEVEL: optionalText,
});

export interface XCredentials {
  appKey: string;
  appSecret: string;
  accessToken: string;
  accessSecret: string;
}

export interface Env {
  discord: { token: string; apiUrl: string; guildId: string | null } | null;
  /** OAuth 1.0a keys from the environment, or OAuth 2 (tokens in the database, from `herald x login`). */
  x: { mode: 'oauth1'; credentials: XCredentials; apiUrl: string | null } | { mode: 'oauth2'; clientId: string; clientSecret: string | null; apiUrl: string | null } | null;
  /** The OAuth 2 app, when X_CLIENT_ID is set (for `herald x login`). */
  xOAuth2: { clientId: string; clientSecret: string | null; redirectUri: string; apiUrl: string | null } | null;
  configFile: string;
  databaseUrl: string;
  allowPrivateNetwork: boolean;
  /** Where the ops server (/healthz, /readyz, /metrics) listens: 127.0.0.1 unless HTTP_HOST says otherwise (the image sets 0.0.0.0). */
  httpHost: string;
  httpPort: number;
  logLevel: string;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The only reader of environment variables. `.env` is merged in by the caller (dotenv) before this runs. */
/**
 * The process's environment variables, after merging `.env` from the working directory (variables
 * already set win, as dotenv does). The one place that reads `process.env`; everything else gets
 * what it needs from `readEnv` or from this object.
 */
export function processEnvironment(): Readonly<NodeJS.ProcessEnv> {
  loadDotenv({ quiet: true });
  return process.env;
}

export function readEnv(source: NodeJS.ProcessEnv): Env {
  const env = envSchema.parse(source);
  const xParts = [env.X_APP_KEY, env.X_APP_SECRET, env.X_ACCESS_TOKEN, env.X_ACCESS_SECRET];
  const xSet = xParts.filter(Boolean).length;
  if (xSet > 0 && xSet < 4) {
    throw new ConfigError('environment: X_APP_KEY, X_APP_SECRET, X_ACCESS_TOKEN and X_ACCESS_SECRET must be set together');
  }
  const port = env.HTTP_PORT === undefined ? 8080 : Number(env.HTTP_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`environment: HTTP_PORT: expected a port number, got ${JSON.stringify(env.HTTP_PORT)}`);
  }
  const httpHost = env.HTTP_HOST ?? '127.0.0.1';
  if (!isIP(httpHost) && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(httpHost)) {
    throw new ConfigError(`environment: HTTP_HOST: expected an address to listen on, such as 127.0.0.1, 0.0.0.0 or ::, got ${JSON.stringify(env.HTTP_HOST)}`);
  }
  const logLevel = (env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!LEVELS.includes(logLevel)) {
    throw new ConfigError(`environment: LOG_LEVEL: expected one of ${LEVELS.join(', ')}, got ${JSON.stringify(env.LOG_LEVEL)}`);
  }
  const databaseUrl = env.DATABASE_URL ?? 'sqlite:data/herald.db';
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError('environment: DATABASE_URL: expected sqlite:<path> or postgres://…');
  }
  return {
    discord: env.DISCORD_TOKEN
      ? { token: env.DISCORD_TOKEN, apiUrl: env.DISCORD_API_URL ?? 'https://discord.com/api', guildId: env.DISCORD_GUILD_ID ?? null }
      : null,
    // OAuth 1.0a keys win when both are set: they need no stored state.
    x:
      xSet === 4
        ? {
            mode: 'oauth1',
            credentials: { appKey: env.X_APP_KEY!, appSecret: env.X_APP_SECRET!, accessToken: env.X_ACCESS_TOKEN!, accessSecret: env.X_ACCESS_SECRET! },
            apiUrl: env.X_API_URL ?? null,
          }
        : env.X_CLIENT_ID
          ? { mode: 'oauth2', clientId: env.X_CLIENT_ID, clientSecret: env.X_CLIENT_SECRET ?? null, apiUrl: env.X_API_URL ?? null }
          : null,
    xOAuth2: env.X_CLIENT_ID
      ? { clientId: env.X_CLIENT_ID, clientSecret: env.X_CLIENT_SECRET ?? null, redirectUri: env.X_REDIRECT_URI ?? 'http://127.0.0.1:8788/callback', apiUrl: env.X_API_URL ?? null }
      : null,
    configFile: env.HERALD_CONFIG ?? 'config/herald.yaml',
    databaseUrl,
    allowPrivateNetwork: env.HERALD_ALLOW_PRIVATE_NETWORK === '1' || env.HERALD_ALLOW_PRIVATE_NETWORK === 'true',
    httpHost,
    httpPort: port,
    logLevel,
  };
}
