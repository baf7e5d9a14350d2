import { z } from 'zod';
import type { Destination } from '../../config/schema.js';
import { pacingKeys, pacingOf } from '../../config/pace.js';

/** The placeholders a Discord message template may use (README "Routes"). */
const PLACEHOLDERS = ['title', 'summary', 'url', 'site', 'author', 'published', 'categories', 'image', 'feed'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const channelId = z.string().regex(/^\d{17,20}$/, 'expected a Discord channel id (17–20 digits, quoted in YAML)');
const roleId = z.string().regex(/^\d{17,20}$/, 'expected a Discord role id (17–20 digits, quoted in YAML)');

/** Words Discord refuses in a webhook's name (Create Webhook: "cannot contain 'clyde' or 'discord'", case-insensitive). */
export const FORBIDDEN_WEBHOOK_NAME = /discord|clyde/i;

/** Template text of at most `max` characters: every `{name}` must be a known placeholder. */
export const templateText = (max: number) =>
  z
    .string()
    .max(max, `expected at most ${max} characters`)
    .superRefine((text, ctx) => {
      for (const [, name] of text.matchAll(/\{([^{}]*)\}/g)) {
        if (!(PLACEHOLDERS as readonly string[]).includes(name!)) {
          ctx.addIssue({ code: 'custom', message: `unknown placeholder {${name}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})` });
        }
      }
    });

const hexColor = z
  .union([z.string().regex(/^#?[0-9a-fA-F]{6}$/, 'expected a colour such as "#1d9bf0"'), z.number().int().min(0).max(0xffffff)])
  .transform((value) => (typeof value === 'number' ? value : Number.parseInt(value.replace('#', ''), 16)));

/** A route's Discord embed, as written: each text a template; limits are Discord's (discord/fit.ts). */
const embedSchema = z.strictObject({
  title: templateText(256).optional(),
  description: templateText(4096).optional(),
  /** The link of the embed's title. */
  url: templateText(2048).optional(),
  author: templateText(256).optional(),
  footer: templateText(2048).optional(),
  color: hexColor.optional(),
  /** The article's image shown large below the embed, as a thumbnail beside it, or not at all. */
  image: z.enum(['large', 'thumbnail', 'none']).optional(),
  /** The article's publication time as the embed's timestamp. */
  timestamp: z.boolean().optional(),
  fields: z.array(z.strictObject({ name: templateText(256), value: templateText(1024), inline: z.boolean().optional() })).max(25).optional(),
});

/** A route's Discord message: content above the embed, and the embed (false: none). */
const messageSchema = z
  .strictObject({ content: templateText(2000).optional(), embed: z.union([z.literal(false), embedSchema]).optional() })
  .refine((message) => message.content !== undefined || message.embed !== false, { message: 'a message without an embed needs content' });

/** What a Discord destination of a route says beyond its channel; travels with each delivery (DeliveryOptions.kindOptions). */
export const discordDestinationSchema = z.object({
  message: messageSchema.optional(),
  /** Roles to mention, only when the article matched the named filter `when` (when given). */
  mention: z.object({ roles: z.array(roleId).min(1).max(20), when: z.string().optional() }).optional(),
  /** Publish each message of an announcement channel to the servers that follow it. */
  crosspost: z.boolean().optional(),
  /** Start a thread on each message of a text channel, named by the article's title, for discussion. */
  thread: z.boolean().optional(),
  /**
   * Forum and media channels: the forum tags of each post, by the article's categories: category →
   * tag name as the channel shows it (`*`: every post). Resolved to the channel's tag ids when first used.
   */
  tags: z
    .record(z.string().trim().min(1, 'expected a category (or * for every post)'), z.string().trim().min(1, 'expected a forum tag name').max(20, 'expected a forum tag name of at most 20 characters (Discord\'s limit)'))
    .refine((tags) => Object.keys(tags).length > 0, { message: 'expected at least one category: tag name pair' })
    .optional(),
});

export type DiscordDestination = z.output<typeof discordDestinationSchema>;
export type DiscordMessageTemplate = NonNullable<DiscordDestination['message']>;

/**
 * A Discord destination in a route's `to:` list: a channel id, or `{ channel, message, mention,
 * crosspost, thread, tags, pace, quiet, digest }`. `kindOptions` is what travels with each delivery;
 * `filterNames` the named filters it uses; `pacing` its pace (config/pace.ts).
 */
const entryObject = discordDestinationSchema
  .extend({ channel: channelId, ...pacingKeys })
  .strict()
  .transform(({ channel, pace, quiet, digest, ...options }) => {
    const pacing = pacingOf({ pace, quiet, digest });
    return { address: channel, template: null, kindOptions: options, filterNames: options.mention?.when ? [options.mention.when] : [], ...(pacing ? { pacing } : {}) };
  });

export const discordEntrySchema = z.unknown().transform((value, ctx): Destination => {
  const parsed = typeof value === 'string' ? channelId.transform((address) => ({ address, template: null })).safeParse(value) : entryObject.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  return z.NEVER;
});

/** The options of a Discord delivery as they travelled; {} when absent or not valid (the default message). */
export function readDiscordDestination(kindOptions: unknown): DiscordDestination {
  const parsed = discordDestinationSchema.safeParse(kindOptions ?? {});
  return parsed.success ? parsed.data : {};
}

/** `{name}` placeholders replaced with `values[name]` (each already escaped as its place needs). */
export function fillTemplate(template: string, values: Readonly<Record<Placeholder, string>>): string {
  return template.replace(/\{([a-z]+)\}/g, (whole, name: string) => ((PLACEHOLDERS as readonly string[]).includes(name) ? values[name as Placeholder] : whole));
}
