import { describe, expect, it } from 'vitest';
import { parseFeedText } from '../../src/sources/parse.js';
import { afterSkips, freshFor, keptEvidence, nextInterval, rhythmInterval, type PollEvidence } from '../../src/pipeline/cadence.js';

const NOW = Date.UTC(2026, 10, 30, 14, 0, 0); // a Monday, 14:00 GMT
const MIN = 60_000;
const HOUR = 3_600_000;
const NONE: PollEvidence = { caching: null, hints: null, itemTimes: [] };
const HINTS = { ttlMs: null, updateEveryMs: null, skipHours: [], skipDays: [] };
const bounds = { everyMs: 5 * MIN, minMs: MIN, maxMs: 2 * HOUR };
/** Items `gapMs` apart, the newest `ageMs` ago. */
const every = (gapMs: number, count: number, ageMs = 0) => Array.from({ length: count }, (_, n) => NOW - ageMs - n * gapMs);

describe('a feed’s rhythm from its item times', () => {
  it('polls about twice per usual gap between stories', () => {
    expect(rhythmInterval(every(10 * MIN, 8), NOW)).toEqual({ everyMs: 5 * MIN, quiet: false });
    // One long gap among short ones does not move the median.
    expect(rhythmInterval([...every(4 * MIN, 6), NOW - 20 * HOUR], NOW)).toEqual({ everyMs: 2 * MIN, quiet: false });
  });

  it('backs off to a quarter of the silence when the feed is quiet for more than four usual gaps (its night)', () => {
    expect(rhythmInterval(every(5 * MIN, 10, 2 * HOUR), NOW)).toEqual({ everyMs: 30 * MIN, quiet: true });
  });

  it('has no rhythm with fewer than three gaps, or with items older than two weeks', () => {
    expect(rhythmInterval(every(MIN, 3), NOW)).toBeNull();
    expect(rhythmInterval(every(MIN, 10, 15 * 24 * HOUR), NOW)).toBeNull();
    expect(rhythmInterval([NOW + HOUR, NOW + 2 * HOUR, NOW + 3 * HOUR, NOW + 4 * HOUR], NOW)).toBeNull();
  });
});

describe('publisher hints', () => {
  it('reads Cache-Control s-maxage/max-age, else Expires against Date (RFC 9111)', () => {
    expect(freshFor({ cacheControl: 'public, max-age=600', expires: null, date: null })).toEqual({ ms: 600_000, reason: 'max-age' });
    expect(freshFor({ cacheControl: 'max-age=60, s-maxage=900', expires: null, date: null })).toEqual({ ms: 900_000, reason: 'max-age' });
    expect(freshFor({ cacheControl: null, expires: 'Mon, 30 Nov 2026 14:20:00 GMT', date: 'Mon, 30 Nov 2026 14:00:00 GMT' })).toEqual({ ms: 20 * MIN, reason: 'expires' });
    expect(freshFor({ cacheControl: 'no-cache', expires: '0', date: 'Mon, 30 Nov 2026 14:00:00 GMT' })).toBeNull();
    expect(freshFor({ cacheControl: 'max-age=0', expires: null, date: null })).toBeNull();
  });

  it('never polls sooner than max-age, ttl or sy:updatePeriod say the feed changes', () => {
    expect(nextInterval({ ...NONE, caching: { cacheControl: 'max-age=900', expires: null, date: null } }, bounds, NOW)).toEqual({ everyMs: 15 * MIN, reason: 'max-age' });
    expect(nextInterval({ ...NONE, hints: { ...HINTS, ttlMs: 60 * MIN } }, bounds, NOW)).toEqual({ everyMs: HOUR, reason: 'ttl' });
    expect(nextInterval({ ...NONE, hints: { ...HINTS, updateEveryMs: 30 * MIN } }, bounds, NOW)).toEqual({ everyMs: 30 * MIN, reason: 'sy:updatePeriod' });
    // A hint shorter than the rhythm changes nothing.
    expect(nextInterval({ ...NONE, itemTimes: every(40 * MIN, 6), hints: { ...HINTS, ttlMs: 5 * MIN } }, bounds, NOW)).toEqual({ everyMs: 20 * MIN, reason: 'rhythm' });
  });

  it('keeps within the operator’s bounds, whatever the publisher says', () => {
    expect(nextInterval({ ...NONE, hints: { ...HINTS, ttlMs: 24 * HOUR } }, bounds, NOW)).toEqual({ everyMs: 2 * HOUR, reason: 'max' });
    expect(nextInterval({ ...NONE, itemTimes: every(20_000, 10) }, bounds, NOW)).toEqual({ everyMs: MIN, reason: 'min' });
    // Without bounds of its own, a feed keeps its `every`.
    expect(nextInterval({ ...NONE, itemTimes: every(20_000, 10), hints: { ...HINTS, ttlMs: HOUR } }, { everyMs: 5 * MIN, minMs: 5 * MIN, maxMs: 5 * MIN }, NOW)).toEqual({ everyMs: 5 * MIN, reason: 'max' });
    expect(nextInterval({ ...NONE, itemTimes: every(20_000, 10) }, { everyMs: 5 * MIN, minMs: 5 * MIN, maxMs: 5 * MIN }, NOW)).toEqual({ everyMs: 5 * MIN, reason: 'min' });
    expect(nextInterval(NONE, bounds, NOW)).toEqual({ everyMs: 5 * MIN, reason: 'every' });
  });

  it('moves a poll out of skipHours and skipDays (GMT), never past the max bound', () => {
    expect(afterSkips(NOW + 5 * MIN, { skipHours: [14, 15], skipDays: [] })).toBe(Date.UTC(2026, 10, 30, 16));
    expect(afterSkips(NOW + 5 * MIN, { skipHours: [], skipDays: [1] })).toBe(Date.UTC(2026, 11, 1, 0));
    expect(afterSkips(NOW, { skipHours: [...Array(24).keys()], skipDays: [] })).toBe(NOW);
    expect(nextInterval({ ...NONE, hints: { ...HINTS, skipHours: [14, 15] } }, bounds, NOW)).toEqual({ everyMs: 2 * HOUR, reason: 'skipHours' });
    expect(nextInterval({ ...NONE, hints: { ...HINTS, skipHours: [14] } }, bounds, NOW)).toEqual({ everyMs: HOUR, reason: 'skipHours' });
    expect(nextInterval({ ...NONE, hints: { ...HINTS, skipDays: [1] } }, bounds, NOW)).toEqual({ everyMs: 2 * HOUR, reason: 'skipDays' });
  });

  it('holds a feed whose skipHours or skipDays lists a single entry, as read from the feed', () => {
    const channel = (skips: string) =>
      `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://example.com/</link>${skips}<item><title>a</title><link>http://example.com/1</link></item></channel></rss>`;
    const hour = parseFeedText(channel('<skipHours><hour>14</hour></skipHours>'), 'http://example.com/feed').hints;
    expect(hour.skipHours).toEqual([14]);
    // It is 14:00 GMT: a 5-minute poll moves to 15:00.
    expect(nextInterval({ ...NONE, hints: hour }, bounds, NOW)).toEqual({ everyMs: HOUR, reason: 'skipHours' });
    const day = parseFeedText(channel('<skipDays><day>Monday</day></skipDays>'), 'http://example.com/feed').hints;
    expect(day.skipDays).toEqual([1]);
    expect(nextInterval({ ...NONE, hints: day }, bounds, NOW)).toEqual({ everyMs: 2 * HOUR, reason: 'skipDays' });
  });
});

