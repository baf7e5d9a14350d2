import { z } from 'zod';
import type { Destination } from '../../config/schema.js';

/** Who sees a status (POST /api/v1/statuses `visibility`, docs.joinmastodon.org/methods/statuses). */
const VISIBILITIES = ['public', 'unlisted', 'private', 'direct'] as const;

/** What a route's `{ mastodon: { … } }` entry says about its statuses. */
export interface MastodonRoute {
  visibility: (typeof VISIBILITIES)[number];
  /** A content warning shown before the status, or null. */
  spoiler: string | null;
  /** ISO 639 language code of the statuses, or null for the account's default. */
  language: string | null;
  /** Attach the article's lead image with its title as description. */
  images: boolean;
}

const DEFAULT_ROUTE: MastodonRoute = { visibility: 'public', spoiler: null, language: null, images: true };

/** A route's `{ mastodon: { visibility?, spoiler?, language?, images? } }` entry: the account from the environment. */
export const mastodonEntrySchema = z
  .strictObject({
    visibility: z.enum(VISIBILITIES).default('public'),
    spoiler: z.string().trim().min(1).max(200).optional(),
    language: z.string().regex(/^[a-z]{2,3}$/, 'expected an ISO 639 language code such as "en" or "uk"').optional(),
    images: z.boolean().default(true),
  })
  .nullable()
  .transform((entry): Destination => {
    const route: MastodonRoute = entry ? { visibility: entry.visibility, spoiler: entry.spoiler ?? null, language: entry.language ?? null, images: entry.images } : DEFAULT_ROUTE;
    return { address: '', template: null, kindOptions: { ...route } };
  });

/** The route options as a delivery row keeps them (DeliveryOptions.kindOptions). */
const storedRouteSchema = z.object({ visibility: z.enum(VISIBILITIES), spoiler: z.string().nullable(), language: z.string().nullable(), images: z.boolean() });

/**
 * The route options a delivery carries (DeliveryOptions.kindOptions, read back from the database),
 * checked; the defaults when there are none or they are not what this release writes.
 */
export function mastodonRoute(kindOptions: unknown): MastodonRoute {
  const parsed = storedRouteSchema.safeParse(kindOptions);
  return parsed.success ? parsed.data : DEFAULT_ROUTE;
}
