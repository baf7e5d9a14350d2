// Memory of an idle process. Args: contender, feed server port, feeds, idle seconds.
// 'herald': starts the built bot (dist/cli.js run, a fresh process, as users run it) with `feeds`
// feeds that never change, X configured and no routes, waits until it has polled every feed once, leaves it idle,
// then reads its RSS (/proc) and V8 heap (its /metrics). 'node': this process itself, nothing loaded.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, report } from './lib.js';

const [contender, portText, feedsText, idleText] = process.argv.slice(2);
const feeds = Number(feedsText);
const idleMs = Number(idleText) * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MB = 1024 * 1024;

/** Resident set size of a process, in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** A port nothing listens on right now, for the bot's /metrics. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The sum of every sample of a Prometheus metric (over all its labels). */
function metric(text: string, name: string): number {
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
}

async function herald(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-idle-'));
  // Feed numbers the bench server never changes (every 20th does): an idle bot, not one busy with new articles.
  const feedList = Array.from({ length: feeds }, (_, n) => ({ id: `f${n * 20 + 1}`, url: `http://127.0.0.1:${portText}/feed/${n * 20 + 1}`, every: '1h' }));
  writeFileSync(join(dir, 'herald.json'), JSON.stringify({ feeds: feedList, routes: [] }));
  const httpPort = await freePort();
  const bot = spawn(process.execPath, [CLI, 'run'], {
    // X over OAuth 2 as the destination herald run needs; it makes no request (no routes).
    env: { PATH: process.env.PATH, HERALD_CONFIG: join(dir, 'herald.json'), DATABASE_URL: `sqlite:${join(dir, 'db')}`, HERALD_ALLOW_PRIVATE_NETWORK: '1', HTTP_PORT: String(httpPort), LOG_LEVEL: 'warn', X_CLIENT_ID: 'bench-client' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const metrics = () => fetch(`http://127.0.0.1:${httpPort}/metrics`).then((r) => r.text());
  try {
    const started = performance.now();
    // RSS is read before each scrape (a scrape raises it): the reading before the scrape that finds the round done is the one kept.
    let rssAfterRoundMb = rssMb(bot.pid!);
    while (metric(await metrics().catch(() => ''), 'herald_feed_polls_total') < feeds) {
      if (bot.exitCode !== null) throw new Error(`the bot exited with ${bot.exitCode}`);
      if (performance.now() - started > 900_000) throw new Error('the first poll round did not finish in 15 minutes');
      await sleep(500);
      rssAfterRoundMb = rssMb(bot.pid!);
    }
    const firstRoundSeconds = (performance.now() - started) / 1000;
    await sleep(idleMs);
    const idleRssMb = rssMb(bot.pid!); // no scrape since the round's last
    const heapUsedMb = metric(await metrics(), 'nodejs_heap_size_used_bytes') / MB;
    return { rssMb: idleRssMb, heapUsedMb, rssAfterRoundMb, firstRoundSeconds };
  } finally {
    const exited = new Promise((resolve) => (bot.exitCode !== null || bot.signalCode !== null ? resolve(null) : bot.once('exit', resolve)));
    bot.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

async function node(): Promise<Record<string, number>> {
  await sleep(idleMs);
  const usage = process.memoryUsage();
  return { rssMb: usage.rss / MB, heapUsedMb: usage.heapUsed / MB };
}

if (contender !== 'herald' && contender !== 'node') throw new Error(`memory-child: unknown contender ${contender}; one of herald, node`);
report(contender === 'herald' ? await herald() : await node());
