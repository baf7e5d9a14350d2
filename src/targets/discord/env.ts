import { variablesSchema, type Environment } from '../../config/env.js';

/** The variables the Discord kind reads (README "Environment"). */
export const DISCORD_ENV = [
  { name: 'DISCORD_TOKEN', secret: true },
  { name: 'DISCORD_API_URL', secret: false },
  { name: 'DISCORD_GUILD_ID', secret: false },
] as const;

/** The bot Herald runs as, from the environment. */
export interface DiscordEnv {
  token: string;
  /** REST base URL (the gateway URL comes from GET /gateway/bot). */
  apiUrl: string;
  /** Slash commands are registered in this guild only; null: globally. */
  guildId: string | null;
}

const discordEnvSchema = variablesSchema(DISCORD_ENV).transform(
  (env): DiscordEnv | null =>
    env.DISCORD_TOKEN ? { token: env.DISCORD_TOKEN, apiUrl: env.DISCORD_API_URL ?? 'https://discord.com/api', guildId: env.DISCORD_GUILD_ID ?? null } : null,
);

/** The Discord bot from the environment record, or null when DISCORD_TOKEN is unset (no Discord). Never throws. */
export function readDiscordEnv(environment: Environment): DiscordEnv | null {
  return discordEnvSchema.parse(environment);
}
