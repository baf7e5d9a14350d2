import { z } from 'zod';
import { conditionSchema, routeFilterSchema, type RouteFilter } from '../../config/filter.js';

const roleId = z.string().regex(/^\d{17,20}$/);

/**
 * What a feed added with /feeds add says about the posts in its channel, as stored with it
 * (Store DiscordFeed.options): words an item must have (`include`) or must not have (`exclude`),
 * each a word or phrase, and a role to ping on each post (`mention`). The same rules as a route's
 * filter and `mention` in the config file (config/filter.ts, discord/destination.ts).
 */
const addedFeedOptionsSchema = z.object({
  include: z.array(z.string().min(1)).min(1).optional(),
  exclude: z.array(z.string().min(1)).min(1).optional(),
  mention: roleId.optional(),
  /** A webhook to post through instead of the bot: its id (shown as `webhook <id>`) and its URL sealed with HERALD_SECRET_KEY (ops/seal.ts). */
  webhook: z.object({ id: z.string().regex(/^\d{17,20}$/), sealed: z.string().startsWith('v1:') }).optional(),
});
export type AddedFeedOptions = z.infer<typeof addedFeedOptionsSchema>;

/** The options of an added feed as stored; {} when there are none (or they are not valid: the feed then posts as before). */
export function readAddedFeedOptions(stored: unknown): AddedFeedOptions {
  const parsed = addedFeedOptionsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : {};
}

/**
 * Words typed in a command option: entries separated by commas, each a word or a phrase
 * (`heat pump, solar`), matched as a route's `words` (whole words, case- and accent-insensitive).
 * Returns the entries (none for empty text), or a problem in words. `what` names the option.
 */
export function readTypedWords(typed: string | undefined, what: string): { words: string[] } | { problem: string } {
  const words = [...new Set((typed ?? '').split(',').map((entry) => entry.replace(/\s+/g, ' ').trim()).filter(Boolean))];
  if (words.length === 0) return { words };
  const parsed = conditionSchema.safeParse({ words });
  return parsed.success ? { words } : { problem: `${what}: ${parsed.error.issues[0]!.message}` };
}

/**
 * The route an added feed gets from its options: where it posts (its channel, or the webhook it was
 * added with), its filter (null: none) and what its destination says (the role ping; the sealed
 * webhook URL), as a route in the config file would give them. Pure.
 */
export function addedFeedRoute(
  options: AddedFeedOptions,
  channelId: string,
): { kind: 'discord' | 'discord_webhook'; address: string; filter: RouteFilter | null; kindOptions: Record<string, unknown> | null } {
  const words = (list: string[] | undefined) => (list ? { words: list } : undefined);
  const filter = options.include || options.exclude ? routeFilterSchema.parse({ include: words(options.include), exclude: words(options.exclude) }) : null;
  const mention = options.mention ? { mention: { roles: [options.mention] } } : {};
  if (options.webhook) return { kind: 'discord_webhook', address: options.webhook.id, filter, kindOptions: { ...mention, sealed: options.webhook.sealed } };
  return { kind: 'discord', address: channelId, filter, kindOptions: options.mention ? mention : null };
}
