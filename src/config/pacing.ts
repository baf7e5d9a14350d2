import { z } from 'zod';

/**
 * A destination's pace as it travels with each delivery (deliveries/options.ts) and is read back
 * from the database: minutes after midnight and milliseconds. The config file's keys that produce
 * it are in pace.ts.
 */

/** Days of the week in the order of Date.getUTCDay(). */
export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/** The stored shape (minutes after midnight, ms): what travels with a delivery; also read back from the database. */
export const pacingSchema = z.object({
  /** At most `posts` posts in any `perMs` window; the rest fold into one digest when a post is free again. */
  pace: z.object({ posts: z.number().int().min(1), perMs: z.number().int().positive() }).optional(),
  /** From `from` to `to` (minutes after midnight in `zone`; across midnight when `from` > `to`) nothing is posted: it waits for one digest at `to`. */
  quiet: z.object({ from: z.number().int().min(0).max(1439), to: z.number().int().min(0).max(1439), zone: z.string() }).optional(),
  /** A digest of the `top` best articles since the last one, at `at` (minutes after midnight in `zone`), every day or every week on `on`. */
  digest: z
    .object({
      every: z.enum(['daily', 'weekly']),
      on: z.enum(WEEKDAYS),
      at: z.number().int().min(0).max(1439),
      zone: z.string(),
      top: z.number().int().min(1),
      /** True: the destination gets the digest instead of single posts; false: in addition to them. */
      only: z.boolean(),
    })
    .optional(),
});

export type Pacing = z.infer<typeof pacingSchema>;

