import { variablesSchema, type Environment } from '../../config/env.js';
import { DISCORD_ENV } from '../discord/env.js';
import { unseal } from '../../ops/seal.js';

/** DISCORD_API_URL, which the Discord kind lists (a variable is listed once): where Discord is. */
const apiUrlSchema = variablesSchema(DISCORD_ENV.filter((variable) => variable.name === 'DISCORD_API_URL'));

/** Discord's REST base URL: DISCORD_API_URL, else https://discord.com/api (no trailing slash). Never throws. */
export function discordApiUrl(environment: Environment): string {
  return (apiUrlSchema.parse(environment).DISCORD_API_URL ?? 'https://discord.com/api').replace(/\/+$/, '');
}

/** A webhook as its URL names it: the id (not secret) and the token (a secret: it lets anyone post). */
export interface WebhookCredentials {
  /** The webhook's id, a snowflake (17–20 digits). */
  id: string;
  token: string;
}

/** Discord's own webhook URLs (discord.com, its ptb and canary hosts, and the older discordapp.com), with an optional API version. */
const DISCORD_WEBHOOK_URL = /^https:\/\/(?:(?:ptb|canary)\.)?discord(?:app)?\.com\/api(?:\/v\d{1,2})?\/webhooks\/(\d{17,20})\/([\w-]{60,100})\/?$/;
/** The part after DISCORD_API_URL of a webhook URL on another Discord (tests' fake). */
const WEBHOOK_PATH = /^(?:\/v\d{1,2})?\/webhooks\/(\d{17,20})\/([\w-]{60,100})\/?$/;

/**
 * The id and token of a Discord webhook URL, as "Copy Webhook URL" gives it
 * (https://discord.com/api/webhooks/<id>/<token>), or one under `apiUrl` (DISCORD_API_URL);
 * null for anything else (another host, a query string, a token of the wrong shape). Pure.
 */
export function parseWebhookUrl(url: string, apiUrl: string): WebhookCredentials | null {
  const text = url.trim();
  const match = DISCORD_WEBHOOK_URL.exec(text) ?? (text.startsWith(`${apiUrl}/`) ? WEBHOOK_PATH.exec(text.slice(apiUrl.length)) : null);
  return match ? { id: match[1]!, token: match[2]! } : null;
}

/**
 * The webhook whose URL the variable `name` holds, or what is wrong with it, in words that never
 * quote its value (a secret). `apiUrl` is DISCORD_API_URL (see parseWebhookUrl). Pure.
 */
export function webhookFromEnv(environment: Environment, name: string, apiUrl: string): WebhookCredentials | string {
  const value = environment[name]?.trim();
  if (!value) return `${name} is not set: put the webhook's URL in it (in Discord: the channel's settings, Integrations, Webhooks, Copy Webhook URL)`;
  return (
    parseWebhookUrl(value, apiUrl) ??
    `${name} does not hold a Discord webhook URL such as https://discord.com/api/webhooks/<id>/<token> (the value is a secret and is not shown)`
  );
}

/**
 * The webhook a URL sealed with HERALD_SECRET_KEY holds (a webhook added with /feeds add), or what
 * is wrong, in words that never quote it: no key, or one that cannot open it (another key than the
 * one it was added with). `apiUrl` is DISCORD_API_URL (see parseWebhookUrl). Pure.
 */
export function unsealWebhook(sealed: string, key: Buffer | null, apiUrl: string): WebhookCredentials | string {
  if (!key) return 'a webhook added with /feeds add needs HERALD_SECRET_KEY, the key its URL was encrypted with; set it and restart Herald';
  const url = unseal(sealed, key);
  const webhook = url === null ? null : parseWebhookUrl(url, apiUrl);
  return webhook ?? 'HERALD_SECRET_KEY cannot decrypt the URL of a webhook added with /feeds add (another key than the one it was added with?); set that key and restart Herald, or add the webhook again';
}
