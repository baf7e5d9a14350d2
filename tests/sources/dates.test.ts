import { describe, expect, it } from 'vitest';
import { parseDateLoose, plausibleDate } from '../../src/sources/dates.js';

describe('parseDateLoose', () => {
  it.each([
    ['Mon, 10 Jan 2022 21:56:00 GMT', '2022-01-10T21:56:00.000Z'],
    ['Mon, 10 Jan 2022 21:56:00 +0200', '2022-01-10T19:56:00.000Z'],
    ['10 Jan 22 21:56 EST', '2022-01-11T02:56:00.000Z'],
    ['Seg, 24 Set 2018 19:42:40 -0300', '2018-09-24T22:42:40.000Z'],
    ['Mo, 05 Mär 2018 10:00:00 +0100', '2018-03-05T09:00:00.000Z'],
    ['2022-01-10T23:56:00+02:00', '2022-01-10T21:56:00.000Z'],
    ['2022-01-10T23:56:00.123Z', '2022-01-10T23:56:00.123Z'],
    ['2022-01-10 23:56:00', '2022-01-10T23:56:00.000Z'],
    ['2022-01-10', '2022-01-10T00:00:00.000Z'],
    ['January 10, 2022 11:56 pm', '2022-01-10T23:56:00.000Z'],
    ['Tue, 11 Jan 2022 8:30:00 GMT', '2022-01-11T08:30:00.000Z'],
    ['20040105T000000Z', '2004-01-05T00:00:00.000Z'],
    ['20040105T0930+0100', '2004-01-05T08:30:00.000Z'],
    ['20040105', '2004-01-05T00:00:00.000Z'],
    ['Mon, 26 Jan 2004 16:31:00 ET', '2004-01-26T21:31:00.000Z'],
    ['Mon, 26 Jan 2004 16:31:00 AKST', '2004-01-27T01:31:00.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(parseDateLoose(input)?.toISOString()).toBe(expected);
  });

  it('returns null for what is not a date', () => {
    for (const input of ['', 'soon', '32 Jan 2022', '2022-13-01', undefined, 42]) expect(parseDateLoose(input)).toBeNull();
  });

  it('treats far-future and pre-1990 dates as unknown', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(plausibleDate('2099-01-01T00:00:00Z', now)).toBeNull();
    expect(plausibleDate('1970-01-01T00:00:00Z', now)).toBeNull();
    expect(plausibleDate('2026-01-02T00:00:00Z', now)?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });
});
