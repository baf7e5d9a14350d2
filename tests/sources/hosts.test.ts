import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { retryAfterUntil } from '../../src/sources/hosts.js';
import { createHttpClient, type FetchError } from '../../src/sources/http.js';
import { close, slowServer } from '../fakes/http.js';

const REQUEST = { accept: '*/*', maxBytes: 100_000, timeoutMs: 10_000 };

const settle = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as FetchError);

describe('per-host politeness', () => {
  it('keeps at most maxInFlight requests to one host in flight, while another host is not held back', async () => {
    const busy = await slowServer(150);
    const other = await slowServer(10);
    const http = createHttpClient({ userAgent: 'test', allowPrivateNetwork: true, perHost: { maxInFlight: 2, minGapMs: 0 } });
    try {
      const feeds = Array.from({ length: 8 }, (_, n) => http.fetch(busy.url(`/feed-${n}.xml`), REQUEST));
      const elsewhere = await http.fetch(other.url('/feed.xml'), REQUEST);
      expect(elsewhere.status).toBe('ok');
      expect(busy.stats.arrivals.length).toBeLessThan(8); // the other host was answered while this one still queued
      await Promise.all(feeds);
      expect(busy.stats.arrivals).toHaveLength(8);
      expect(busy.stats.maxInFlight).toBe(2);
    } finally {
      await http.close();
      await Promise.all([close(busy.server), close(other.server)]);
    }
  });

  it('starts requests to one host at least minGap apart', async () => {
    const site = await slowServer(0);
    const http = createHttpClient({ userAgent: 'test', allowPrivateNetwork: true, perHost: { maxInFlight: 4, minGapMs: 200 } });
    try {
      await Promise.all(Array.from({ length: 4 }, (_, n) => http.fetch(site.url(`/feed-${n}.xml`), REQUEST)));
      const gaps = site.stats.arrivals.slice(1).map((at, n) => at - site.stats.arrivals[n]!);
      expect(gaps).toHaveLength(3);
      // Measured where the requests arrive: a new connection's set-up can shift one arrival a little.
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(150);
      expect(site.stats.arrivals[3]! - site.stats.arrivals[0]!).toBeGreaterThanOrEqual(570);
    } finally {
      await http.close();
      await close(site.server);
    }
  });

  it('sends nothing to a host before its Retry-After has passed, and fails at once what cannot wait that long', async () => {
    const site = await slowServer(0, (_req, res, index) => {
      if (index === 0) res.writeHead(429, { 'retry-after': '1' }).end();
      else res.end('ok');
    });
    const http = createHttpClient({ userAgent: 'test', allowPrivateNetwork: true, perHost: { maxInFlight: 4, minGapMs: 0 } });
    try {
      const refused = await settle(http.fetch(site.url('/feed.xml'), REQUEST));
      expect([refused?.kind, refused?.status]).toEqual(['http', 429]);
      const answeredAt = Date.now();
      const impatient = await settle(http.fetch(site.url('/other.xml'), { ...REQUEST, timeoutMs: 300 }));
      expect(impatient?.message).toMatch(/^not sent: 127\.0\.0\.1:\d+ asked for no requests until .* \(Retry-After\)$/);
      expect(site.stats.arrivals).toHaveLength(1);
      const patient = await http.fetch(site.url('/feed.xml'), REQUEST);
      expect(patient.status).toBe('ok');
      expect(site.stats.arrivals[1]! - answeredAt).toBeGreaterThanOrEqual(900);
    } finally {
      await http.close();
      await close(site.server);
    }
  });

  it('reads Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3)', () => {
    const now = Date.UTC(2026, 10, 30, 10, 0, 0);
    expect(retryAfterUntil('120', now)).toBe(now + 120_000);
    expect(retryAfterUntil('Mon, 30 Nov 2026 10:05:00 GMT', now)).toBe(now + 300_000);
    expect(retryAfterUntil('soon', now)).toBeNull();
    expect(retryAfterUntil(null, now)).toBeNull();
  });

  it('caps an absurd Retry-After at 6 hours, so it always gives a valid date', () => {
    const now = Date.UTC(2026, 10, 30, 10, 0, 0);
    const sixHours = now + 6 * 3_600_000;
    for (const value of ['99999999999999', '9'.repeat(400), 'Fri, 31 Dec 9999 23:59:59 GMT']) {
      expect(retryAfterUntil(value, now)).toBe(sixHours);
      expect(new Date(retryAfterUntil(value, now)!).toISOString()).toBe('2026-11-30T16:00:00.000Z');
    }
  });

  it('is configured by http.perHost, with defaults', () => {
    expect(parseConfig({}, 'herald.yaml', []).http.perHost).toEqual({ maxInFlight: 8, minGapMs: 0 });
    expect(parseConfig({ http: { perHost: { maxInFlight: 1, minGap: '1s' } } }, 'herald.yaml', []).http.perHost).toEqual({ maxInFlight: 1, minGapMs: 1000 });
    expect(parseConfig({ http: { perHost: { minGap: 0 } } }, 'herald.yaml', []).http.perHost.minGapMs).toBe(0);
    expect(() => parseConfig({ http: { perHost: { minGap: 1 } } }, 'herald.yaml', [])).toThrow('http.perHost.minGap: expected a duration with a unit (ms, s, m, h or d), got 1: did you mean 1s?');
  });
});
