import type { PublisherHints } from '../sources/feed.js';
import type { CacheHeaders } from '../sources/http.js';

/** The operator's bounds for one feed, in ms: its `every` is the interval without evidence, `min` and `max` bound any other. */
export interface PollBounds {
  everyMs: number;
  minMs: number;
  maxMs: number;
}

/** What the last answers of a feed showed. */
export interface PollEvidence {
  /** Caching headers of the last answer (200 or 304); null when none was had. */
  caching: CacheHeaders | null;
  /** The publisher's own hints from the last full answer; null when none was had. */
  hints: PublisherHints | null;
  /** Publication times of the feed's items, in ms since the epoch (any order; undated items left out). */
  itemTimes: readonly number[];
}

export interface Cadence {
  /** The interval to wait before the next poll, in ms, before jitter. */
  everyMs: number;
  /** What decided it, for logs and /feeds list: "every", "rhythm", "quiet", "max-age", "expires", "ttl", "sy:updatePeriod", "skipHours", "skipDays", "min", "max". */
  reason: string;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Item times older than this say nothing about the feed's rhythm now. */
const RHYTHM_WINDOW_MS = 14 * DAY_MS;
/** Gaps between the newest items looked at, at most. */
const RHYTHM_GAPS = 20;
/** Fewer gaps than this are no rhythm. */
const RHYTHM_MIN_GAPS = 3;
/** Silence longer than this many usual gaps is a quiet time (night, weekend). */
const QUIET_AFTER_GAPS = 4;

/**
 * The feed's rhythm, from the publication times of its items: half the median gap between its
 * newest stories within the last 14 days (at least 3 gaps), so a story waits about a quarter of the
 * usual gap on average. When the feed has been silent for more than 4 usual gaps (its night or its
 * weekend), a quarter of the silence instead: the longer it sleeps, the less often it is asked.
 * Null without enough dated items. `now` in ms since the epoch.
 */
export function rhythmInterval(itemTimes: readonly number[], now: number): { everyMs: number; quiet: boolean } | null {
  const recent = [...new Set(itemTimes)].filter((at) => at <= now && at > now - RHYTHM_WINDOW_MS).sort((a, b) => b - a);
  const gaps = recent.slice(0, RHYTHM_GAPS + 1).flatMap((at, index, all) => (index === 0 ? [] : [all[index - 1]! - at]));
  if (gaps.length < RHYTHM_MIN_GAPS) return null;
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const silence = now - recent[0]!;
  if (silence > QUIET_AFTER_GAPS * median) return { everyMs: Math.round(silence / 4), quiet: true };
  return { everyMs: Math.max(1, Math.round(median / 2)), quiet: false };
}

/**
 * What of a feed's evidence can still change a later poll's interval (see nextInterval), or null
 * when nothing can: the caching headers only when they say how long the answer stays fresh, the
 * publisher's hints only when it gave some, and of the item times only those that can still count
 * towards the rhythm (the newest 21 distinct ones of the last 14 days, and any dated after `now`).
 * nextInterval gives the same answer for what this keeps as for the whole evidence at any time from
 * `now` (ms since the epoch) on; an idle bot keeps this for every feed, not the whole answer.
 */
export function keptEvidence(evidence: PollEvidence, now: number): PollEvidence | null {
  const caching = freshFor(evidence.caching) ? evidence.caching : null;
  const { hints } = evidence;
  const hinted = hints && (hints.ttlMs || hints.updateEveryMs || hints.skipHours.length > 0 || hints.skipDays.length > 0) ? hints : null;
  const recent = [...new Set(evidence.itemTimes)].filter((at) => at > now - RHYTHM_WINDOW_MS).sort((a, b) => b - a);
  const future = recent.filter((at) => at > now);
  const itemTimes = [...future, ...recent.slice(future.length, future.length + RHYTHM_GAPS + 1)];
  if (!caching && !hinted && itemTimes.length === 0) return null;
  return { caching, hints: hinted, itemTimes };
}

/**
 * How long the publisher says the answer stays fresh, in ms (RFC 9111): `Cache-Control: s-maxage`
 * or `max-age` (§5.2.2.1, §5.2.2.10), else `Expires` minus `Date` (§5.3, §4.2.1). `no-cache` and
 * `no-store` say nothing about when it changes. Null when nothing usable is said.
 */
export function freshFor(caching: CacheHeaders | null): { ms: number; reason: 'max-age' | 'expires' } | null {
  if (!caching) return null;
  const directives = (caching.cacheControl ?? '').toLowerCase();
  const age = /(?:^|,)\s*s-maxage\s*=\s*"?(\d+)"?/.exec(directives) ?? /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/.exec(directives);
  if (age) {
    const seconds = Number(age[1]);
    return seconds > 0 ? { ms: seconds * 1000, reason: 'max-age' } : null;
  }
  if (caching.expires) {
    const expires = Date.parse(caching.expires);
    const date = caching.date ? Date.parse(caching.date) : NaN;
    // Expires is read against the server's own clock, so a skewed clock on either side does not matter.
    if (Number.isFinite(expires) && Number.isFinite(date) && expires > date) return { ms: expires - date, reason: 'expires' };
  }
  return null;
}

/**
 * When a poll planned for `at` may run, given RSS `<skipHours>` and `<skipDays>` (hours and days
 * in GMT, RSS 2.0 specification): moved to the start of the first hour that is not skipped, at most
 * 7 days on. Returns `at` itself when it is not in a skipped hour or day.
 */
export function afterSkips(at: number, hints: Pick<PublisherHints, 'skipHours' | 'skipDays'> | null): number {
  if (!hints || (hints.skipHours.length === 0 && hints.skipDays.length === 0)) return at;
  const skipped = (time: number) => {
    const date = new Date(time);
    return hints.skipHours.includes(date.getUTCHours()) || hints.skipDays.includes(date.getUTCDay());
  };
  let time = at;
  for (let hours = 0; skipped(time) && hours < 7 * 24; hours++) time = Math.floor(time / HOUR_MS) * HOUR_MS + HOUR_MS;
  return skipped(time) ? at : time;
}

/**
 * The next poll interval of a feed, in ms, before jitter, within the operator's bounds:
 * 1. its rhythm (see rhythmInterval), else its configured `every`;
 * 2. never sooner than the publisher says the feed changes or stays fresh: Cache-Control max-age,
 *    Expires, RSS `<ttl>` (minutes), `sy:updatePeriod`/`sy:updateFrequency`;
 * 3. clamped to [min, max]: the operator's bounds win over every hint;
 * 4. moved past RSS `<skipHours>`/`<skipDays>`, but never past `max`.
 * Retry-After (429, 503) is not here: the HTTP client holds every request to that host back until
 * then (sources/http.ts). `now` is the time of the poll, in ms since the epoch.
 */
export function nextInterval(evidence: PollEvidence, bounds: PollBounds, now: number): Cadence {
  const rhythm = rhythmInterval(evidence.itemTimes, now);
  let cadence: Cadence = rhythm ? { everyMs: rhythm.everyMs, reason: rhythm.quiet ? 'quiet' : 'rhythm' } : { everyMs: bounds.everyMs, reason: 'every' };
  const floors: Cadence[] = [];
  const fresh = freshFor(evidence.caching);
  if (fresh) floors.push({ everyMs: fresh.ms, reason: fresh.reason });
  if (evidence.hints?.ttlMs) floors.push({ everyMs: evidence.hints.ttlMs, reason: 'ttl' });
  if (evidence.hints?.updateEveryMs) floors.push({ everyMs: evidence.hints.updateEveryMs, reason: 'sy:updatePeriod' });
  for (const floor of floors) if (floor.everyMs > cadence.everyMs) cadence = floor;
  if (cadence.everyMs < bounds.minMs) cadence = { everyMs: bounds.minMs, reason: 'min' };
  if (cadence.everyMs > bounds.maxMs) cadence = { everyMs: bounds.maxMs, reason: 'max' };
  const planned = now + cadence.everyMs;
  const allowed = Math.min(afterSkips(planned, evidence.hints), now + bounds.maxMs);
  if (allowed > planned) {
    const day = evidence.hints!.skipDays.includes(new Date(planned).getUTCDay());
    cadence = { everyMs: allowed - now, reason: day ? 'skipDays' : 'skipHours' };
  }
  return cadence;
}
