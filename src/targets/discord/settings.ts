import { z } from 'zod';
import { duration, MAX_EVERY_MS } from '../../config/schema.js';

/** The `discord:` section of the config file: limits on feeds added with /feeds add. */
export interface DiscordSettings {
  /** The shortest interval /feeds add accepts, in ms. */
  minEveryMs: number;
  /** How many feeds one guild may add. */
  maxFeedsPerGuild: number;
}

/** Limits on feeds added with /feeds add (issue 12 item 7: 200 feeds every 1s hammered one host). */
export const discordSettingsSchema = z
  .strictObject({
    minEvery: duration(1_000, MAX_EVERY_MS, 'm').default(5 * 60_000),
    maxFeedsPerGuild: z.number().int().min(0).max(10_000).default(50),
  })
  .default({ minEvery: 5 * 60_000, maxFeedsPerGuild: 50 })
  .transform((discord): DiscordSettings => ({ minEveryMs: discord.minEvery, maxFeedsPerGuild: discord.maxFeedsPerGuild }));

/** The `discord:` section as loaded (its defaults when the config has none). */
export function discordSettings(config: { settings: Readonly<Record<string, unknown>> } | null): DiscordSettings {
  return (config?.settings.discord as DiscordSettings | undefined) ?? discordSettingsSchema.parse(undefined);
}
