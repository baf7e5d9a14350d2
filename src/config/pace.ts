import { z } from 'zod';
import { duration } from './schema.js';
import { WEEKDAYS, type Pacing } from './pacing.js';

/**
 * The pace of one destination (README "Routes", "Pace"): how many posts a period may carry, the
 * quiet hours when nothing is posted, and a scheduled digest. Written under a destination of a
 * route (`{ discord: { channel, pace, quiet, digest } }`), checked here at load, and carried with
 * each delivery (deliveries/options.ts DeliveryOptions.pacing) in the shape `Pacing`.
 */

/** A wall-clock time "HH:MM", 00:00 to 23:59, as minutes after midnight. */
const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day such as "07:00" (24-hour, quoted in YAML)')
  .transform((text) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3)));

/** An IANA time zone name ("Europe/Berlin", "UTC"), as Intl knows it. */
const zone = z.string().superRefine((name, ctx) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    ctx.addIssue({ code: 'custom', message: `unknown time zone ${JSON.stringify(name)} (expected an IANA name such as "Europe/Berlin" or "UTC")` });
  }
});

/** The most articles a scheduled digest lists. */
const MAX_TOP = 50;

/**
 * The keys `pace`, `quiet` and `digest` of a destination, as written in the config file. Their
 * output is `Pacing` (absent keys left out).
 */
export const pacingKeys = {
  pace: z
    .strictObject({ posts: z.number().int().min(1).max(1000), per: duration(60_000, 7 * 86_400_000, 'h') })
    .transform(({ posts, per }) => ({ posts, perMs: per }))
    .optional(),
  quiet: z
    .strictObject({ from: clock, to: clock, zone })
    .refine((quiet) => quiet.from !== quiet.to, { message: 'quiet hours need "from" and "to" to differ' })
    .optional(),
  digest: z
    .strictObject({
      every: z.enum(['daily', 'weekly']),
      on: z.enum(WEEKDAYS).default('monday'),
      at: clock,
      zone: zone.default('UTC'),
      top: z.number().int().min(1).max(MAX_TOP).default(10),
      only: z.boolean().default(false),
    })
    .optional(),
};

/** The `Pacing` of a destination's parsed keys, or undefined when it sets none of them. */
export function pacingOf(keys: { pace?: Pacing['pace']; quiet?: Pacing['quiet']; digest?: Pacing['digest'] }): Pacing | undefined {
  const pacing: Pacing = {};
  if (keys.pace) pacing.pace = keys.pace;
  if (keys.quiet) pacing.quiet = keys.quiet;
  if (keys.digest) pacing.digest = keys.digest;
  return Object.keys(pacing).length > 0 ? pacing : undefined;
}
