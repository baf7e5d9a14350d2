import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedServer, rss } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { HeraldProcess, heraldEnv, tempDir, writeConfig } from './herald-process.js';

describe('adaptive polling against a feed server', () => {
  const feeds = new FeedServer();
  let herald: HeraldProcess;

  beforeAll(async () => {
    await feeds.start();
    // The publisher says the feed stays fresh 3 s; the operator allows 1 s to 1 min.
    feeds.set('/cached.xml', { body: rss('Cached', [{ guid: 'c1', title: 'C1', link: 'https://news.example/c1' }]), contentType: 'application/rss+xml', headers: { 'cache-control': 'public, max-age=3' } });
    // RSS <ttl> of 1 minute, but the operator's max is 2 s.
    feeds.set('/ttl.xml', { body: rss('TTL', []).replace('<channel>', '<channel><ttl>1</ttl>'), contentType: 'application/rss+xml' });
    // No hints: its `every` of 1 s holds.
    feeds.setFeed('/plain.xml', rss('Plain', []));
    const dir = tempDir('adaptive');
    const config = writeConfig(dir, {
      polling: { minEvery: '1s', maxEvery: '1m' },
      feeds: [
        { id: 'cached', url: feeds.url('/cached.xml'), every: '1s' },
        { id: 'ttl', url: feeds.url('/ttl.xml'), every: '1s', maxEvery: '2s' },
        { id: 'plain', url: feeds.url('/plain.xml'), every: '1s' },
      ],
      routes: [],
    });
    herald = new HeraldProcess(['run', '--dry-run'], heraldEnv({ dir, config }));
  });

  afterAll(async () => {
    herald?.kill('SIGKILL');
    await feeds.stop();
  });

  it('waits as long as Cache-Control max-age says, keeps the operator’s max over a longer ttl, and keeps `every` without hints', async () => {
    await waitFor('four polls of the cached feed', () => (feeds.arrivals.get('/cached.xml')?.length ?? 0) >= 4, 30_000);
    const gaps = (path: string) => feeds.arrivals.get(path)!.slice(0, 4).flatMap((at, i, all) => (i === 0 ? [] : [at - all[i - 1]!]));
    // ±10 % jitter around 3 s.
    for (const gap of gaps('/cached.xml')) expect(gap).toBeGreaterThanOrEqual(2_600);
    expect(herald.logged('poll interval', { feed: 'cached' })[0]).toMatchObject({ everyMs: 3_000, reason: 'max-age' });
    expect(herald.logged('poll interval', { feed: 'ttl' })[0]).toMatchObject({ everyMs: 2_000, reason: 'max' });
    for (const gap of gaps('/ttl.xml')) expect(gap).toBeGreaterThanOrEqual(1_700);
    expect(feeds.count('/plain.xml')).toBeGreaterThan(feeds.count('/cached.xml'));
    expect(herald.logged('poll interval', { feed: 'plain' })).toEqual([]);
  });
});
