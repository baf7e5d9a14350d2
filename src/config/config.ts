import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { applyFilter, matches, resolveNames, type Condition, type FilterFacts, type FilterVerdict, type RouteFilter } from './filter.js';
import type { Environment } from './env.js';
import { configSchema, type Destination, type KindConfig } from './schema.js';

export interface FeedConfig {
  id: string;
  url: string;
  /** Poll interval without other evidence, in ms. */
  everyMs: number;
  /** Adaptive polling stays within [minEveryMs, maxEveryMs] (both equal to everyMs: fixed interval). */
  minEveryMs: number;
  maxEveryMs: number;
  backfill: number;
  /** The feed's display name: the config's `name:`, else the id. */
  name: string;
  /**
   * The name the config gives the feed (`name:`), or null when it gives none: an explicit name is the
   * site name of the feed's articles ({site}, the embed author), over the page's and the feed's title.
   */
  siteName: string | null;
  color: number;
  /** Higher goes first when an X cap forces a choice. */
  priority: number;
  /** Folder of the feed in OPML export ("a/b" nests b in a); null: top level. */
  category: string | null;
  /**
   * The feed's own URL, its article pages, their images and its hub may be on loopback or private
   * addresses (`privateNetwork: true`); never link-local or cloud metadata ones. Other feeds' content
   * is not opened by it.
   */
  privateNetwork: boolean;
}

/** A destination a route names: the kind (`discord`, `x`, …) and where within it. */
export interface RouteDestination extends Destination {
  kind: string;
}

interface RouteConfig {
  feeds: string[] | '*';
  /** In the order written: the `to:` entries, then each kind's shorthand keys. */
  to: RouteDestination[];
  /** Which items the route passes on (named filters resolved), or null for all of them. */
  filter: RouteFilter | null;
  /** The route's approval desk, or null when its articles go out without one. */
  approval: ApprovalConfig | null;
}

/** A route's approval desk (config `approval:`): where moderators decide, and what happens when nobody does. */
interface ApprovalConfig {
  /** The moderators' Discord channel id. */
  channel: string;
  /** How long an article waits for a decision, in ms. */
  expireMs: number;
  /** What happens to an unanswered article after `expireMs`. */
  onExpiry: 'skip' | 'post';
}

export interface Config {
  file: string;
  feeds: FeedConfig[];
  routes: RouteConfig[];
  /** When a publisher edits a posted article: edit the Discord messages, or leave them. */
  updates: 'edit' | 'ignore';
  /** Each destination kind's own section (`x:`), as that kind's schema produced it. */
  settings: Readonly<Record<string, unknown>>;
  /** The named filter conditions of `filters:`, by name. */
  filters: ReadonlyMap<string, Condition>;
  summary: { maxSentences: number; maxChars: number };
  /** `perHost` is read at start (a reload does not change it). */
  http: { timeoutMs: number; maxFeedBytes: number; maxPageBytes: number; concurrency: number; perHost: { maxInFlight: number; minGapMs: number } };
  /** Page extraction in worker threads: time budget per page (ms), deepest nesting, threads (null: one per core, up to 4). */
  extraction: { timeoutMs: number; maxDepth: number; threads: number | null };
  deliveries: { maxAttempts: number; retryBaseMs: number; retryMaxMs: number };
  /**
   * Ops alerts in a Discord channel (null: none): a feed failing `feedFailures` polls in a row, a
   * destination paused, deliveries waiting over `deliveryWaitMs`, polls later than `pollLagMs`
   * past their interval; checked every `checkEveryMs` (read at start).
   */
  alerts: { discord: string | null; feedFailures: number; deliveryWaitMs: number; pollLagMs: number; checkEveryMs: number };
  /** The web dashboard: off unless enabled; where it listens (read at start). */
  dashboard: { enabled: boolean; host: string; port: number };
  /** Adaptive polling bounds for feeds that set none, in ms (undefined: the feed's own `every`). */
  polling: { minEveryMs: number | undefined; maxEveryMs: number | undefined };
  /** WebSub (with HERALD_PUBLIC_URL): the safety poll interval of a pushed feed and the lease asked of hubs, in ms. */
  push: { safetyEveryMs: number; leaseMs: number };
}

