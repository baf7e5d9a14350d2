import type { Config, FeedConfig } from '../config/config.js';
import type { DiscordFeed } from '../store/store.js';
import { discordSettings } from './discord/settings.js';

/** A feed as the commands and the dashboard list it: from the config file (read-only there) or added by people (/feeds add, the dashboard). */
export interface ListedFeed extends FeedConfig {
  source: 'config' | 'discord';
  paused: boolean;
  channelId: string | null;
  /** What a feed added from Discord says about its posts (DiscordFeed.options as stored, unchecked); absent for a config feed. */
  options?: unknown;
}

/**
 * The feeds Herald watches, as the slash commands, /status and the dashboard see and change them: the
 * port the pipeline implements (pipeline/registry.ts), so that it depends on no one platform.
 */
export interface FeedCatalog {
  list(): ListedFeed[];
  get(feedId: string): ListedFeed | undefined;
  /** Feed id → display name. */
  names(): Map<string, string>;
  /** The config as currently loaded (SIGHUP may replace it). */
  current(): Config;
  add(feed: DiscordFeed): Promise<'added' | 'exists'>;
  remove(feedId: string): Promise<boolean>;
  setPaused(feedId: string, paused: boolean): Promise<boolean>;
}


/**
 * The shortest interval (ms) at which a feed people added is polled, under `config`: the
 * `discord.minEvery` setting (an added feed is never polled more often, also when it was added under a lower limit).
 */
export function addedFeedMinEveryMs(config: Config): number {
  return discordSettings(config).minEveryMs;
}
