import { z } from 'zod';
import { duration, MAX_EVERY_MS } from '../../config/schema.js';

/** Limits on members' alerts (/alerts). */
export interface AlertSettings {
  /** False: /alerts answers that alerts are off, and no alert DM is sent. */
  enabled: boolean;
  /** How many alerts one member may keep in one guild. */
  maxPerMember: number;
  /** The longest words one alert may hold, in characters (as typed, commas included). */
  maxLength: number;
  /** Alert DMs one member gets in any hour at most; further matches in that hour are dropped and counted (/alerts list). */
  dmsPerHour: number;
}

/** The `discord:` section of the config file: limits on feeds added with /feeds add, and on members' alerts. */
export interface DiscordSettings {
  /** The shortest interval /feeds add accepts, in ms. */
  minEveryMs: number;
  /** How many feeds one guild may add. */
  maxFeedsPerGuild: number;
  alerts: AlertSettings;
}

const ALERT_DEFAULTS: AlertSettings = { enabled: true, maxPerMember: 10, maxLength: 100, dmsPerHour: 10 };

const alertsSchema = z
  .strictObject({
    enabled: z.boolean().default(ALERT_DEFAULTS.enabled),
    maxPerMember: z.number().int().min(1).max(100).default(ALERT_DEFAULTS.maxPerMember),
    maxLength: z.number().int().min(10).max(1_000).default(ALERT_DEFAULTS.maxLength),
    dmsPerHour: z.number().int().min(1).max(100).default(ALERT_DEFAULTS.dmsPerHour),
  })
  .default(ALERT_DEFAULTS);

/**
 * Limits on feeds added with /feeds add (issue 12 item 7: 200 feeds every 1s hammered one host), and
 * on members' alerts (issue 13).
 */
export const discordSettingsSchema = z
  .strictObject({
    minEvery: duration(1_000, MAX_EVERY_MS, 'm').default(5 * 60_000),
    maxFeedsPerGuild: z.number().int().min(0).max(10_000).default(50),
    alerts: alertsSchema,
  })
  .default({ minEvery: 5 * 60_000, maxFeedsPerGuild: 50, alerts: ALERT_DEFAULTS })
  .transform((discord): DiscordSettings => ({ minEveryMs: discord.minEvery, maxFeedsPerGuild: discord.maxFeedsPerGuild, alerts: discord.alerts }));

/** The `discord:` section as loaded (its defaults when the config has none). */
export function discordSettings(config: { settings: Readonly<Record<string, unknown>> } | null): DiscordSettings {
  return (config?.settings.discord as DiscordSettings | undefined) ?? discordSettingsSchema.parse(undefined);
}