/** A configuration problem, reported with the file and key at fault; the CLI exits 2 on it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A colour per feed when none is configured: stable, and spread over the hue circle. */
export function colorFor(id: string): number {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const hue = hash % 360;
  const [r, g, b] = [0, 8, 4].map((n) => {
    const k = (n + hue / 30) % 12;
    return Math.round(255 * (0.55 - 0.45 * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  });
  return (r! << 16) | (g! << 8) | b!;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}

/**
 * Validates a parsed config file against the schema, with the parts the destination `kinds`
 * contribute, and returns Herald's frozen Config. `environment` holds the variables route entries
 * may name (a Discord webhook's `url_env`; none by default). Throws ConfigError naming the file and key.
 */
export function parseConfig(raw: unknown, file: string, kinds: readonly KindConfig[], environment: Environment = {}): Config {
  const result = configSchema(kinds, environment).safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = formatPath(issue.path) || '(top level)';
    throw new ConfigError(`${file}: ${key}: ${issue.message}`);
  }
  return toConfig(result.data, file, kinds);
}

function toConfig(data: z.output<ReturnType<typeof configSchema>>, file: string, kinds: readonly KindConfig[]): Config {
  const sections = data as Record<string, unknown>;
  const named = new Map(Object.entries(data.filters));
  return Object.freeze({
    file,
    feeds: data.feeds.map((feed) => ({
      id: feed.id,
      url: feed.url,
      ...pollBounds(feed.every ?? data.defaults.every, feed.minEvery ?? data.polling.minEvery, feed.maxEvery ?? data.polling.maxEvery),
      backfill: feed.backfill ?? data.defaults.backfill,
      name: feed.name ?? feed.id,
      siteName: feed.name ?? null,
      color: feed.color ?? colorFor(feed.id),
      priority: feed.priority ?? 0,
      category: feed.category ?? null,
      privateNetwork: feed.privateNetwork ?? false,
    })),
    routes: data.routes.map((route) => ({
      feeds: route.feeds.includes('*') ? ('*' as const) : route.feeds,
      to: route.to,
      filter: route.filter && {
        include: route.filter.include && resolveNames(route.filter.include, named),
        exclude: route.filter.exclude && resolveNames(route.filter.exclude, named),
      },
      approval: route.approval && { channel: route.approval.channel, expireMs: route.approval.expire, onExpiry: route.approval.onExpiry },
    })),
    filters: named,
    updates: data.updates,
    settings: Object.fromEntries(kinds.flatMap((kind) => (kind.settings ? [[kind.name, sections[kind.name]]] : []))),
    summary: data.summary,
    http: {
      timeoutMs: data.http.timeout,
      maxFeedBytes: data.http.maxFeedBytes,
      maxPageBytes: data.http.maxPageBytes,
      concurrency: data.http.concurrency,
      perHost: { maxInFlight: data.http.perHost.maxInFlight, minGapMs: data.http.perHost.minGap },
    },
    extraction: {
      timeoutMs: data.extraction.timeout,
      maxDepth: data.extraction.maxDepth,
      threads: data.extraction.threads ?? null,
    },
    deliveries: {
      maxAttempts: data.deliveries.maxAttempts,
      retryBaseMs: data.deliveries.retryBase,
      retryMaxMs: data.deliveries.retryMax,
    },
    alerts: {
      discord: data.alerts.discord ?? null,
      feedFailures: data.alerts.feedFailures,
      deliveryWaitMs: data.alerts.deliveryWait,
      pollLagMs: data.alerts.pollLag,
      checkEveryMs: data.alerts.checkEvery,
    },
    dashboard: data.dashboard,
    polling: { minEveryMs: data.polling.minEvery, maxEveryMs: data.polling.maxEvery },
    push: { safetyEveryMs: data.push.safetyEvery, leaseMs: data.push.lease },
  });
}

/**
 * A feed's interval and the bounds adaptive polling keeps to, in ms: `every` is kept inside them (a
 * bound on the wrong side of it is moved to it); an unset bound is `every` itself.
 */
export function pollBounds(everyMs: number, minMs: number | undefined, maxMs: number | undefined): Pick<FeedConfig, 'everyMs' | 'minEveryMs' | 'maxEveryMs'> {
  return { everyMs, minEveryMs: Math.min(everyMs, minMs ?? everyMs), maxEveryMs: Math.max(everyMs, maxMs ?? everyMs) };
}

/** Reads, parses (YAML) and validates a config file, with the `environment` its routes may name; see parseConfig. Throws ConfigError. */
export function loadConfigFile(file: string, kinds: readonly KindConfig[], environment: Environment): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseConfig(raw, file, kinds, environment);
}

/** A destination of an article, with the verdict of the route that decided it. */
export interface RoutedDestination extends RouteDestination {
  verdict: FilterVerdict;
  /** The approval desk of the route that decided the destination, or null. */
  approval: ApprovalConfig | null;
}

/**
 * Where a feed's article goes: the destinations of every route that names the feed (or "*"), each
 * once, with the verdict of the routes' filters on `facts`. A destination goes to the first route
 * that lets the article through (its template wins); when every route naming it holds the article
 * back, it carries the first route's verdict. With `facts` null, no filter is applied. Pure.
 */
export function routeArticle(config: Pick<Config, 'routes'>, feedId: string, facts: FilterFacts | null): RoutedDestination[] {
  const found = new Map<string, RoutedDestination>();
  for (const route of config.routes) {
    if (route.feeds !== '*' && !route.feeds.includes(feedId)) continue;
    const verdict = facts ? applyFilter(route.filter, facts) : ({ pass: true, reason: null } as const);
    for (const destination of route.to) {
      const key = JSON.stringify([destination.kind, destination.address]);
      const earlier = found.get(key);
      if (!earlier || (!earlier.verdict.pass && verdict.pass)) found.set(key, { ...destination, verdict, approval: route.approval });
    }
  }
  return [...found.values()];
}

/**
 * Where a feed's items go, whatever they say: the destinations of every route that names the feed
 * (or "*"), each once; when two routes name the same destination, the first route's template wins.
 */
export function destinationsFor(config: Pick<Config, 'routes'>, feedId: string): RouteDestination[] {
  return routeArticle(config, feedId, null).map(({ verdict: _verdict, approval: _approval, ...destination }) => destination);
}

/** The names of the top-level filters that `facts` match, in the order written (for role pings that name one). Pure. */
export function matchingFilters(config: Pick<Config, 'filters'>, facts: FilterFacts): string[] {
  return [...config.filters].filter(([, condition]) => matches(condition, facts)).map(([name]) => name);
}
