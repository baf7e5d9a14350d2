// Polls feeds [from, to) of the bench server twice (the first pass fills validators), timing the
// second: feed checks per second and CPU per check, with every poll's state written to SQLite.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { request, Agent } from 'undici';
import type { FeedConfig } from '../src/config/config.js';
import { createHttpClient } from '../src/sources/http.js';
import { FeedScheduler } from '../src/sources/poller.js';
import { openStore } from '../src/store/open.js';
import { openSqliteStore } from '../src/store/sqlite.js';

const [mode, portText, fromText, toText, databaseUrl] = process.argv.slice(2);
const port = Number(portText);
const from = Number(fromText);
const to = Number(toText);
const CONCURRENCY = 64;

async function herald() {
  const store = databaseUrl ? await openStore(databaseUrl) : openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-bench-')), 'bench.db'));
  const http = createHttpClient({ userAgent: 'Herald-bench', allowPrivateNetwork: true });
  const feeds: FeedConfig[] = Array.from({ length: to - from }, (_, i) => ({ id: `f${from + i}`, url: `http://127.0.0.1:${port}/feed/${from + i}`, everyMs: 60_000, backfill: 0, name: `f${from + i}`, color: 0, priority: 0 }));
  const scheduler = new FeedScheduler(
    feeds,
    {
      store,
      http,
      log: pino({ level: 'silent' }),
      targetsFor: () => ['discord:1'],
      summary: { maxSentences: 3, maxChars: 500 },
      updates: 'edit',
      feedLimits: { maxBytes: 10_000_000, timeoutMs: 30_000 },
      pageLimits: { maxBytes: 5_000_000, timeoutMs: 30_000 },
      onNewDeliveries: () => {},
    },
    CONCURRENCY,
    `bench-${process.pid}`,
  );
  await scheduler.pollAllOnce();
  const cpu = process.cpuUsage();
  const started = performance.now();
  // With a shared database, feeds another process holds are skipped: count only this one's checks.
  const outcomes = (await scheduler.pollAllOnce()).filter((o) => o.status !== 'elsewhere');
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await http.close();
  await store.close();
  return {
    checks: outcomes.length,
    seconds,
    notModified: outcomes.filter((o) => o.status === 'not-modified').length,
    newArticles: outcomes.reduce((sum, o) => sum + o.newArticles, 0),
    cpuMsPerCheck: (used.user + used.system) / 1000 / outcomes.length,
  };
}

/** The floor: bare conditional GETs with undici, nothing parsed or stored. */
async function undiciOnly() {
  const agent = new Agent({ connections: CONCURRENCY });
  let next = from;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < to) {
        const n = next++;
        const response = await request(`http://127.0.0.1:${port}/feed/${n}`, { dispatcher: agent, headers: { 'if-none-match': '"v1"' } });
        await response.body.dump();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await agent.close();
  return { checks: to - from, seconds, cpuMsPerCheck: (used.user + used.system) / 1000 / (to - from) };
}

console.log(JSON.stringify(mode === 'undici' ? await undiciOnly() : await herald()));
