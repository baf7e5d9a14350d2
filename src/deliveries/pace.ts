import { formatDuration } from '../config/duration.js';
import { WEEKDAYS, type Pacing } from '../config/pacing.js';
import type { DigestCause } from '../store/digests.js';

/**
 * The pace of a destination, as pure functions of the clock: quiet hours and digest times in an
 * IANA time zone (through Intl, so daylight saving time follows the tz database), and whether a
 * post is free under "at most N posts per period". All times are ms since the epoch.
 */


interface WallClock {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  /** Minutes after midnight. */
  minutes: number;
  /** 0 = Sunday (as Date.getUTCDay). */
  weekday: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock date and time at `ms` in `zone`. Throws RangeError for a zone Intl does not know (checked at config load). */
function wallClock(ms: number, zone: string): WallClock {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!);
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), minutes: Number(parts.hour) * 60 + Number(parts.minute), weekday };
}

/** How far `zone`'s wall clock is ahead of UTC at `ms`, in ms (whole minutes). */
function offsetAt(ms: number, zone: string): number {
  const wall = wallClock(ms, zone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day) + wall.minutes * 60_000;
  return asUtc - Math.floor(ms / 60_000) * 60_000;
}

/**
 * The instant the wall clock of `zone` shows `minutes` after midnight of the given date (`day` may
 * overflow the month: Date.UTC carries it). A time that a spring-forward gap skips is read with the
 * offset from before the gap (02:30 in a 02:00→03:00 jump is 03:30); a time that occurs twice in
 * the autumn is its first occurrence.
 */
function instantOf(year: number, month: number, day: number, minutes: number, zone: string): number {
  const local = Date.UTC(year, month - 1, day) + minutes * 60_000;
  // The offsets in force half a day either side: a zone changes its offset at most once within that.
  const before = offsetAt(local - 43_200_000, zone);
  const after = offsetAt(local + 43_200_000, zone);
  const valid = [local - before, local - after].filter((instant) => offsetAt(instant, zone) === local - instant);
  return valid.length > 0 ? Math.min(...valid) : local - before;
}

/**
 * When quiet hours that cover `now` end (the next `to` on the zone's clock), or null when `now` is
 * not within them. Quiet hours run from `from` (included) to `to` (excluded), across midnight when
 * `from` is later than `to`.
 */
export function quietUntil(quiet: NonNullable<Pacing['quiet']>, now: number): number | null {
  const wall = wallClock(now, quiet.zone);
  const t = wall.minutes;
  const inside = quiet.from < quiet.to ? t >= quiet.from && t < quiet.to : t >= quiet.from || t < quiet.to;
  if (!inside) return null;
  // `to` later today, or (past midnight's wrap) tomorrow.
  return instantOf(wall.year, wall.month, wall.day + (t < quiet.to ? 0 : 1), quiet.to, quiet.zone);
}

/** The first time after `after` (strictly) that a scheduled digest is due: every day at `at`, or every week on `on` at `at`, on the zone's clock. */
export function nextDigestAt(digest: NonNullable<Pacing['digest']>, after: number): number {
  const wall = wallClock(after, digest.zone);
  for (let ahead = 0; ahead <= 8; ahead++) {
    const weekday = (wall.weekday + ahead) % 7;
    if (digest.every === 'weekly' && WEEKDAYS[weekday] !== digest.on) continue;
    const at = instantOf(wall.year, wall.month, wall.day + ahead, digest.at, digest.zone);
    if (at > after) return at;
  }
  throw new Error('no digest time within 8 days'); // unreachable: every week has each weekday
}

/**
 * Under "at most `posts` per `perMs`": null when one more post is allowed at `now`, else when the
 * next one is (the oldest post of the full window leaves it). `postedAt`: the times of the posts
 * made within the window ending at `now`, in any order.
 */
export function paceFreeAt(pace: NonNullable<Pacing['pace']>, postedAt: readonly number[], now: number): number | null {
  const within = postedAt.filter((at) => at > now - pace.perMs).sort((a, b) => a - b);
  if (within.length < pace.posts) return null;
  return within[within.length - pace.posts]! + pace.perMs;
}

/** What pacing says about a destination's due delivery: send it, or fold it (and what waits with it) into a digest due at `dueAt`. */
export type PaceVerdict = { kind: 'send' } | { kind: 'fold'; cause: DigestCause; dueAt: number };

/**
 * The pace's word on a due delivery at `now`: a destination that takes digests only folds it into
 * the next scheduled digest; within quiet hours it folds into a digest at their end; over the pace
 * it folds into a digest when a post is free again; otherwise it goes. `postedAt` as for paceFreeAt.
 */
export function paceVerdict(pacing: Pacing, postedAt: readonly number[], now: number): PaceVerdict {
  if (pacing.digest?.only) return { kind: 'fold', cause: 'scheduled', dueAt: nextDigestAt(pacing.digest, now) };
  const quietEnd = pacing.quiet ? quietUntil(pacing.quiet, now) : null;
  if (quietEnd !== null) return { kind: 'fold', cause: 'quiet', dueAt: quietEnd };
  const free = pacing.pace ? paceFreeAt(pacing.pace, postedAt, now) : null;
  if (free !== null) return { kind: 'fold', cause: 'pace', dueAt: free };
  return { kind: 'send' };
}

/** What a scheduled digest knows of a candidate article to rank it. */
export interface DigestCandidate {
  articleId: string;
  /** The feed's priority (config feeds[].priority, −100 to 100). */
  priority: number;
  /** When it was published, or first seen when undated. */
  at: number;
  /** How many feeds carried the story (1 for a story seen once). */
  feeds: number;
}

/**
 * The `top` best candidates of a digest covering `since`..`until`, best first. The score is the
 * feed's priority, plus 5 for each further feed that carried the story, plus up to 10 for recency
 * (10 at `until`, 0 at `since`); ties go to the newer article.
 */
export function topOfDigest(candidates: readonly DigestCandidate[], top: number, since: number, until: number): DigestCandidate[] {
  const span = Math.max(1, until - since);
  const score = (c: DigestCandidate) => c.priority + 5 * (c.feeds - 1) + 10 * Math.min(1, Math.max(0, (c.at - since) / span));
  return [...candidates].sort((a, b) => score(b) - score(a) || b.at - a.at || a.articleId.localeCompare(b.articleId)).slice(0, top);
}

/** Minutes after midnight as "HH:MM". */
function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** A destination's pace in words, for `herald preview` and the dry run: "at most 5 posts per 1h, the rest in one digest; …". */
export function describePacing(pacing: Pacing): string {
  const parts: string[] = [];
  if (pacing.pace) parts.push(`at most ${pacing.pace.posts} ${pacing.pace.posts === 1 ? 'post' : 'posts'} per ${formatDuration(pacing.pace.perMs)}, the rest in one digest`);
  if (pacing.quiet) parts.push(`quiet ${hhmm(pacing.quiet.from)}–${hhmm(pacing.quiet.to)} ${pacing.quiet.zone}, then one digest`);
  if (pacing.digest) {
    const when = `${pacing.digest.every === 'weekly' ? `every ${pacing.digest.on}` : 'daily'} at ${hhmm(pacing.digest.at)} ${pacing.digest.zone}`;
    parts.push(`${pacing.digest.every} digest of the top ${pacing.digest.top} ${when}${pacing.digest.only ? ', instead of single posts' : ', besides single posts'}`);
  }
  return parts.join('; ');
}