describe('what a feed’s evidence keeps between polls', () => {
  it('keeps nothing when the answer says nothing about its cadence', () => {
    const silent: PollEvidence = {
      caching: { cacheControl: 'no-cache', expires: null, date: 'Mon, 30 Nov 2026 14:00:00 GMT' },
      hints: HINTS,
      itemTimes: every(MIN, 10, 15 * 24 * HOUR),
    };
    expect(keptEvidence(silent, NOW)).toBeNull();
    expect(keptEvidence(NONE, NOW)).toBeNull();
  });

  it('keeps only what can still count, and gives every later poll the interval the whole evidence gives', () => {
    const DAY = 24 * HOUR;
    // A deterministic mix: dated items over 30 days (repeats, some in the future), caching headers
    // that say something or nothing, publisher hints or none.
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const cachings = [null, { cacheControl: 'max-age=1200', expires: null, date: null }, { cacheControl: null, expires: 'Mon, 30 Nov 2026 15:00:00 GMT', date: 'Mon, 30 Nov 2026 14:00:00 GMT' }, { cacheControl: 'private', expires: null, date: 'x' }];
    const hintses = [null, HINTS, { ...HINTS, ttlMs: 20 * MIN }, { ...HINTS, skipHours: [2, 3] }];
    for (let round = 0; round < 200; round++) {
      const times = Array.from({ length: Math.floor(random() * 60) }, () => Math.round(NOW - 30 * DAY * random() + 2 * DAY * random() * (random() < 0.1 ? 1 : 0)));
      const evidence: PollEvidence = { caching: cachings[round % 4]!, hints: hintses[Math.floor(round / 4) % 4]!, itemTimes: [...times, ...times.slice(0, 5)] };
      const kept = keptEvidence(evidence, NOW);
      expect(kept?.itemTimes.filter((at) => at <= NOW).length ?? 0).toBeLessThanOrEqual(21);
      for (const later of [NOW, NOW + 7 * MIN, NOW + 5 * HOUR, NOW + DAY + 3 * HOUR, NOW + 3 * DAY, NOW + 13 * DAY, NOW + 20 * DAY]) {
        expect(nextInterval(kept ?? NONE, bounds, later)).toEqual(nextInterval(evidence, bounds, later));
      }
    }
  });
});
