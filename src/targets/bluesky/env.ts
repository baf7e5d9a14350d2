import { ConfigError } from '../../config/config.js';
import { variablesSchema, type Environment } from '../../config/env.js';
import { redactUrlSecrets } from '../../ops/redact.js';

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

/** A handle: a domain name of at least two labels, the last not starting with a digit (atproto.com/specs/handle). */
const HANDLE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/i;
/** An account's DID, which createSession takes as well (atproto.com/specs/did). */
const DID = /^did:(plc|web):[a-zA-Z0-9._:%-]{1,2000}$/;

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

const blueskyEnvSchema = variablesSchema(BLUESKY_ENV).transform((env): BlueskyAccount | null => {
  if (Boolean(env.BLUESKY_HANDLE) !== Boolean(env.BLUESKY_APP_PASSWORD)) {
    throw new ConfigError('environment: BLUESKY_HANDLE and BLUESKY_APP_PASSWORD must be set together');
  }
  const service = env.BLUESKY_SERVICE ?? 'https://bsky.social';
  const url = URL.canParse(service) ? new URL(service) : null;
  // The app password travels to this server: plain http only to this machine (tests, a local PDS).
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname)))) {
    throw new ConfigError(`environment: BLUESKY_SERVICE: expected an https URL such as https://bsky.social (http only for 127.0.0.1 or localhost), got ${JSON.stringify(redactUrlSecrets(service))}`);
  }
  if (!env.BLUESKY_HANDLE || !env.BLUESKY_APP_PASSWORD) return null;
  const handle = env.BLUESKY_HANDLE.trim().replace(/^@/, '');
  if (!HANDLE.test(handle) && !DID.test(handle)) {
    throw new ConfigError(`environment: BLUESKY_HANDLE: expected a handle such as news.bsky.social (a domain name, without spaces), got ${JSON.stringify(env.BLUESKY_HANDLE)}`);
  }
  return { handle, appPassword: env.BLUESKY_APP_PASSWORD, service };
});

/**
 * The Bluesky account from the environment record, or null when BLUESKY_HANDLE and
 * BLUESKY_APP_PASSWORD are unset (no Bluesky). Throws ConfigError when only one of them is set, the
 * handle is not a domain name (or a DID), or BLUESKY_SERVICE is not an https URL (http is accepted for
 * loopback addresses only, so the app password never crosses a network in clear).
 */
export function readBlueskyEnv(environment: Environment): BlueskyAccount | null {
  return blueskyEnvSchema.parse(environment);
}
