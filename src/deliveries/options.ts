import { z } from 'zod';
import { pacingSchema } from '../config/pacing.js';
import type { StoredOptions } from '../store/store.js';

/**
 * What a route and its feed say about one delivery (template, style, priority …). Ingest records
 * them on the delivery, in the same transaction that records the delivery, so a queued delivery
 * is sent as it was routed even after a config reload or a restart. They reach the target with
 * the send (SendContext.options) and the delivery policy with the queue (QueuedDelivery.options).
 *
 * This is the one place for per-route, per-destination options: a new one is a new field here.
 * Rows keep the options of the release that wrote them, so a new field must be optional or have a
 * `.default()`; a field the reading release does not know is dropped.
 */
const DeliveryOptionsSchema = z.object({
  /** The post template the route gives (placeholders of the kind), or null for the kind's default. */
  template: z.string().nullable().default(null),
  /** How the feed is shown beside its posts: display name and colour (0xRRGGBB). */
  style: z.object({ name: z.string(), color: z.number().int().min(0).max(0xffffff) }),
  /** The feed's priority: higher goes first when a budget allows fewer posts than wait. */
  priority: z.number().int().default(0),
  /** The rule of the route's filter that let the article through, in words (for /why), or null when the route has no filter. */
  filter: z.string().nullable().optional(),
  /** What the route's entry says that only its kind reads (config Destination.kindOptions); the kind validates it when it sends. */
  kindOptions: z.record(z.string(), z.unknown()).optional(),
  /** The names of the top-level `filters:` the article matched when it was routed (for role pings that name one). */
  matches: z.array(z.string()).optional(),
  /** The route's approval desk (config ApprovalConfig): the delivery is held until a moderator approves it. */
  approval: z.object({ channel: z.string(), expireMs: z.number().int().positive(), onExpiry: z.enum(['skip', 'post']) }).optional(),
  /** The destination's pace (config/pacing.ts): posts per period, quiet hours, a scheduled digest; the outbox applies it (deliveries/pace.ts). */
  pacing: pacingSchema.optional(),
});

export type DeliveryOptions = z.infer<typeof DeliveryOptionsSchema>;

/** Discord's blurple: the colour of a feed whose options are unknown. */
const DEFAULT_COLOR = 0x5865f2;

/**
 * The options stored on a delivery row, validated (a database row is external input). Returns
 * null when the row holds none (recorded before options were stored, or by an older release) or
 * holds something that is not DeliveryOptions; the caller then uses `fallbackOptions`.
 */
export function readDeliveryOptions(stored: unknown): DeliveryOptions | null {
  if (stored === null || stored === undefined) return null;
  const parsed = DeliveryOptionsSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/** Options for a delivery whose row holds none usable: the kind's default template, the feed id as its name, priority 0. */
export function fallbackOptions(feedId: string): DeliveryOptions {
  return { template: null, style: { name: feedId, color: DEFAULT_COLOR }, priority: 0 };
}

/**
 * A delivery's stored options once its article was edited by the publisher: of the top-level
 * filters it matched when routed (`matches`), only those the edited article still matches
 * (`matched`) stay. An edit may drop a match (the edited message loses a role ping the new text no
 * longer earns) but never adds one: Discord rebuilds an edited message's mentions from its new
 * content and allowed_mentions (Edit Message), and whether a mention added by an edit notifies is
 * not documented and differs between clients, so an edit never shows a ping the first post did not
 * make. Other fields are kept as they are. Pure.
 */
export function narrowMatches(options: StoredOptions, matched: readonly string[]): StoredOptions {
  const { matches, ...rest } = options;
  if (!Array.isArray(matches)) return options;
  const kept = matches.filter((name) => typeof name === 'string' && matched.includes(name));
  return kept.length > 0 ? { ...rest, matches: kept } : rest;
}
