import { ConfigError } from '../../config/config.js';
import { variablesSchema, type Environment } from '../../config/env.js';

/** The variables the Mastodon kind reads (README "Environment"). */
export const MASTODON_ENV = [
  { name: 'MASTODON_URL', secret: false },
  { name: 'MASTODON_TOKEN', secret: true },
] as const;

/** The Mastodon account Herald posts as, from the environment. */
export interface MastodonEnv {
  /** The instance's base URL, e.g. https://mastodon.social (no trailing slash). */
  url: string;
  /** An access token with the scopes write:statuses and write:media. */
  token: string;
}

const mastodonEnvSchema = variablesSchema(MASTODON_ENV);

/**
 * The Mastodon account from the environment record, or null when neither MASTODON_URL nor
 * MASTODON_TOKEN is set (no Mastodon). Throws ConfigError when only one is set, or MASTODON_URL is
 * not an http(s) URL.
 */
export function readMastodonEnv(environment: Environment): MastodonEnv | null {
  const env = mastodonEnvSchema.parse(environment);
  if (!env.MASTODON_URL && !env.MASTODON_TOKEN) return null;
  if (!env.MASTODON_URL || !env.MASTODON_TOKEN) throw new ConfigError('environment: MASTODON_URL and MASTODON_TOKEN must be set together');
  const url = URL.canParse(env.MASTODON_URL) ? new URL(env.MASTODON_URL) : null;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConfigError(`environment: MASTODON_URL: expected the instance's address, such as https://mastodon.social, got ${JSON.stringify(env.MASTODON_URL)}`);
  }
  return { url: url.origin + url.pathname.replace(/\/+$/, ''), token: env.MASTODON_TOKEN };
}
