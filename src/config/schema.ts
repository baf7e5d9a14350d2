import { z } from 'zod';
import type { Environment } from './env.js';
import { formatDuration, parseDuration } from './duration.js';
import { conditionSchema, namesIn, routeFilterSchema } from './filter.js';
import type { Pacing } from './pacing.js';

/** Durations a key's error message may show as examples, when they fall within its bounds. */
const DURATION_EXAMPLES = [500, 30_000, 300_000, 3_600_000, 86_400_000];

/** The units a bare number may have been meant in: the key's usual one first, then these from the largest. */
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;

/**
 * A duration written with its unit ("500ms", "30s", "5m", "1h30m", "2d"), as milliseconds from `min`
 * to `max` (both allowed). A bare number is refused, its unit being a guess: `every: 5` is answered
 * "did you mean 5m?", naming `usualUnit` (the unit the key is usually written in), or the first other
 * unit that puts it within the bounds. Zero needs no unit. Every message states the bounds, and its
 * examples lie within them. The bounds are kept as the schema's metadata (`durationMs`), for the
 * README's configuration reference and its test.
 */
export const duration = (min: number, max: number, usualUnit: keyof typeof UNIT_MS) => {
  const bounds = `from ${formatDuration(min)} to ${formatDuration(max)}`;
  const inBounds = DURATION_EXAMPLES.filter((ms) => ms >= min && ms <= max).map(formatDuration);
  const shown = inBounds.length > 0 ? inBounds.slice(0, 3) : [formatDuration(min), formatDuration(max)];
  const examples = shown.length > 1 ? `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)!}` : shown[0]!;
  return z
    .union([z.string(), z.number()])
    .transform((value, ctx) => {
      const text = String(value).trim();
      if (/^\d+(\.\d+)?$/.test(text) && Number(text) !== 0) {
        const units = [usualUnit, ...(Object.keys(UNIT_MS) as Array<keyof typeof UNIT_MS>).filter((unit) => unit !== usualUnit)];
        const meant = units.find((unit) => Number(text) * UNIT_MS[unit] >= min && Number(text) * UNIT_MS[unit] <= max);
        ctx.addIssue({ code: 'custom', message: `expected a duration with a unit (ms, s, m, h or d), got ${text}${meant ? `: did you mean ${text}${meant}?` : ''} (${bounds})` });
        return z.NEVER;
      }
      const ms = /^0+(\.0+)?$/.test(text) ? 0 : parseDuration(text);
      if (ms === null || ms < min || ms > max) {
        ctx.addIssue({ code: 'custom', message: `expected a duration ${bounds}, such as ${examples}; got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return ms;
    })
    .meta({ durationMs: { min, max } });
};

const hexColor = z
  .union([z.string().regex(/^#?[0-9a-fA-F]{6}$/, 'expected a colour such as "#1d9bf0"'), z.number().int().min(0).max(0xffffff)])
  .transform((value) => (typeof value === 'number' ? value : Number.parseInt(value.replace('#', ''), 16)));

/** A feed's id, the same rule for the config file and /feeds add. */
export const feedId = z.string().regex(/^[a-z0-9-]+$/, 'expected lower-case letters, digits and dashes only');

/** The longest poll interval of any feed: 7 days, in ms. */
export const MAX_EVERY_MS = 7 * 86_400_000;

/** The bot's HTTP limits when the config sets none (config `http`): the time per fetch in ms, the largest feed and article page in bytes. */
export const HTTP_DEFAULTS = { timeoutMs: 20_000, maxFeedBytes: 10_000_000, maxPageBytes: 5_000_000 } as const;

/** The bot's extraction limits when the config sets none (config `extraction`): the time per page in ms, the deepest element nesting read. */
export const EXTRACTION_DEFAULTS = { timeoutMs: 10_000, maxDepth: 400 } as const;

/**
 * A feed's address: an absolute http(s) URL, or a file path. Text that starts like a URL of another
 * scheme (`feed://`, `http:/x`) or like a host name without a scheme (`example.com/rss`,
 * `www.example.com`, `localhost:8080/feed`) is refused rather than read as a missing file;
 * a path whose first folder has a dot in its name is written `./name.d/feed.xml`.
 */
const feedUrl = z
  .string()
  .min(1, 'expected an http(s) URL or a file path')
  .superRefine((text, ctx) => {
    const value = text.trim();
    const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(value)?.[1]?.toLowerCase();
    if (scheme === 'http' || scheme === 'https') {
      if (!URL.canParse(value) || !/^https?:\/\/[^/]/i.test(value)) ctx.addIssue({ code: 'custom', message: `expected an http(s) URL such as https://example.org/rss, got ${JSON.stringify(text)}` });
    } else if (scheme && !/^[a-z0-9-]+(\.[a-z0-9-]+)*:\d+(\/|$)/i.test(value)) {
      ctx.addIssue({ code: 'custom', message: `only http(s) URLs and file paths can be read, not ${scheme}: (${JSON.stringify(text)})` });
    } else if (/^(www\.[^/]+|localhost(:\d+)?(\/|$)|[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(:\d+)?\/|[a-z0-9-]+(\.[a-z0-9-]+)*:\d+(\/|$))/i.test(value)) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} has no scheme: did you mean https://${value}? (a file path in a folder whose name has a dot is written ./${value})` });
    }
  });

const feedSchema = z.strictObject({
  id: feedId,
  url: feedUrl,
  every: duration(1_000, MAX_EVERY_MS, 'm').optional(),
  minEvery: duration(1_000, MAX_EVERY_MS, 'm').optional(),
  maxEvery: duration(1_000, MAX_EVERY_MS, 'm').optional(),
  backfill: z.number().int().min(0).max(100).optional(),
  name: z.string().min(1).max(100).optional(),
  color: hexColor.optional(),
  priority: z.number().int().min(-100).max(100).optional(),
  category: z.string().trim().min(1).max(200).optional(),
  privateNetwork: z.boolean().optional(),
});

/** One place a route sends to, as a destination kind reads it from the config file. */
export interface Destination {
  /** Where, within the kind: a Discord channel id; '' for a kind with one destination (X). */
  address: string;
  /** The post template this route gives, or null for the kind's default. */
  template: string | null;
  /** What else the entry says that only its kind reads (a Discord message template, role pings…); travels with each delivery. */
  kindOptions?: Readonly<Record<string, unknown>>;
  /** Names of top-level `filters:` the entry uses (checked at load; their matches travel with each delivery). */
  filterNames?: string[];
  /** Its pace (config/pace.ts): posts per period, quiet hours, a scheduled digest; travels with each delivery. */
  pacing?: Pacing;
}

/**
 * What a destination kind contributes to the config file; each kind's descriptor carries one
 * (targets/<kind>/kind.ts, listed in targets/index.ts), so this folder names no kind.
 */
export interface KindConfig {
  /** The kind's key: in a route's `to:` entries (`{ discord: … }`) and for its own section. */
  readonly name: string;
  /** The value of `{ <name>: … }` in a route's `to:` list: one destination. */
  readonly entry: z.ZodType<Destination>;
  /** Shorthand keys a route may carry for this kind (`discord: [...]`, `x: true`), and what they name. */
  readonly shorthand: {
    readonly keys: Readonly<Record<string, z.ZodType>>;
    destinations(values: Readonly<Record<string, unknown>>): Destination[];
  };
  /** The kind's own top-level section (`x:`), when it has settings: its output is `Config.settings[name]`. */
  readonly settings?: z.ZodType;
  /**
   * For a kind whose entries name an environment variable rather than hold a secret (a Discord
   * webhook's URL): the destination completed from `environment` (its address filled in), or what
   * is wrong, in words that never quote the secret.
   */
  resolve?(destination: Destination, environment: Environment): Destination | string;
}

/** A route's `to:` entry: an object with one key, the kind, whose value that kind validates (and resolves from `environment`). */
function entrySchema(kinds: readonly KindConfig[], environment: Environment) {
  const byName = new Map(kinds.map((kind) => [kind.name, kind]));
  const names = kinds.map((kind) => kind.name).join(', ');
  return z.record(z.string(), z.unknown(), `expected one destination such as { ${kinds[0]?.name ?? 'kind'}: … }`).transform((value, ctx) => {
    const keys = Object.keys(value);
    if (keys.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `expected exactly one destination kind (${names}), got ${keys.length === 0 ? 'none' : keys.join(', ')}` });
      return z.NEVER;
    }
    const name = keys[0]!;
    const kind = byName.get(name);
    if (!kind) {
      ctx.addIssue({ code: 'custom', path: [name], message: `unknown destination kind "${name}" (known: ${names})` });
      return z.NEVER;
    }
    const parsed = kind.entry.safeParse(value[name]);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: [name, ...issue.path], message: issue.message });
      return z.NEVER;
    }
    const resolved = kind.resolve ? kind.resolve(parsed.data, environment) : parsed.data;
    if (typeof resolved === 'string') {
      ctx.addIssue({ code: 'custom', path: [name], message: resolved });
      return z.NEVER;
    }
    return { kind: name, ...resolved };
  });
}

