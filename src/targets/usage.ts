import type { TargetUsage } from '../deliveries/kind.js';
import type { UsageLedger } from '../store/store.js';

/** When the UTC day and the UTC month that `now` falls in began, in ms since the epoch. Pure. */
function periodStarts(now: number): { day: number; month: number } {
  const date = new Date(now);
  return { day: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()), month: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) };
}

/**
 * The posts sent to destinations of `kind` this UTC day and month (UsageLedger.sentSince), for a
 * platform that charges nothing: no dollars, and the caps and notes `limits` gives from them.
 */
export async function freeUsage(
  store: Pick<UsageLedger, 'sentSince'>,
  kind: string,
  now: number,
  limits: (posts: { day: number; month: number }) => Pick<TargetUsage, 'postsLeft' | 'notes'>,
): Promise<TargetUsage> {
  const starts = periodStarts(now);
  const [day, month] = await Promise.all([store.sentSince(kind, starts.day), store.sentSince(kind, starts.month)]);
  return { day: { posts: day, usd: null }, month: { posts: month, usd: null }, ...limits({ day, month }) };
}

/** A time as the usage notes give it: "2026-11-30 13:05 UTC". */
export function utcMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
