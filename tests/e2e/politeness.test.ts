import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rss } from '../fakes/feed-server.js';
import { close, slowServer } from '../fakes/http.js';
import { HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const FEEDS = 8;

describe('politeness towards a host that many feeds share', () => {
  it('keeps http.perHost.maxInFlight polls in flight and sends nothing while its Retry-After lasts', async () => {
    let refusedAt = 0;
    const { server, stats, url } = await slowServer(100, (req, res, index) => {
      if (index === 0) {
        refusedAt = Date.now();
        res.writeHead(429, { 'retry-after': '2' }).end();
      } else {
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(`Feed ${req.url}`, []));
      }
    });
    try {
      const dir = tempDir('polite');
      const herald = new HeraldProcess(['run', '--once'], {
        HERALD_CONFIG: writeConfig(dir, {
          http: { perHost: { maxInFlight: 2 } },
          feeds: Array.from({ length: FEEDS }, (_, n) => ({ id: `f${n}`, url: url(`/f${n}.xml`) })),
          routes: [],
        }),
        DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
        HERALD_ALLOW_PRIVATE_NETWORK: '1',
        // A destination (X over OAuth 2 makes no request until a post is due), or run refuses to start.
        X_CLIENT_ID: 'politeness-test-client',
      });
      const { code } = await herald.exited;
      // 1: X waits for its login. The feed answered 429 is held until its Retry-After, not failed: one log line, named in the summary.
      expect(code).toBe(1);
      expect(herald.logged('feed poll failed')).toEqual([]);
      const held = herald.logged('feed held: its host asked to come back later (Retry-After)');
      expect(held).toHaveLength(1);
      expect(String(held[0]!.reason)).toMatch(/^HTTP 429, retry after /);
      expect(herald.logged('one cycle done')[0]).toMatchObject({ failed: [], heldFeeds: [held[0]!.feed] });
      expect(stats.arrivals).toHaveLength(FEEDS);
      expect(stats.maxInFlight).toBe(2);
      // Polls that were waiting their turn when the 429 came did not start before its 2 seconds passed.
      const during = stats.arrivals.filter((at) => at > refusedAt && at < refusedAt + 1_900);
      expect(during).toEqual([]);
    } finally {
      await close(server);
    }
  });
});
