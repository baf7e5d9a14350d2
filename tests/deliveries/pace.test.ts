import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/config.js';
import type { Pacing } from '../../src/config/pacing.js';
import { describePacing, nextDigestAt, paceFreeAt, paceVerdict, quietUntil, topOfDigest } from '../../src/deliveries/pace.js';
import { TARGET_KINDS } from '../../src/targets/index.js';

const CHANNEL = '111111111111111111';
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const BERLIN_NIGHT: NonNullable<Pacing['quiet']> = { from: 22 * 60, to: 7 * 60, zone: 'Europe/Berlin' };
const daily = (at: number, zone: string): NonNullable<Pacing['digest']> => ({ every: 'daily', on: 'monday', at, zone, top: 10, only: false });

function destination(extra: Record<string, unknown>) {
  const config = parseConfig({ feeds: [{ id: 'news', url: 'https://news.example/rss' }], routes: [{ feeds: ['news'], to: [{ discord: { channel: CHANNEL, ...extra } }] }] }, 'herald.yaml', TARGET_KINDS);
  return config.routes[0]!.to[0]!;
}

describe('quiet hours in an IANA zone', () => {
  it('end at the next "to" on the zone’s clock, across midnight and across both daylight-saving changes', () => {
    // 23:30 in Berlin the night before clocks spring forward (CET → CEST): 07:00 CEST is 05:00 UTC.
    expect(iso(quietUntil(BERLIN_NIGHT, at('2026-03-28T22:30:00Z')))).toBe('2026-03-29T05:00:00.000Z');
    // 23:30 CEST the night clocks fall back: 07:00 CET is 06:00 UTC.
    expect(iso(quietUntil(BERLIN_NIGHT, at('2026-10-24T21:30:00Z')))).toBe('2026-10-25T06:00:00.000Z');
    // 03:00 in Berlin, after midnight: the same morning.
    expect(iso(quietUntil(BERLIN_NIGHT, at('2026-11-30T02:00:00Z')))).toBe('2026-11-30T06:00:00.000Z');
    // "from" is included, "to" is not.
    expect(iso(quietUntil(BERLIN_NIGHT, at('2026-11-30T21:00:00Z')))).toBe('2026-12-01T06:00:00.000Z');
    expect(quietUntil(BERLIN_NIGHT, at('2026-11-30T06:00:00Z'))).toBeNull();
    expect(quietUntil(BERLIN_NIGHT, at('2026-11-30T12:00:00Z'))).toBeNull();
    // Quiet hours within one day.
    expect(iso(quietUntil({ from: 12 * 60, to: 14 * 60, zone: 'UTC' }, at('2026-11-30T13:15:00Z')))).toBe('2026-11-30T14:00:00.000Z');
  });
});

