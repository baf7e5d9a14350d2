import type { TargetUsage } from '../../deliveries/kind.js';
import type { DeliveryPolicy } from '../../deliveries/policy.js';
import type { UsageLedger } from '../../store/store.js';
import type { XSettings } from './settings.js';

/** The UTC day and month a time falls in, as usage keys, and when each ends. */
export function usagePeriods(now: number): { day: string; month: string; dayEnds: number; monthEnds: number } {
  const date = new Date(now);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const d = date.getUTCDate();
  return {
    day: `day:${date.toISOString().slice(0, 10)}`,
    month: `month:${date.toISOString().slice(0, 7)}`,
    dayEnds: Date.UTC(y, m, d + 1),
    monthEnds: Date.UTC(y, m + 1, 1),
  };
}

export interface Usage {
  posts: number;
  usd: number;
}

/** X usage so far in the UTC day and month `now` (ms since the epoch) falls in, with those periods. */
export async function currentUsage(store: Pick<UsageLedger, 'xUsage'>, now: number): Promise<{ periods: ReturnType<typeof usagePeriods>; day: Usage; month: Usage }> {
  const periods = usagePeriods(now);
  const found = await store.xUsage([periods.day, periods.month]);
  return { periods, day: found.get(periods.day)!, month: found.get(periods.month)! };
}

/** Posts the caps still allow in the current day and month (null where no cap is set), for the herald_x_posts_left gauge. Pure. */
export function postsLeft(config: Pick<XSettings, 'maxPostsPerDay' | 'maxPostsPerMonth'>, usage: { day: Usage; month: Usage }): { day: number | null; month: number | null } {
  return {
    day: config.maxPostsPerDay === null ? null : Math.max(0, config.maxPostsPerDay - usage.day.posts),
    month: config.maxPostsPerMonth === null ? null : Math.max(0, config.maxPostsPerMonth - usage.month.posts),
  };
}

/** What one article costs on X: its post (with a link), an image upload, and a reply in thread mode. */
function articleCost(config: Pick<XSettings, 'prices' | 'images' | 'thread'>): { posts: number; usd: number } {
  const posts = config.thread ? 2 : 1;
  const usd = config.prices.postWithUrl + (config.images ? config.prices.mediaUpload : 0) + (config.thread ? config.prices.post : 0);
  return { posts, usd };
}

export interface Allowance {
  /** How many more articles may be posted now (Infinity without caps). */
  articles: number;
  /** When the binding window ends, so waiting posts know when to look again. */
  resetAt: number;
  /** Which cap binds, in words, for logs and /status. */
  reason: string;
}

/** How many more articles the caps allow in the current day and month. Pure. */
export function allowance(
  config: Pick<XSettings, 'maxPostsPerDay' | 'maxPostsPerMonth' | 'monthlyBudgetUsd' | 'prices' | 'images' | 'thread'>,
  usage: { day: { posts: number; usd: number }; month: { posts: number; usd: number } },
  now: number,
): Allowance {
  const periods = usagePeriods(now);
  const cost = articleCost(config);
  const limits: Allowance[] = [{ articles: Infinity, resetAt: periods.dayEnds, reason: 'no cap' }];
  if (config.maxPostsPerDay !== null) {
    limits.push({ articles: Math.floor((config.maxPostsPerDay - usage.day.posts) / cost.posts), resetAt: periods.dayEnds, reason: `the daily cap of ${config.maxPostsPerDay} X posts (x.maxPostsPerDay)` });
  }
  if (config.maxPostsPerMonth !== null) {
    limits.push({ articles: Math.floor((config.maxPostsPerMonth - usage.month.posts) / cost.posts), resetAt: periods.monthEnds, reason: `the monthly cap of ${config.maxPostsPerMonth} X posts (x.maxPostsPerMonth)` });
  }
  if (config.monthlyBudgetUsd !== null && cost.usd > 0) {
    // Rounded to a millionth so that float sums such as 0.1 + 0.2 do not cost a post.
    const left = Math.round((config.monthlyBudgetUsd - usage.month.usd) * 1e6) / 1e6;
    limits.push({ articles: Math.floor(left / cost.usd + 1e-9), resetAt: periods.monthEnds, reason: `the monthly X budget of $${config.monthlyBudgetUsd} (x.monthlyBudgetUsd)` });
  }
  const binding = limits.reduce((tightest, limit) => (limit.articles < tightest.articles ? limit : tightest));
  return { ...binding, articles: Math.max(0, binding.articles) };
}

/**
 * X's use for the dashboard: posts and dollars this UTC day and month from the ledger, the posts the
 * caps leave, the budget left, and how many more articles may go out now (and which cap binds).
 */
export async function xUsageReport(store: Pick<UsageLedger, 'xUsage'>, settings: XSettings, now: number): Promise<TargetUsage> {
  const usage = await currentUsage(store, now);
  const allowed = allowance(settings, usage, now);
  const budget = settings.monthlyBudgetUsd === null ? 'no budget set (x.monthlyBudgetUsd)' : `$${Math.max(0, settings.monthlyBudgetUsd - usage.month.usd).toFixed(2)}`;
  return {
    day: usage.day,
    month: usage.month,
    postsLeft: postsLeft(settings, usage),
    notes: [`Budget left this month: ${budget}.`, Number.isFinite(allowed.articles) ? `${allowed.articles} more articles can go out now (${allowed.reason}).` : 'No cap limits posting.'],
  };
}

/**
 * Which waiting posts go out when the caps allow fewer than are waiting: the highest feed
 * priority first, then the newest. Returns the ids to keep; the rest are skipped. Pure.
 */
export function chooseWithinAllowance<T extends { id: number; priority: number; time: number }>(waiting: readonly T[], allowed: number): Set<number> {
  const ranked = [...waiting].sort((a, b) => b.priority - a.priority || b.time - a.time || b.id - a.id);
  return new Set(ranked.slice(0, allowed).map((entry) => entry.id));
}

/**
 * X's spending caps as a policy the outbox asks before each X post: wait while a cap is reached
 * (until its day or month ends); when the caps allow fewer posts than wait, keep the highest feed
 * priority and then the newest, and skip the rest.
 */
export function budgetPolicy(options: { store: Pick<UsageLedger, 'xUsage'>; settings(): XSettings; now?: () => number }): DeliveryPolicy {
  const now = options.now ?? Date.now;
  return {
    async admit(_due, queue) {
      const settings = options.settings();
      const allowed = allowance(settings, await currentUsage(options.store, now()), now());
      if (allowed.articles < 1) return { kind: 'wait', until: allowed.resetAt, reason: `waiting for ${allowed.reason} to reset` };
      if (!Number.isFinite(allowed.articles)) return { kind: 'send' };
      const waiting = await queue();
      if (waiting.length <= allowed.articles) return { kind: 'send' };
      const keep = chooseWithinAllowance(
        waiting.map((w) => ({ id: w.delivery.id, priority: w.options.priority, time: w.article.publishedAt ?? w.article.firstSeenAt })),
        allowed.articles,
      );
      return {
        kind: 'triage',
        skip: new Set(waiting.filter((w) => !keep.has(w.delivery.id)).map((w) => w.delivery.id)),
        reason: `skipped: ${allowed.reason} leaves room for ${allowed.articles} more, and higher-priority or newer posts came first`,
        logMessage: 'X post skipped',
      };
    },
  };
}
