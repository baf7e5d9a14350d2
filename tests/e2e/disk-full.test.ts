import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { fakeEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const CHANNEL = '666666666666666666';
const BASE = Date.UTC(2026, 10, 23, 8, 0, 0);
const LONG = 60_000;

/**
 * The disk fills up under a running Herald: RLIMIT_FSIZE set on the process from outside (prlimit)
 * makes every write that grows a file fail with EFBIG, as a full disk does with ENOSPC, and holds
 * for root too (a read-only chmod does not). Raising the limit again is the disk freed.
 */
describe('a database that cannot be written while Herald runs', () => {
  const discord = new FakeDiscord('disk-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ', [CHANNEL]);
  const feeds = new FeedServer();
  const items: TestItem[] = [];
  let herald: HeraldProcess;
  let port = 0;

  function addStory(n: number): void {
    feeds.setPage(`/d/${n}.html`, articlePage(`Disk story ${n}`, [`Disk story ${n} has a lead sentence long enough to summarize well.`, 'More.']));
    items.push({ guid: `d${n}`, title: `Disk story ${n}`, link: feeds.url(`/d/${n}.html`), pubDate: new Date(BASE + n * 60_000) });
    feeds.setFeed('/feed.xml', rss('Disk News', [...items].reverse()));
  }

  const readyz = async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
  // The soft limit only: the hard one stays, so it can be raised again without privileges.
  const limitFileSize = (limit: string) => execFileSync('prlimit', ['--pid', String(herald.pid), `--fsize=${limit}:unlimited`]);

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start()]);
    addStory(1);
    const dir = tempDir('disk-full');
    herald = new HeraldProcess(['run'], {
      ...fakeEnv({ discord }),
      HERALD_CONFIG: writeConfig(dir, { feeds: [{ id: 'disk', url: feeds.url('/feed.xml'), every: '1s', backfill: 5 }], routes: [{ feeds: ['disk'], discord: [CHANNEL] }] }),
      DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_ALLOW_PRIVATE_NETWORK: '1',
      HTTP_PORT: '0',
    });
    port = (await herald.waitForLog('health and metrics listening')).port as number;
    await waitFor('the first post', () => discord.messagesIn(CHANNEL).length === 1, LONG);
  }, 90_000);

  afterAll(async () => {
    herald?.kill('SIGKILL');
    await Promise.all([discord.stop(), feeds.stop()]);
  });

  it('logs one line naming the database, keeps running with /readyz 503, then resumes by itself: nothing lost, nothing twice', async () => {
    limitFileSize('1');
    addStory(2);
    addStory(3);
    const line = await waitFor('the storage fault line', () => herald.logs.find((l) => String(l.msg).startsWith('the database cannot be written')), LONG);
    expect(String(line.msg)).toMatch(/^the database cannot be written \(SQLITE_\w+\): free disk space or make \/.*\/herald\.db writable/);
    expect(line.level).toBe(50);
    await waitFor('/readyz 503', async () => (await readyz()) === 503, LONG);
    const polls = feeds.count('/feed.xml');
    await waitFor('three more polls while the disk is full', () => feeds.count('/feed.xml') >= polls + 3, LONG);
    expect(herald.logs.filter((l) => String(l.msg).startsWith('the database cannot be written'))).toHaveLength(1);
    expect(herald.logs.filter((l) => l.level >= 50)).toHaveLength(1);
    expect(herald.logged('unexpected error; exiting')).toEqual([]);

    limitFileSize('unlimited');
    await herald.waitForLog('the database can be written again; resuming', {}, LONG);
    await waitFor('the two stories found while the disk was full', () => discord.messagesIn(CHANNEL).length === 3, LONG);
    await waitFor('/readyz 200', async () => (await readyz()) === 200, LONG);
    addStory(4);
    await waitFor('a story after', () => discord.messagesIn(CHANNEL).length === 4, LONG);
    expect(discord.messagesIn(CHANNEL).map((m) => m.body.embeds![0]!.title)).toEqual(['Disk story 1', 'Disk story 2', 'Disk story 3', 'Disk story 4']);
  }, 180_000);

  it('an error nothing caught ends the process with one JSON log line and exit 1', async () => {
    const dir = tempDir('unexpected');
    const crashing = new HeraldProcess(['run'], {
      ...fakeEnv({ discord }),
      HERALD_CONFIG: writeConfig(dir, { feeds: [{ id: 'disk', url: feeds.url('/feed.xml'), backfill: 0 }], routes: [] }),
      DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_ALLOW_PRIVATE_NETWORK: '1',
      HTTP_PORT: '0',
      // A fault from outside Herald's code, raised inside its process once it runs (no spaces: NODE_OPTIONS splits on them).
      NODE_OPTIONS: `--import=data:text/javascript,setTimeout(()=>Promise.reject(Error('injected%20fault')),1500)`,
    });
    expect((await crashing.exited).code).toBe(1);
    const fatal = crashing.logged('unexpected error; exiting');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ level: 60, origin: 'unhandledRejection', err: { message: 'injected fault' } });
    expect(crashing.stderr).not.toContain('injected fault');
  }, 60_000);
});
