import { isIP } from 'node:net';
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from './config.js';

/** The environment as one record of variable name → value: `processEnvironment()`, or a test's object. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** An environment variable Herald reads (README documents each). */
export interface EnvVar {
  readonly name: string;
  /** Tokens, keys and URLs that may hold a password: scrubbed from every log line. */
  readonly secret: boolean;
}

/** A variable's value, trimmed; unset and blank both read as undefined. */
const envText = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() ? value.trim() : undefined));

/**
 * The zod schema of a set of variables: each read as trimmed text (undefined when unset or blank),
 * keyed by its name. Herald-wide variables use it here; each destination kind for its own
 * (targets/<kind>/env.ts), so every variable is read the same way.
 */
export function variablesSchema<const Name extends string>(variables: readonly { readonly name: Name }[]) {
  return z.object(Object.fromEntries(variables.map((variable) => [variable.name, envText])) as Record<Name, typeof envText>);
}

/** The variables that belong to Herald as a whole; each destination kind lists its own. */
export const HERALD_ENV = [
  { name: 'HERALD_CONFIG', secret: false },
  // A PostgreSQL URL may carry a password.
  { name: 'DATABASE_URL', secret: true },
  { name: 'HERALD_ALLOW_PRIVATE_NETWORK', secret: false },
  { name: 'HERALD_ALLOW_PRIVATE_COMMANDS', secret: false },
  { name: 'HTTP_HOST', secret: false },
  { name: 'HTTP_PORT', secret: false },
  { name: 'HERALD_PUBLIC_URL', secret: false },
  { name: 'LOG_LEVEL', secret: false },
  { name: 'HERALD_DASHBOARD_PASSWORD', secret: true },
  // Encrypts secrets kept in the database (webhook URLs added from Discord).
  { name: 'HERALD_SECRET_KEY', secret: true },
] as const satisfies readonly EnvVar[];

const envSchema = variablesSchema(HERALD_ENV);

/** Herald-wide settings from the environment (destination kinds read theirs: deliveries/kind.ts). */
export interface Env {
  configFile: string;
  databaseUrl: string;
  /**
   * HERALD_ALLOW_PRIVATE_NETWORK: every feed (its URL, article pages, images, hub) and the CLI's
   * ad-hoc URLs may reach loopback and private addresses, as if each feed set `privateNetwork: true`.
   */
  allowPrivateNetwork: boolean;
  /**
   * HERALD_ALLOW_PRIVATE_COMMANDS: URLs that people type (slash commands, the dashboard's feed form)
   * and the feeds added that way may reach loopback and private addresses. Off by default.
   */
  allowPrivateCommands: boolean;
  /** Where the ops server (/healthz, /readyz, /metrics) listens: 127.0.0.1 unless HTTP_HOST says otherwise (the image sets 0.0.0.0). */
  httpHost: string;
  /** TCP port, 0–65535 (0: any free port). */
  httpPort: number;
  /**
   * Where the ops server is reached from the internet (HERALD_PUBLIC_URL), without a trailing slash:
   * WebSub hubs call `<publicUrl>/websub/<id>`. Null: no push, polling only.
   */
  publicUrl: string | null;
  logLevel: string;
  /** The dashboard's login password or token (HERALD_DASHBOARD_PASSWORD); null: the dashboard is read-only. */
  dashboardPassword: string | null;
  /** HERALD_SECRET_KEY: the 32-byte key that encrypts secrets kept in the database (ops/seal.ts); null: none can be added. */
  secretKey: Buffer | null;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * The process's environment variables, after merging `.env` from the working directory (variables
 * already set win, as dotenv does). The one place that reads `process.env`; everything else gets
 * what it needs from `readEnv`, a destination kind's `fromEnv`, or this record.
 */
export function processEnvironment(): Environment {
  loadDotenv({ quiet: true });
  return process.env;
}

/**
 * Reads Herald's own variables (HERALD_ENV) from the environment record, with their defaults.
 * Throws ConfigError ("environment: <NAME>: …") for a malformed HTTP_PORT, HTTP_HOST, LOG_LEVEL or
 * DATABASE_URL.
 */
export function readEnv(source: Environment): Env {
  const env = envSchema.parse(source);
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
  let publicUrl: string | null = null;
  if (env.HERALD_PUBLIC_URL) {
    const parsed = URL.canParse(env.HERALD_PUBLIC_URL) ? new URL(env.HERALD_PUBLIC_URL) : null;
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.search || parsed.hash) {
      throw new ConfigError(`environment: HERALD_PUBLIC_URL: expected the http(s) URL at which hubs reach Herald's HTTP server, such as https://herald.example.org, got ${JSON.stringify(env.HERALD_PUBLIC_URL)}`);
    }
    publicUrl = parsed.toString().replace(/\/+$/, '');
  }
  return {
    configFile: env.HERALD_CONFIG ?? 'config/herald.yaml',
    databaseUrl,
    allowPrivateNetwork: isOn(env.HERALD_ALLOW_PRIVATE_NETWORK),
    allowPrivateCommands: isOn(env.HERALD_ALLOW_PRIVATE_COMMANDS),
    httpHost,
    httpPort: port,
    publicUrl,
    logLevel,
    dashboardPassword: env.HERALD_DASHBOARD_PASSWORD ?? null,
    secretKey: secretKeyOf(source),
  };
}

/**
 * HERALD_SECRET_KEY as 32 bytes (AES-256), written as base64 or hex; null when unset. Throws
 * ConfigError naming how to make one for any other value (never quoting it: it is a secret).
 */
export function secretKeyOf(source: Environment): Buffer | null {
  const text = envSchema.parse(source).HERALD_SECRET_KEY;
  if (text === undefined) return null;
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/]{43}=?$/.test(text) ? Buffer.from(text, 'base64') : null;
  if (key?.length !== 32) {
    throw new ConfigError('environment: HERALD_SECRET_KEY: expected 32 random bytes written as base64 (44 characters) or hex (64); make one with `openssl rand -base64 32` (the value is a secret and is not shown)');
  }
  return key;
}

/** A switch variable: `1` or `true` turn it on; anything else (and unset) is off. */
function isOn(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}