describe('scheduled digest times', () => {
  it('daily at a wall-clock time, strictly after the given time, following DST', () => {
    expect(iso(nextDigestAt(daily(8 * 60, 'Europe/Berlin'), at('2026-11-30T06:00:00Z')))).toBe('2026-11-30T07:00:00.000Z');
    expect(iso(nextDigestAt(daily(8 * 60, 'Europe/Berlin'), at('2026-11-30T07:00:00Z')))).toBe('2026-12-01T07:00:00.000Z');
    expect(iso(nextDigestAt(daily(8 * 60, 'Europe/Berlin'), at('2026-03-28T12:00:00Z')))).toBe('2026-03-29T06:00:00.000Z');
    // 02:30 does not exist on the spring-forward day: it is read as 03:30 CEST; on the fall-back day it is its first occurrence.
    expect(iso(nextDigestAt(daily(2 * 60 + 30, 'Europe/Berlin'), at('2026-03-28T12:00:00Z')))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(nextDigestAt(daily(2 * 60 + 30, 'Europe/Berlin'), at('2026-10-24T12:00:00Z')))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('weekly on the named day', () => {
    const weekly = { ...daily(8 * 60, 'America/New_York'), every: 'weekly' as const, on: 'friday' as const };
    // Monday 2026-11-30 → Friday 2026-12-04 08:00 EST = 13:00 UTC.
    expect(iso(nextDigestAt(weekly, at('2026-11-30T12:00:00Z')))).toBe('2026-12-04T13:00:00.000Z');
    expect(iso(nextDigestAt(weekly, at('2026-12-04T13:00:00Z')))).toBe('2026-12-11T13:00:00.000Z');
  });
});

describe('the pace', () => {
  it('allows N posts in any window of the period, and says when the next one is free', () => {
    const pace = { posts: 2, perMs: 1_000 };
    expect(paceFreeAt(pace, [500], 1_000)).toBeNull();
    expect(paceFreeAt(pace, [100, 500, 900], 1_000)).toBe(1_500);
    // Posts older than the window do not count.
    expect(paceFreeAt(pace, [0, 900], 1_000)).toBeNull();
  });

  it('folds for digests-only first, then quiet hours, then the pace', () => {
    const night = at('2026-11-30T23:00:00Z');
    const pacing: Pacing = { pace: { posts: 1, perMs: 3_600_000 }, quiet: BERLIN_NIGHT };
    expect(paceVerdict(pacing, [], night)).toEqual({ kind: 'fold', cause: 'quiet', dueAt: at('2026-12-01T06:00:00Z') });
    const noon = at('2026-11-30T12:00:00Z');
    expect(paceVerdict(pacing, [noon - 60_000], noon)).toEqual({ kind: 'fold', cause: 'pace', dueAt: noon + 3_540_000 });
    expect(paceVerdict(pacing, [noon - 3_600_000], noon)).toEqual({ kind: 'send' });
    expect(paceVerdict({ digest: { ...daily(8 * 60, 'UTC'), only: true } }, [], noon)).toEqual({ kind: 'fold', cause: 'scheduled', dueAt: at('2026-12-01T08:00:00Z') });
  });

  it('ranks a digest by feed priority, how many feeds carried the story, and recency', () => {
    const since = 0;
    const until = 100;
    const ranked = topOfDigest(
      [
        { articleId: 'old-loud', priority: 5, at: 10, feeds: 1 },
        { articleId: 'new', priority: 0, at: 100, feeds: 1 },
        { articleId: 'shared', priority: 0, at: 60, feeds: 2 },
        { articleId: 'old', priority: 0, at: 0, feeds: 1 },
      ],
      3,
      since,
      until,
    );
    expect(ranked.map((c) => c.articleId)).toEqual(['shared', 'new', 'old-loud']);
  });
});

describe('pace keys in the config file', () => {
  it('are read into the destination’s pacing and described for preview', () => {
    const { pacing } = destination({ pace: { posts: 5, per: '1h' }, quiet: { from: '22:00', to: '07:00', zone: 'Europe/Berlin' }, digest: { every: 'weekly', on: 'friday', at: '08:00', top: 5, only: true } });
    expect(pacing).toEqual({
      pace: { posts: 5, perMs: 3_600_000 },
      quiet: { from: 1320, to: 420, zone: 'Europe/Berlin' },
      digest: { every: 'weekly', on: 'friday', at: 480, zone: 'UTC', top: 5, only: true },
    });
    expect(describePacing(pacing!)).toBe('at most 5 posts per 1h, the rest in one digest; quiet 22:00–07:00 Europe/Berlin, then one digest; weekly digest of the top 5 every friday at 08:00 UTC, instead of single posts');
    expect(destination({}).pacing).toBeUndefined();
  });

  it('refuse an unknown zone, a bad time and a pace without a unit, naming the key', () => {
    const fails = (extra: Record<string, unknown>) => {
      try {
        destination(extra);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(fails({ quiet: { from: '22:00', to: '07:00', zone: 'Europe/Berlim' } })).toMatch(/routes\[0\]\.to\[0\]\.discord\.quiet\.zone.*unknown time zone "Europe\/Berlim"/s);
    expect(fails({ digest: { every: 'daily', at: '8am' } })).toMatch(/digest\.at.*time of day such as "07:00"/s);
    expect(fails({ pace: { posts: 5, per: 1 } })).toMatch(/pace\.per.*did you mean 1h\?/s);
    expect(fails({ quiet: { from: '22:00', to: '22:00', zone: 'UTC' } })).toMatch(/quiet hours need "from" and "to" to differ/);
  });
});
