import { z } from 'zod';
import type { Destination } from '../../config/schema.js';
import { discordDestinationSchema, FORBIDDEN_WEBHOOK_NAME, templateText } from '../discord/destination.js';

/** The text of a template outside its placeholders. */
const literal = (template: string) => template.replace(/\{[a-z]+\}/g, '');

/**
 * What a Discord webhook destination says: the environment variable holding its URL (a secret, so
 * never in the config file), the name and avatar it posts under, and the message and role pings as
 * for a channel (discord/destination.ts). Travels with each delivery (DeliveryOptions.kindOptions):
 * the variable's name, never its value.
 */
const identitySchema = discordDestinationSchema.pick({ message: true, mention: true }).extend({
  /** The name shown on each message: 1–80 characters after substitution (Discord's limit). */
  username: templateText(80)
    .refine((text) => literal(text).trim() !== '' || /\{[a-z]+\}/.test(text), 'expected a name such as "{feed}" or "Herald News"')
    .refine((text) => !FORBIDDEN_WEBHOOK_NAME.test(literal(text)), 'Discord refuses a webhook name containing "discord" or "clyde"')
    .optional(),
  /** The avatar shown on each message: an http(s) image URL, or a placeholder that fills to one ({image}). */
  avatar: templateText(2048)
    .refine((text) => /^(https?:\/\/\S+|\{[a-z]+\}\S*)$/.test(text.trim()), 'expected an http(s) image URL such as https://example.org/logo.png')
    .optional(),
});
const urlEnv = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable that holds the webhook URL, such as NEWS_WEBHOOK');

/**
 * Where the webhook's URL is: the variable a config route names (`url_env`), or, for a webhook
 * given with /feeds add, the URL itself sealed with HERALD_SECRET_KEY (`sealed`, ops/seal.ts). One of the two.
 */
const webhookDestinationSchema = identitySchema
  .extend({ url_env: urlEnv.optional(), sealed: z.string().startsWith('v1:').optional() })
  .refine((options) => (options.url_env === undefined) !== (options.sealed === undefined), 'expected url_env or sealed');

export type WebhookDestination = z.output<typeof webhookDestinationSchema>;

/** A `{ discord_webhook: { url_env, username, avatar, message, mention } }` entry; its address (the webhook id) comes from the environment (kind.ts resolve). */
export const webhookEntrySchema = identitySchema.extend({ url_env: urlEnv }).strict().transform(
  (options): Destination => ({ address: '', template: null, kindOptions: options, filterNames: options.mention?.when ? [options.mention.when] : [] }),
);

/** The options of a webhook delivery as they travelled, or null when they are not valid (a damaged row: it cannot be sent). */
export function readWebhookDestination(kindOptions: unknown): WebhookDestination | null {
  const parsed = webhookDestinationSchema.safeParse(kindOptions ?? {});
  return parsed.success ? parsed.data : null;
}
