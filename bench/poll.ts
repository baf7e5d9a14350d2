// Poll throughput over 10,000 feeds (95 % answer 304, 5 % have new items) with 1 and 2 Herald
// processes, beside bare undici conditional GETs against the same server in the same run.
import { spawn, execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDatabase, startTestCluster } from '../tests/postgres-cluster.js';
import { table } from './lib.js';

const FEEDS = 10_000;

async function startServer(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./poll-server.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  return { port, stop: () => child.kill() };
}

interface WorkerResult { checks: number; seconds: number; cpuMsPerCheck: number; notModified?: number; newArticles?: number }

async function worker(mode: string, port: number, from: number, to: number, databaseUrl?: string): Promise<WorkerResult> {
  const args = [fileURLToPath(new URL('./poll-worker.ts', import.meta.url)), mode, String(port), String(from), String(to), ...(databaseUrl ? [databaseUrl] : [])];
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', ...args], { maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as WorkerResult;
}

export async function benchPoll(): Promise<Array<Record<string, string | number>>> {
  const server = await startServer();
  try {
    const rows: Array<Record<string, string | number>> = [];
    const baseline = await worker('undici', server.port, 0, FEEDS);
    rows.push({ what: 'undici alone (baseline, 304s only, nothing stored)', 'checks/s': Math.round(baseline.checks / baseline.seconds), 'CPU ms/check': baseline.cpuMsPerCheck.toFixed(3) });
    const one = await worker('herald', server.port, 0, FEEDS);
    rows.push({ what: `herald, 1 process (${one.notModified} × 304, ${one.newArticles} new articles)`, 'checks/s': Math.round(one.checks / one.seconds), 'CPU ms/check': one.cpuMsPerCheck.toFixed(3) });
    const two = await Promise.all([worker('herald', server.port, 0, FEEDS / 2), worker('herald', server.port, FEEDS / 2, FEEDS)]);
    const seconds = Math.max(...two.map((r) => r.seconds));
    rows.push({ what: 'herald, 2 processes (half the feeds each, own SQLite database)', 'checks/s': Math.round(FEEDS / seconds), 'CPU ms/check': ((two[0]!.cpuMsPerCheck + two[1]!.cpuMsPerCheck) / 2).toFixed(3) });

    const cluster = await startTestCluster();
    if ('skipped' in cluster) {
      rows.push({ what: `PostgreSQL rows skipped: ${cluster.skipped}` });
      return rows;
    }
    try {
      const onePg = await worker('herald', server.port, 0, FEEDS, await createDatabase(cluster.adminUrl, 'bench_one'));
      rows.push({ what: 'herald, 1 process on PostgreSQL', 'checks/s': Math.round(onePg.checks / onePg.seconds), 'CPU ms/check': onePg.cpuMsPerCheck.toFixed(3) });
      const shared = await createDatabase(cluster.adminUrl, 'bench_shared');
      const twoPg = await Promise.all([worker('herald', server.port, 0, FEEDS, shared), worker('herald', server.port, 0, FEEDS, shared)]);
      const total = twoPg[0]!.checks + twoPg[1]!.checks;
      rows.push({
        what: `herald, 2 processes sharing one PostgreSQL database (each feed claimed once: ${twoPg[0]!.checks} + ${twoPg[1]!.checks})`,
        'checks/s': Math.round(total / Math.max(...twoPg.map((r) => r.seconds))),
        'CPU ms/check': ((twoPg[0]!.cpuMsPerCheck + twoPg[1]!.cpuMsPerCheck) / 2).toFixed(3),
      });
    } finally {
      cluster.stop();
    }
    return rows;
  } finally {
    server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) table('Poll throughput, 10,000 feeds', await benchPoll());
