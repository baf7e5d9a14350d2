import { colorFor, matchingFilters, pollBounds, routeArticle, type Config, type FeedConfig, type RouteDestination, type RoutedDestination } from '../config/config.js';
import { applyFilter, type FilterFacts, type FilterVerdict } from '../config/filter.js';
import { addedFeedRoute, readAddedFeedOptions } from '../targets/discord/added-feed.js';
import type { DeliveryOptions } from '../deliveries/options.js';
import { splitTargetKey, targetKey } from '../deliveries/target.js';
import type { DiscordFeed, NewDelivery, Subscriptions } from '../store/store.js';
import { addedFeedMinEveryMs, type FeedCatalog, type ListedFeed } from '../targets/catalog.js';

export interface FeedChanges {
  added(feed: FeedConfig): void;
  removed(feedId: string): void;
}

/** Which feeds may reach loopback and private addresses beyond those whose config says `privateNetwork: true`. */
export interface PrivateNetworkGrants {
  /** Every feed (HERALD_ALLOW_PRIVATE_NETWORK, the blunt tool). */
  allFeeds: boolean;
  /** Feeds people added (/feeds add, the dashboard): their URLs were typed, as slash commands' are (HERALD_ALLOW_PRIVATE_COMMANDS). */
  addedFeeds: boolean;
}

/**
 * The feeds Herald watches: those of the config file (read-only from Discord) and those added with
 * /feeds add (kept in the database). Changes are passed on to the scheduler through `changes`.
 * Each feed says whether it may reach private networks (FeedConfig.privateNetwork), `grants` applied.
 */
export class FeedRegistry implements FeedCatalog {
  private discordFeeds = new Map<string, DiscordFeed>();
  private changes: FeedChanges = { added() {}, removed() {} };
  private configById: Map<string, FeedConfig>;

  constructor(
    private config: Config,
    private readonly store: Subscriptions,
    private readonly grants: PrivateNetworkGrants = { allFeeds: false, addedFeeds: false },
  ) {
    this.configById = this.granted(config);
  }

  /** The config file's feeds by id, each opened to private networks when HERALD_ALLOW_PRIVATE_NETWORK says so. */
  private granted(config: Config): Map<string, FeedConfig> {
    return new Map(config.feeds.map((feed) => [feed.id, this.grants.allFeeds && !feed.privateNetwork ? { ...feed, privateNetwork: true } : feed]));
  }

  async load(): Promise<void> {
    this.discordFeeds = new Map((await this.store.discordFeeds()).map((feed) => [feed.id, feed]));
  }

  /**
   * Re-reads the feeds added from Discord: another process sharing the database may have added,
   * paused or removed one. Changes go to the scheduler like local ones.
   */
  async refresh(): Promise<void> {
    const latest = new Map((await this.store.discordFeeds()).map((feed) => [feed.id, feed]));
    for (const [id, feed] of latest) {
      const known = this.discordFeeds.get(id);
      if (known && JSON.stringify(known) === JSON.stringify(feed)) continue;
      if (feed.paused) {
        if (known && !known.paused) this.changes.removed(id);
      } else {
        this.changes.added(this.toFeedConfig(feed));
      }
    }
    for (const [id, feed] of this.discordFeeds) if (!latest.has(id) && !feed.paused) this.changes.removed(id);
    this.discordFeeds = latest;
  }

  onChange(changes: FeedChanges): void {
    this.changes = changes;
  }

  /**
   * A Discord feed as the scheduler polls it: never more often than `discord.minEvery` allows, also
   * when it was added before that limit (or under a lower one).
   */
  private toFeedConfig(feed: DiscordFeed): FeedConfig {
    const minEveryMs = addedFeedMinEveryMs(this.config);
    const { polling } = this.config;
    const bounds = pollBounds(Math.max(feed.everyMs, minEveryMs), polling.minEveryMs === undefined ? undefined : Math.max(polling.minEveryMs, minEveryMs), polling.maxEveryMs);
    const privateNetwork = this.grants.allFeeds || this.grants.addedFeeds;
    return { id: feed.id, url: feed.url, ...bounds, backfill: feed.backfill, name: feed.name, siteName: null, color: colorFor(feed.id), priority: 0, category: null, privateNetwork };
  }

