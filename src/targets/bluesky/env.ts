import { ConfigError } from '../../config/config.js';
import { variablesSchema, type Environment } from '../../config/env.js';

/** The variables the Bluesky kind reads (README "Environment"). */
export const BLUESKY_ENV = [
  { name: 'BLUESKY_HANDLE', secret: false },
  { name: 'BLUESKY_APP_PASSWORD', secret: true },
  { name: 'BLUESKY_SERVICE', secret: false },
] as const;

/** The account Herald posts as: its handle (without "@"), an app password, and the server it lives on. */
export interface BlueskyAccount {
  handle: string;
  appPassword: string;
  /** The PDS or entryway URL (BLUESKY_SERVICE). */
  service: string;
}

const blueskyEnvSchema = variablesSchema(BLUESKY_ENV).transform((env): BlueskyAccount | null => {
  if (Boolean(env.BLUESKY_HANDLE) !== Boolean(env.BLUESKY_APP_PASSWORD)) {
    throw new ConfigError('environment: BLUESKY_HANDLE and BLUESKY_APP_PASSWORD must be set together');
  }
  const service = env.BLUESKY_SERVICE ?? 'https://bsky.social';
  if (!URL.canParse(service) || !/^https?:$/.test(new URL(service).protocol)) {
    throw new ConfigError(`environment: BLUESKY_SERVICE: expected an http(s) URL such as https://bsky.social, got ${JSON.stringify(env.BLUESKY_SERVICE)}`);
  }
  return env.BLUESKY_HANDLE && env.BLUESKY_APP_PASSWORD ? { handle: env.BLUESKY_HANDLE.replace(/^@/, ''), appPassword: env.BLUESKY_APP_PASSWORD, service } : null;
});

/**
 * The Bluesky account from the environment record, or null when BLUESKY_HANDLE and
 * BLUESKY_APP_PASSWORD are unset (no Bluesky). Throws ConfigError when only one of them is set or
 * BLUESKY_SERVICE is not an http(s) URL.
 */
export function readBlueskyEnv(environment: Environment): BlueskyAccount | null {
  return blueskyEnvSchema.parse(environment);
}
