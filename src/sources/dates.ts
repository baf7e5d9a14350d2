/**
 * Feed dates as published are a zoo: RFC 822 with English or localized names, ISO 8601 with or
 * without a zone, and sloppy mixes. This turns what it can into a UTC Date and refuses the rest.
 */

const MONTHS: Record<string, number> = {};
const MONTH_NAMES: string[][] = [
  ['jan', 'janv', 'janeiro', 'enero', 'januar', 'gennaio', 'jänner', 'ene', 'gen'],
  ['feb', 'fev', 'fév', 'févr', 'fevereiro', 'febrero', 'februar', 'febbraio'],
  ['mar', 'mär', 'março', 'marzo', 'märz', 'mars'],
  ['apr', 'abr', 'avr', 'abril', 'april', 'avril', 'aprile'],
  ['may', 'mai', 'maio', 'mayo', 'mag', 'maggio'],
  ['jun', 'juin', 'junho', 'junio', 'juni', 'giu', 'giugno'],
  ['jul', 'juil', 'julho', 'julio', 'juli', 'juillet', 'lug', 'luglio'],
  ['aug', 'ago', 'août', 'aout', 'agosto', 'august'],
  ['sep', 'sept', 'set', 'setembro', 'septiembre', 'september', 'septembre', 'settembre'],
  ['oct', 'out', 'okt', 'outubro', 'octubre', 'oktober', 'octobre', 'ott', 'ottobre'],
  ['nov', 'novembro', 'noviembre', 'november', 'novembre'],
  ['dec', 'dez', 'dic', 'déc', 'dezembro', 'diciembre', 'dezember', 'décembre', 'dicembre'],
];
MONTH_NAMES.forEach((names, index) => names.forEach((name) => (MONTHS[name] = index)));

const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  et: -300, ct: -360, mt: -420, pt: -480, ast: -240, adt: -180, akst: -540, akdt: -480, hst: -600,
  cet: 60, cest: 120, eet: 120, eest: 180, bst: 60, ist: 330, jst: 540, kst: 540, aest: 600, aedt: 660, msk: 180,
};

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?$/i;
/** ISO 8601 basic format (no separators): 20040105T093000Z. */
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?$/i;
const RFC822ISH = /^(?:[^\d\s,]+,?\s+)?(\d{1,2})\s+([^\d\s.,]+)\.?,?\s+(\d{2,4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*([+-]\d{4}|[+-]\d{2}:\d{2}|[a-z]{1,5})?$/i;
const MONTH_FIRST = /^(?:[^\d\s,]+,?\s+)?([^\d\s.,]+)\.?\s+(\d{1,2}),?\s+(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?)?\s*([+-]\d{4}|[a-z]{1,5})?$/i;

/** Latest plausible date: a feed item dated further ahead is treated as undated. */
const MAX_FUTURE_MS = 2 * 24 * 3600 * 1000;
const EARLIEST = Date.UTC(1990, 0, 1);

function zoneOffsetMinutes(zone: string | undefined): number | null {
  if (!zone) return 0;
  const lower = zone.toLowerCase();
  if (lower in ZONES) return ZONES[lower] ?? 0;
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!match) return null;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

function build(
  year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number,
  offsetMinutes: number,
): Date | null {
  if (month < 0 || month > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const utc = Date.UTC(year, month, day, hour, minute, Math.min(second, 59), ms) - offsetMinutes * 60_000;
  const date = new Date(utc);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A month from its name in one of the languages feeds commonly use, full or abbreviated. */
function monthIndex(name: string): number | undefined {
  const lower = name.toLowerCase();
  return MONTHS[lower] ?? MONTHS[lower.slice(0, 4)] ?? MONTHS[lower.slice(0, 3)];
}

function fullYear(year: number): number {
  if (year >= 100) return year;
  return year < 70 ? 2000 + year : 1900 + year;
}

export function parseDateLoose(raw: unknown): Date | null {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? null : raw;
  if (typeof raw !== 'string' || !raw) return null;
  const text = raw.trim().replace(/\s+/g, ' ');
  if (!text) return null;

  let match = ISO.exec(text) ?? ISO_BASIC.exec(text);
  if (match) {
    const offset = zoneOffsetMinutes(match[8]);
    return build(
      Number(match[1]), Number(match[2]) - 1, Number(match[3]),
      Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0),
      Number((match[7] ?? '0').padEnd(3, '0').slice(0, 3)), offset ?? 0,
    );
  }
  match = RFC822ISH.exec(text);
  if (match) {
    const month = monthIndex(match[2]!);
    const offset = zoneOffsetMinutes(match[7]);
    if (month === undefined || offset === null) return null;
    return build(
      fullYear(Number(match[3])), month, Number(match[1]),
      Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0), 0, offset,
    );
  }
  match = MONTH_FIRST.exec(text);
  if (match) {
    const month = monthIndex(match[1]!);
    const offset = zoneOffsetMinutes(match[8]);
    if (month === undefined || offset === null) return null;
    let hour = Number(match[4] ?? 0);
    const meridiem = match[7]?.toLowerCase();
    if (meridiem === 'pm' && hour < 12) hour += 12;
    if (meridiem === 'am' && hour === 12) hour = 0;
    return build(Number(match[3]), month, Number(match[2]), hour, Number(match[5] ?? 0), Number(match[6] ?? 0), 0, offset);
  }
  const fallback = Date.parse(text);
  return Number.isNaN(fallback) ? null : new Date(fallback);
}

/**
 * A publication date Herald can trust for ordering: parsed, not before 1990 and not more than two
 * days ahead of `now` (far-future dates would pin an item to the top of every list forever).
 */
export function plausibleDate(raw: unknown, now: Date): Date | null {
  const date = parseDateLoose(raw);
  if (!date) return null;
  const time = date.getTime();
  if (time < EARLIEST || time > now.getTime() + MAX_FUTURE_MS) return null;
  return date;
}
