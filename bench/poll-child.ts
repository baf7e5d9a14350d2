// One polling process against the bench feed server. Args: contender ('herald' or 'undici'), server
// port, feeds, database ('sqlite': a fresh file; 'postgres-fresh=<admin URL>': a fresh database of its
// own; or a PostgreSQL URL shared with other processes), then any of: 'barrier' to wait for a "go"
// line on stdin before each pass; 'db-pid=<pid>', the database server's postmaster, to count its CPU
// (and its backends') over the timed pass. Polls every feed three times and times the third: the first
// fills validators (so 95 % of later passes are 304s), the second is a pass like the timed one, whose
// new items start the extraction workers (started on demand at the first page), so the timed pass
// finds them warm, as a running bot's are. Reports checks/s, CPU per check (this process,
// and the database server's), p99 poll lag and peak RSS.
import { createInterface } from 'node:readline';
import { percentile, peakRssMb, processTreeCpuMs, report } from './lib.js';

const [contender, portText, feedsText, database, ...flags] = process.argv.slice(2);
const barrier = flags.includes('barrier') ? 'barrier' : null;
const dbPidFlag = flags.find((flag) => flag.startsWith('db-pid='));
/** The database server's postmaster, whose CPU (with its backends') is counted over the timed pass; null for SQLite, which runs in this process. */
const dbPid = dbPidFlag ? Number(dbPidFlag.slice('db-pid='.length)) : null;
const port = Number(portText);
const feeds = Number(feedsText);
/** Polls in flight (config http.concurrency; Herald's default is 16). */
const CONCURRENCY = 64;
const urls = Array.from({ length: feeds }, (_, n) => `http://127.0.0.1:${port}/feed/${n}`);

interface Pass {
  checks: number;
  notModified: number;
  newArticles: number;
  /** When each check finished, ms after the pass began (all feeds fell due at its start). */
  finishedMs: number[];
}

/** Bare conditional GETs with undici, If-None-Match sent, bodies dumped, nothing parsed or stored. */
async function undiciPoller(): Promise<{ pollAll(): Promise<Pass>; close(): Promise<void> }> {
  const { Agent, request } = await import('undici');
  const agent = new Agent({ connections: CONCURRENCY });
  return {
    async pollAll() {
      const started = performance.now();
      const finishedMs: number[] = [];
      let next = 0;
      let notModified = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < urls.length) {
            const response = await request(urls[next++]!, { dispatcher: agent, headers: { 'if-none-match': '"v1"' } });
            await response.body.dump();
            if (response.statusCode === 304) notModified++;
            finishedMs.push(performance.now() - started);
          }
        }),
      );
      return { checks: urls.length, notModified, newArticles: 0, finishedMs };
    },
    close: () => agent.close(),
  };
}

async function databaseUrl(): Promise<string | null> {
  if (database === 'sqlite') return null;
  if (database?.startsWith('postgres-fresh=')) {
    const { createDatabase } = await import('../tests/postgres-cluster.js');
    return createDatabase(database.slice('postgres-fresh='.length), `bench_${process.pid}`);
  }
  return database ?? null;
}

const lines = barrier === 'barrier' ? createInterface({ input: process.stdin })[Symbol.asyncIterator]() : null;
/** With 'barrier', every process of a run starts each pass together (the runner sends "go" to all). */
async function ready(): Promise<void> {
  if (!lines) return;
  console.log('ready');
  await lines.next();
}

const poller = contender === 'undici' ? await undiciPoller() : await (await import('./herald.js')).openPoller(urls, await databaseUrl(), CONCURRENCY);
// Two untimed passes: validators filled, then extraction workers started by the new items' pages.
for (let warmUp = 0; warmUp < 2; warmUp++) {
  await ready();
  await poller.pollAll();
}
await ready();
const dbCpuBefore = dbPid === null ? 0 : processTreeCpuMs(dbPid);
const cpu = process.cpuUsage();
const started = performance.now();
const pass = await poller.pollAll();
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
const dbCpuMs = dbPid === null ? null : processTreeCpuMs(dbPid) - dbCpuBefore;
await poller.close();
const cpuMs = (used.user + used.system) / 1000;
report({
  checks: pass.checks,
  seconds,
  checksPerSecond: pass.checks / seconds,
  cpuMs,
  cpuMsPerCheck: cpuMs / pass.checks,
  ...(dbCpuMs === null ? {} : { dbCpuMs, dbCpuMsPerCheck: dbCpuMs / pass.checks }),
  p99LagMs: percentile(pass.finishedMs, 99),
  notModified: pass.notModified,
  newArticles: pass.newArticles,
  peakRssMb: peakRssMb(),
});
process.exit(0); // the barrier's stdin would hold the process open