  /** Every feed to poll: config feeds, and Discord feeds that are not paused. */
  active(): FeedConfig[] {
    const fromDiscord = [...this.discordFeeds.values()].filter((feed) => !feed.paused).map((feed) => this.toFeedConfig(feed));
    return [...this.configById.values(), ...fromDiscord];
  }

  private static fromConfig(feed: FeedConfig): ListedFeed {
    return { ...feed, source: 'config', paused: false, channelId: null };
  }

  private fromDiscord(feed: DiscordFeed): ListedFeed {
    return { ...this.toFeedConfig(feed), source: 'discord', paused: feed.paused, channelId: feed.channelId, options: feed.options };
  }

  list(): ListedFeed[] {
    return [...[...this.configById.values()].map(FeedRegistry.fromConfig), ...[...this.discordFeeds.values()].map((feed) => this.fromDiscord(feed))];
  }

  /** One feed by id: a direct lookup, as it runs for every delivery (embed style, X priority). */
  get(feedId: string): ListedFeed | undefined {
    const configured = this.configById.get(feedId);
    if (configured) return FeedRegistry.fromConfig(configured);
    const added = this.discordFeeds.get(feedId);
    return added ? this.fromDiscord(added) : undefined;
  }

  /** The config as currently loaded (SIGHUP may replace it). */
  current(): Config {
    return this.config;
  }

  names(): Map<string, string> {
    return new Map(this.list().map((feed) => [feed.id, feed.name]));
  }

  /**
   * Where a feed's items go: its config routes (by id or "*"), plus its own channel (or the webhook it was
   * added with) for a feed added from Discord (filtered by the words it was added with, pinging its role), with the routes'
   * verdicts on `facts` (every one passes when null).
   */
  private destinations(feedId: string, facts: FilterFacts | null = null): RoutedDestination[] {
    const routed = routeArticle(this.config, feedId, facts);
    const discordFeed = this.discordFeeds.get(feedId);
    const added = discordFeed && addedFeedRoute(readAddedFeedOptions(discordFeed.options), discordFeed.channelId);
    const own = added && routed.find((d) => d.kind === added.kind && d.address === added.address);
    if (added && !own) {
      const { kind, address, filter, kindOptions } = added;
      const verdict: FilterVerdict = facts ? applyFilter(filter, facts) : { pass: true, reason: null };
      routed.push({ kind, address, template: null, verdict, approval: null, ...(kindOptions ? { kindOptions } : {}) });
    }
    else if (own && !own.verdict.pass) own.verdict = { pass: true, reason: `let through: the feed was added for ${own.address}` };
    return routed;
  }

  /** Delivery target keys for a feed's new articles (see deliveries/target.ts targetKey), whatever they say. */
  targetsFor(feedId: string): string[] {
    return this.destinations(feedId).map((destination) => targetKey(destination.kind, destination.address));
  }

  /** The names of the top-level `filters:` an article with `facts` matches, as the config stands now, in the order written. */
  matchedFilters(facts: FilterFacts): string[] {
    return this.config.filters.size > 0 ? matchingFilters(this.config, facts) : [];
  }

  /**
   * The deliveries a feed's new article gets, as the config stands now: one per destination of its
   * routes, each with what the route and the feed say about it (deliveries/options.ts), recorded with
   * it; with `facts`, the routes' filters apply, and a destination they hold back carries the reason.
   */
  deliveriesFor(feedId: string, facts: FilterFacts | null = null): NewDelivery[] {
    const matched = facts ? this.matchedFilters(facts) : [];
    return this.destinations(feedId, facts).map((destination) => ({
      target: targetKey(destination.kind, destination.address),
      options: {
        ...this.options(feedId, destination, destination.verdict),
        ...(matched.length > 0 ? { matches: matched } : {}),
        ...(destination.approval ? { approval: destination.approval } : {}),
      },
      ...(destination.verdict.pass ? {} : { heldBack: destination.verdict.reason }),
      ...(destination.approval && destination.verdict.pass ? { approval: destination.approval } : {}),
    }));
  }

