import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rss } from '../fakes/feed-server.js';
import { close, slowServer } from '../fakes/http.js';
import { HeraldProcess, tempDir, writeConfig } from './herald-process.js';

describe('polls falling behind their interval', () => {
  let herald: HeraldProcess | null = null;
  let stopServer: () => Promise<void> = async () => {};

  afterAll(async () => {
    herald?.kill('SIGKILL');
    await herald?.exited;
    await stopServer();
  });

  it('logs a warning naming the feed, how late its poll started and what to change', async () => {
    // Four feeds every second, each answering after 2.5 s, one poll at a time: polls start ever later.
    const slow = await slowServer(2_500, (req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(`Feed ${req.url}`, [])));
    stopServer = () => close(slow.server);
    const dir = tempDir('poll-lag');
    herald = new HeraldProcess(['run'], {
      HERALD_CONFIG: writeConfig(dir, {
        http: { concurrency: 1 },
        feeds: Array.from({ length: 4 }, (_, n) => ({ id: `lag-${n}`, url: slow.url(`/f${n}.xml`), every: '1s' })),
        routes: [],
      }),
      DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_ALLOW_PRIVATE_NETWORK: '1',
      HTTP_PORT: '0',
      X_CLIENT_ID: 'poll-lag-client',
    });
    const warning = await herald.waitForLog('polls are falling behind their interval: raise http.concurrency, lengthen every, or share the feeds out over more processes', {}, 60_000);
    expect(warning).toMatchObject({ level: 40, everyMs: 1000 });
    expect(warning.lagMs as number).toBeGreaterThanOrEqual(5_000);
    expect(String(warning.feed)).toMatch(/^lag-\d$/);
  }, 90_000);
});