/**
 * A route's approval desk: each article is first shown in the moderators' `channel` with Approve,
 * Edit and Skip buttons; unanswered after `expire`, it is skipped or posted as `onExpiry` says.
 */
const approvalSchema = z.strictObject({
  channel: z.string().regex(/^\d{17,20}$/, 'expected a Discord channel id (17–20 digits, quoted in YAML)'),
  expire: duration(60_000, 7 * 86_400_000, 'h').default(6 * 3_600_000),
  onExpiry: z.enum(['skip', 'post']).default('skip'),
});

/** A route: the feeds it applies to, and where they go (`to:`, plus each kind's shorthand keys). */
function routeSchema(kinds: readonly KindConfig[], environment: Environment) {
  const shorthandKeys = Object.assign({}, ...kinds.map((kind) => kind.shorthand.keys)) as Record<string, z.ZodType>;
  return z
    .strictObject({
      feeds: z.array(z.union([feedId, z.literal('*')])).min(1),
      to: z.array(entrySchema(kinds, environment)).default([]),
      filter: routeFilterSchema.optional(),
      approval: approvalSchema.optional(),
      ...shorthandKeys,
    })
    .transform((route) => {
      const values = route as Record<string, unknown>;
      const shorthand = kinds.flatMap((kind) => kind.shorthand.destinations(values).map((destination) => ({ kind: kind.name, ...destination })));
      return { feeds: route.feeds, to: [...route.to, ...shorthand], filter: route.filter ?? null, approval: route.approval ?? null };
    });
}