  /**
   * What the feed and the route that names `target` say about a delivery of the feed's article, as
   * the config stands now: for deliveries recorded before options were kept with them (Store.fillDeliveryOptions).
   */
  optionsFor(feedId: string, target: string): DeliveryOptions {
    const { kind, address } = splitTargetKey(target);
    const destination = this.destinations(feedId).find((d) => d.kind === kind && d.address === address);
    return this.options(feedId, destination, null);
  }

  private options(feedId: string, destination: RouteDestination | undefined, verdict: FilterVerdict | null): DeliveryOptions {
    const feed = this.get(feedId);
    return {
      template: destination?.template ?? null,
      style: { name: feed?.name ?? feedId, color: feed?.color ?? 0x5865f2 },
      priority: feed?.priority ?? 0,
      filter: verdict?.pass ? verdict.reason : null,
      ...(destination?.kindOptions ? { kindOptions: destination.kindOptions } : {}),
      ...(destination?.pacing ? { pacing: destination.pacing } : {}),
    };
  }

  /**
   * A new config file (SIGHUP): routes apply from now on, new and changed feeds are (re)started,
   * removed ones stopped. Stored state (seen items, deliveries) is kept.
   */
  replaceConfig(config: Config): { added: string[]; removed: string[]; changed: string[] } {
    const before = this.configById;
    const previousMinEveryMs = addedFeedMinEveryMs(this.config);
    this.config = config;
    this.configById = this.granted(config);
    const result = { added: [] as string[], removed: [] as string[], changed: [] as string[] };
    for (const feed of this.configById.values()) {
      const old = before.get(feed.id);
      before.delete(feed.id);
      if (old && JSON.stringify(old) === JSON.stringify(feed)) continue;
      (old ? result.changed : result.added).push(feed.id);
      this.changes.added(feed);
    }
    for (const id of before.keys()) {
      result.removed.push(id);
      if (!this.discordFeeds.has(id)) this.changes.removed(id);
    }
    // A new discord.minEvery changes the interval of Discord feeds below it.
    for (const feed of this.discordFeeds.values()) {
      if (feed.paused || Math.max(feed.everyMs, previousMinEveryMs) === Math.max(feed.everyMs, addedFeedMinEveryMs(config))) continue;
      result.changed.push(feed.id);
      this.changes.added(this.toFeedConfig(feed));
    }
    return result;
  }

  /**
   * Adds a feed from Discord. It is listed at once, before the database answers, so checks made
   * just before (the per-guild cap) count it for any add that runs meanwhile; it is dropped again
   * when the database already holds that id.
   */
  async add(feed: DiscordFeed): Promise<'added' | 'exists'> {
    if (this.configById.has(feed.id) || this.discordFeeds.has(feed.id)) return 'exists';
    this.discordFeeds.set(feed.id, feed);
    if (!(await this.store.addDiscordFeed(feed))) {
      this.discordFeeds.delete(feed.id);
      return 'exists';
    }
    this.changes.added(this.toFeedConfig(feed));
    return 'added';
  }

  async remove(feedId: string): Promise<boolean> {
    if (!(await this.store.removeDiscordFeed(feedId))) return false;
    this.discordFeeds.delete(feedId);
    this.changes.removed(feedId);
    return true;
  }

  async setPaused(feedId: string, paused: boolean): Promise<boolean> {
    const feed = this.discordFeeds.get(feedId);
    if (!feed || !(await this.store.setDiscordFeedPaused(feedId, paused))) return false;
    this.discordFeeds.set(feedId, { ...feed, paused });
    if (paused) this.changes.removed(feedId);
    else this.changes.added(this.toFeedConfig({ ...feed, paused }));
    return true;
  }
}
