// Resident memory of a running bot with 10,000 feeds configured, after its first poll of all of them.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { table } from './lib.js';

const FEEDS = 10_000;
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchIdleMemory(): Promise<Array<Record<string, string | number>>> {
  const server = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./poll-server.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => server.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  const dir = mkdtempSync(join(tmpdir(), 'herald-idle-'));
  const config = join(dir, 'herald.yaml');
  // Only the 95 % that never change: an idle bot, not one busy with new articles.
  const ids = Array.from({ length: FEEDS }, (_, n) => n * 20 + 1);
  writeFileSync(config, stringify({ feeds: ids.map((n) => ({ id: `f${n}`, url: `http://127.0.0.1:${port}/feed/${n}`, every: '1h' })), routes: [] }));
  const httpPort = 20_000 + Math.floor(Math.random() * 20_000);
  const bot = spawn(process.execPath, [fileURLToPath(new URL('../dist/cli.js', import.meta.url)), 'run'], {
    env: { PATH: process.env.PATH, HERALD_CONFIG: config, DATABASE_URL: `sqlite:${join(dir, 'db')}`, HERALD_ALLOW_PRIVATE_NETWORK: '1', HTTP_PORT: String(httpPort), LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  try {
    const started = Date.now();
    for (;;) {
      await sleep(500);
      const metrics = await fetch(`http://127.0.0.1:${httpPort}/metrics`).then((r) => r.text()).catch(() => '');
      const polls = [...metrics.matchAll(/^herald_feed_polls_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      if (polls >= FEEDS) break;
      if (Date.now() - started > 120_000) throw new Error('the first poll round did not finish in 2 minutes');
    }
    const firstRound = (Date.now() - started) / 1000;
    // Idle means idle: V8 returns memory some seconds after work stops, so sample for 30 s.
    const samples: number[] = [];
    for (let i = 0; i < 30; i++) {
      await sleep(1000);
      samples.push(rssMb(bot.pid!));
    }
    return [
      {
        what: `idle bot, ${FEEDS} feeds, no targets (first poll round: ${firstRound.toFixed(1)} s)`,
        'RSS MB after 30 s idle': Math.round(samples.at(-1)!),
        'RSS MB right after the round': Math.round(samples[0]!),
      },
    ];
  } finally {
    bot.kill('SIGKILL');
    server.kill();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) table('Idle memory', await benchIdleMemory());
