import { ConfigError } from '../../config/config.js';
import { variablesSchema, type Environment } from '../../config/env.js';

/** The variables the Telegram kind reads (README "Environment"). */
export const TELEGRAM_ENV = [
  { name: 'TELEGRAM_BOT_TOKEN', secret: true },
  { name: 'TELEGRAM_API_URL', secret: false },
] as const;

/** The Telegram bot Herald posts as, from the environment. */
export interface TelegramEnv {
  /** The token @BotFather gives: "<bot id>:<secret>". */
  token: string;
  /** The Bot API's base URL (a local Bot API server, or the fake in tests). */
  apiRoot: string;
}

const telegramEnvSchema = variablesSchema(TELEGRAM_ENV);

/**
 * The Telegram bot from the environment record, or null when TELEGRAM_BOT_TOKEN is unset (no
 * Telegram). Throws ConfigError for a token that is not "<digits>:<secret>" or a TELEGRAM_API_URL
 * that is not an http(s) URL.
 */
export function readTelegramEnv(environment: Environment): TelegramEnv | null {
  const env = telegramEnvSchema.parse(environment);
  if (!env.TELEGRAM_BOT_TOKEN) return null;
  if (!/^\d+:[\w-]{20,}$/.test(env.TELEGRAM_BOT_TOKEN)) {
    throw new ConfigError('environment: TELEGRAM_BOT_TOKEN: expected the token @BotFather gives, such as 123456789:AAH…');
  }
  const apiRoot = env.TELEGRAM_API_URL ?? 'https://api.telegram.org';
  if (!/^https?:\/\/[^/]/.test(apiRoot)) throw new ConfigError(`environment: TELEGRAM_API_URL: expected an http(s) URL, got ${JSON.stringify(apiRoot)}`);
  return { token: env.TELEGRAM_BOT_TOKEN, apiRoot: apiRoot.replace(/\/+$/, '') };
}
