// Publisher hints of an RSS or RDF channel: <ttl> and <skipHours>/<skipDays> (RSS 2.0 specification) and
// sy:updatePeriod/sy:updateFrequency (RSS 1.0 Syndication module), turned into our own PublisherHints.
import type { PublisherHints } from './feed.js';

/** A feed that gives no hints (Atom and JSON Feed have none of these elements). */
export const NO_HINTS: PublisherHints = { ttlMs: null, updateEveryMs: null, skipHours: [], skipDays: [] };

/** sy:updatePeriod (RSS 1.0 Syndication module): the period's length in ms. */
const UPDATE_PERIODS: Record<string, number> = { hourly: 3_600_000, daily: 86_400_000, weekly: 7 * 86_400_000, monthly: 30 * 86_400_000, yearly: 365 * 86_400_000 };
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** The channel fields the hints are read from, as the feed parsers give them. */
interface HintSource {
  ttl?: number;
  skipHours?: number[];
  skipDays?: string[];
  sy?: { updatePeriod?: string; updateFrequency?: number };
}

/**
 * The `<hour>` or `<day>` values of an RSS channel's `<skipHours>` or `<skipDays>` read from the
 * document itself (RSS 2.0 specification), for a list the feed parser dropped: feedsmith 3 reads
 * a list of one element as none. Returns [] when the document has no such list.
 */
function skipListOf(source: string, list: 'skipHours' | 'skipDays', entry: 'hour' | 'day'): string[] {
  const block = new RegExp(`<${list}\\b[^>]*>([\\s\\S]*?)</${list}\\s*>`, 'i').exec(source)?.[1] ?? '';
  return [...block.matchAll(new RegExp(`<${entry}\\b[^>]*>([^<]*)</${entry}\\s*>`, 'gi'))].map((match) => match[1]!.trim());
}

/** The publisher's hints of an RSS or RDF channel (`source`: the document, for the skip lists the parser dropped); values out of range are ignored. */
export function hintsOf(parsed: HintSource, source: string): PublisherHints {
  const channel = { ...parsed, skipHours: parsed.skipHours ?? skipListOf(source, 'skipHours', 'hour').map(Number), skipDays: parsed.skipDays ?? skipListOf(source, 'skipDays', 'day') };
  const ttl = Number(channel.ttl);
  const period = UPDATE_PERIODS[(channel.sy?.updatePeriod ?? '').trim().toLowerCase()];
  const frequency = channel.sy?.updateFrequency ?? 1;
  return {
    ttlMs: Number.isFinite(ttl) && ttl > 0 ? ttl * 60_000 : null,
    updateEveryMs: period && Number.isFinite(frequency) && frequency >= 1 ? Math.round(period / frequency) : null,
    skipHours: [...new Set((channel.skipHours ?? []).map(Number).filter((hour) => Number.isInteger(hour) && hour >= 0 && hour <= 24).map((hour) => hour % 24))].sort((a, b) => a - b),
    skipDays: [...new Set((channel.skipDays ?? []).map((day) => DAYS.indexOf(String(day).trim().toLowerCase())).filter((day) => day >= 0))].sort((a, b) => a - b),
  };
}