/**
 * The config file's schema, with each destination kind's part (route entries, shorthand keys,
 * settings); `environment` holds the variables route entries may name (a webhook's `url_env`).
 */
export function configSchema(kinds: readonly KindConfig[], environment: Environment = {}) {
  const settings = Object.fromEntries(kinds.flatMap((kind) => (kind.settings ? [[kind.name, kind.settings]] : []))) as Record<string, z.ZodType>;
  return z
    .strictObject({
      defaults: z
        .strictObject({
          every: duration(1_000, 7 * 86_400_000, 'm').default(5 * 60_000),
          backfill: z.number().int().min(0).max(100).default(0),
        })
        .default({ every: 5 * 60_000, backfill: 0 }),
      feeds: z.array(feedSchema).default([]),
      filters: z.record(z.string().regex(/^[a-z0-9-]+$/, 'expected a filter name of lower-case letters, digits and dashes'), conditionSchema).default({}),
      routes: z.array(routeSchema(kinds, environment)).default([]),
      updates: z.enum(['edit', 'ignore']).default('edit'),
      ...settings,
      summary: z
        .strictObject({
          maxSentences: z.number().int().min(1).max(10).default(3),
          maxChars: z.number().int().min(100).max(4000).default(500),
        })
        .default({ maxSentences: 3, maxChars: 500 }),
      http: z
        .strictObject({
          timeout: duration(1_000, 300_000, 's').default(HTTP_DEFAULTS.timeoutMs),
          maxFeedBytes: z.number().int().min(10_000).max(100_000_000).default(HTTP_DEFAULTS.maxFeedBytes),
          maxPageBytes: z.number().int().min(10_000).max(100_000_000).default(HTTP_DEFAULTS.maxPageBytes),
          concurrency: z.number().int().min(1).max(256).default(16),
          perHost: z
            .strictObject({
              // Scrapy's CONCURRENT_REQUESTS_PER_DOMAIN default; its DOWNLOAD_DELAY default is 0 too.
              maxInFlight: z.number().int().min(1).max(64).default(8),
              minGap: duration(0, 60_000, 's').default(0),
            })
            .default({ maxInFlight: 8, minGap: 0 }),
        })
        .default({ timeout: HTTP_DEFAULTS.timeoutMs, maxFeedBytes: HTTP_DEFAULTS.maxFeedBytes, maxPageBytes: HTTP_DEFAULTS.maxPageBytes, concurrency: 16, perHost: { maxInFlight: 8, minGap: 0 } }),
      extraction: z
        .strictObject({
          timeout: duration(100, 300_000, 's').default(EXTRACTION_DEFAULTS.timeoutMs),
          maxDepth: z.number().int().min(32).max(10_000).default(EXTRACTION_DEFAULTS.maxDepth),
          threads: z.number().int().min(1).max(64).optional(),
        })
        .default({ timeout: EXTRACTION_DEFAULTS.timeoutMs, maxDepth: EXTRACTION_DEFAULTS.maxDepth }),
      alerts: z
        .strictObject({
          discord: z.string().regex(/^\d{17,20}$/, 'expected a Discord channel id (17–20 digits, quoted in YAML)').optional(),
          feedFailures: z.number().int().min(1).max(1000).default(3),
          deliveryWait: duration(60_000, 7 * 86_400_000, 'm').default(3_600_000),
          pollLag: duration(1_000, 86_400_000, 'm').default(600_000),
          checkEvery: duration(1_000, 3_600_000, 's').default(60_000),
        })
        .default({ feedFailures: 3, deliveryWait: 3_600_000, pollLag: 600_000, checkEvery: 60_000 }),
      dashboard: z
        .strictObject({
          enabled: z.boolean().default(false),
          host: z.string().min(1).default('127.0.0.1'),
          port: z.number().int().min(0).max(65_535).default(8081),
        })
        .default({ enabled: false, host: '127.0.0.1', port: 8081 }),
      polling: z
        .strictObject({
          minEvery: duration(1_000, MAX_EVERY_MS, 'm').optional(),
          maxEvery: duration(1_000, MAX_EVERY_MS, 'm').optional(),
        })
        .default({}),
      push: z
        .strictObject({
          // A pushed feed is still polled this often, in case the hub misses a change.
          safetyEvery: duration(60_000, MAX_EVERY_MS, 'm').default(30 * 60_000),
          // The lease Herald asks a WebSub hub for; the hub decides (W3C WebSub §5.1 hub.lease_seconds).
          lease: duration(3_600_000, 30 * 86_400_000, 'd').default(7 * 86_400_000),
        })
        .default({ safetyEvery: 30 * 60_000, lease: 7 * 86_400_000 }),
      deliveries: z
        .strictObject({
          maxAttempts: z.number().int().min(1).max(100).default(12),
          retryBase: duration(100, 3_600_000, 's').default(5_000),
          retryMax: duration(1_000, 86_400_000, 'm').default(3_600_000),
        })
        .default({ maxAttempts: 12, retryBase: 5_000, retryMax: 3_600_000 }),
    })
    .superRefine((config, ctx) => {
      const ids = new Set<string>();
      config.feeds.forEach((feed, index) => {
        if (ids.has(feed.id)) ctx.addIssue({ code: 'custom', path: ['feeds', index, 'id'], message: `duplicate feed id "${feed.id}"` });
        ids.add(feed.id);
      });
      for (const [name, condition] of Object.entries(config.filters)) {
        for (const used of namesIn(condition)) ctx.addIssue({ code: 'custom', path: ['filters', name, ...used.path], message: `a filter cannot name another filter ("${used.name}"): write its rules here` });
      }
      config.routes.forEach((route, index) => {
        for (const part of ['include', 'exclude'] as const) {
          const condition = route.filter?.[part];
          for (const used of condition ? namesIn(condition) : []) {
            if (!(used.name in config.filters)) ctx.addIssue({ code: 'custom', path: ['routes', index, 'filter', part, ...used.path], message: `unknown filter "${used.name}" (filters: ${Object.keys(config.filters).join(', ') || 'none defined'})` });
          }
        }
        route.to.forEach((destination, position) => {
          for (const name of destination.filterNames ?? []) {
            if (!(name in config.filters)) ctx.addIssue({ code: 'custom', path: ['routes', index, 'to', position], message: `unknown filter "${name}" (filters: ${Object.keys(config.filters).join(', ') || 'none defined'})` });
          }
        });
        route.feeds.forEach((id, position) => {
          if (id !== '*' && !ids.has(id)) {
            ctx.addIssue({ code: 'custom', path: ['routes', index, 'feeds', position], message: `unknown feed id "${id}"` });
          }
        });
      });
    });
}
