import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema } from './schema.js';

export interface FeedConfig {
  id: string;
  url: string;
  everyMs: number;
  backfill: number;
  name: string;
  color: number;
  /** Higher goes first when an X cap forces a choice. */
  priority: number;
}

export interface RouteConfig {
  feeds: string[] | '*';
  discord: string[];
  x: boolean;
  xTemplate: string | null;
}

export interface XConfig {
  maxPostsPerDay: number | null;
  maxPostsPerMonth: number | null;
  monthlyBudgetUsd: number | null;
  prices: { post: number; postWithUrl: number; mediaUpload: number };
  images: boolean;
  thread: boolean;
  /** Let @handles from feed text mention accounts on X (false: neutralised). */
  mentions: boolean;
  /** Category (lower-cased) → hashtag with its #. */
  hashtags: ReadonlyMap<string, string>;
}

export interface Config {
  file: string;
  feeds: FeedConfig[];
  routes: RouteConfig[];
  /** When a publisher edits a posted article: edit the Discord messages, or leave them. */
  updates: 'edit' | 'ignore';
  /** Limits on feeds added with /feeds add: the shortest interval (ms) and how many one guild may add. */
  discord: { minEveryMs: number; maxFeedsPerGuild: number };
  x: XConfig;
  summary: { maxSentences: number; maxChars: number };
  /** `perHost` is read at start (a reload does not change it). */
  http: { timeoutMs: number; maxFeedBytes: number; maxPageBytes: number; concurrency: number; perHost: { maxInFlight: number; minGapMs: number } };
  /** Page extraction in worker threads: time budget per page (ms), deepest nesting, threads (null: one per core, up to 4). */
  extraction: { timeoutMs: number; maxDepth: number; threads: number | null };
  deliveries: { maxAttempts: number; retryBaseMs: number; retryMaxMs: number };
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

export function parseConfig(raw: unknown, file: string): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = formatPath(issue.path) || '(top level)';
    throw new ConfigError(`${file}: ${key}: ${issue.message}`);
  }
  return toConfig(result.data, file);
}

function toConfig(data: z.output<typeof configSchema>, file: string): Config {
  return Object.freeze({
    file,
    feeds: data.feeds.map((feed) => ({
      id: feed.id,
      url: feed.url,
      everyMs: feed.every ?? data.defaults.every,
      backfill: feed.backfill ?? data.defaults.backfill,
      name: feed.name ?? feed.id,
      color: feed.color ?? colorFor(feed.id),
      priority: feed.priority ?? 0,
    })),
    routes: data.routes.map((route) => ({
      feeds: route.feeds.includes('*') ? ('*' as const) : route.feeds,
      discord: route.discord,
      x: route.x,
      xTemplate: route.xTemplate ?? null,
    })),
    updates: data.updates,
    discord: { minEveryMs: data.discord.minEvery, maxFeedsPerGuild: data.discord.maxFeedsPerGuild },
    x: {
      maxPostsPerDay: data.x.maxPostsPerDay ?? null,
      maxPostsPerMonth: data.x.maxPostsPerMonth ?? null,
      monthlyBudgetUsd: data.x.monthlyBudgetUsd ?? null,
      prices: data.x.prices,
      images: data.x.images,
      thread: data.x.thread,
      mentions: data.x.mentions,
      hashtags: new Map(Object.entries(data.x.hashtags).map(([category, tag]) => [category.toLowerCase(), tag.startsWith('#') ? tag : `#${tag}`])),
    },
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
  });
}

export function loadConfigFile(file: string): Config {
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
  return parseConfig(raw, file);
}

/** The X post template of the first route that sends this feed to X, if it sets one. */
export function xTemplateFor(config: Pick<Config, 'routes'>, feedId: string): string | null {
  const route = config.routes.find((r) => r.x && (r.feeds === '*' || r.feeds.includes(feedId)));
  return route?.xTemplate ?? null;
}

/** The distinct targets a feed's items go to, as delivery target keys ("discord:<channel>", "x"). */
export function targetsFor(config: Pick<Config, 'routes'>, feedId: string): string[] {
  const targets = new Set<string>();
  for (const route of config.routes) {
    if (route.feeds !== '*' && !route.feeds.includes(feedId)) continue;
    for (const channel of route.discord) targets.add(`discord:${channel}`);
    if (route.x) targets.add('x');
  }
  return [...targets];
}
