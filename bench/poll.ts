// Feed checks per second: Herald's scheduler on SQLite and on PostgreSQL beside bare undici GETs,
// each in a process of its own; then the scale table, several processes on one PostgreSQL database.
import pg from 'pg';
import { createDatabase, startTestCluster } from '../tests/postgres-cluster.js';
import { median, versionOf, type Sizes } from './lib.js';
import { figures, format, measure, printGroup, printTable, ratio, startChild, type Group, type GroupResults } from './runner.js';

const UNDICI = 'undici alone';
const SQLITE = 'Herald on SQLite';
const POSTGRES = 'Herald on PostgreSQL';

const HERALD_DOES =
  "Herald's scheduler, 64 polls in flight, no per-host limit (every bench feed is on one host): claim the feed, conditional GET, state written; the 5 % with a new item: parse, fetch the page, extract, summarise, store the article and its delivery";

const checksPerSecond = (results: GroupResults, name: string) => format(median(figures(results, name, 'checksPerSecond')), 0);

/** The feed server, in a process of its own: /feed/N answers 304 to its ETag, except every 20th feed, which has a new item each time. */
async function startServer(): Promise<{ port: number; stop(): void }> {
  const server = startChild('poll-server', []);
  const port = Number(await server.waitForLine(/^\d+$/));
  return { port, stop: () => server.kill() };
}

/** Runs and prints the poll group and the scale table. */
export async function benchPoll(sizes: Sizes): Promise<void> {
  const server = await startServer();
  const cluster = await startTestCluster();
  try {
    const adminUrl = 'skipped' in cluster ? null : cluster.adminUrl;
    const dbPid = 'skipped' in cluster ? 0 : cluster.postmasterPid;
    const args = (contender: string, database: string) => [contender, String(server.port), String(sizes.pollFeeds), database];
    const group: Group = {
      title: `Polls: ${format(sizes.pollFeeds, 0)} feeds on a local server, 95 % answer 304, 5 % have a new item (checks per second, one process)`,
      metric: { key: 'checksPerSecond', label: 'checks/s', digits: 0 },
      columns: [
        { key: 'cpuMsPerCheck', label: 'CPU ms per check', digits: 3 },
        { key: 'dbCpuMsPerCheck', label: 'database server CPU ms per check', digits: 3 },
        { key: 'p99LagMs', label: 'p99 poll lag ms', digits: 0 },
        { key: 'newArticles', label: 'new articles', digits: 0 },
        { key: 'peakRssMb', label: 'peak RSS MB', digits: 0 },
      ],
      contenders: [
        { name: UNDICI, does: `the floor: undici ${versionOf('undici')} request() with If-None-Match, 64 in flight, nothing parsed or stored`, child: 'poll-child', args: args('undici', 'sqlite') },
        { name: SQLITE, does: `${HERALD_DOES}; a fresh SQLite file (better-sqlite3, WAL)`, child: 'poll-child', args: args('herald', 'sqlite') },
        adminUrl
          ? { name: POSTGRES, does: `${HERALD_DOES}; a fresh database on a local PostgreSQL (fsync off)`, child: 'poll-child', args: [...args('herald', `postgres-fresh=${adminUrl}`), `db-pid=${dbPid}`] }
          : { name: POSTGRES, does: HERALD_DOES, pending: `no PostgreSQL: ${(cluster as { skipped: string }).skipped}` },
      ],
      baseline: UNDICI,
      notes: (results) => [
        `${SQLITE}: ${checksPerSecond(results, SQLITE)} checks/s (goal ≥ 5,000), ${ratio(results, SQLITE, UNDICI, 'checksPerSecond')} bare GETs`,
        `${POSTGRES}: ${checksPerSecond(results, POSTGRES)} checks/s (goal ≥ 2,500), ${ratio(results, POSTGRES, UNDICI, 'checksPerSecond')} bare GETs`,
        "each process polls every feed three times and times the third: the first fills validators; the second, untimed too, is a pass like the timed one, whose new items start Herald's extraction workers (started on demand at the first page, idle ones exit after 30 s), so the timed pass finds them warm, as a running bot's are (steady state); poll lag: from the moment all feeds fell due (the pass began) to the end of each check",
        'the feed server and PostgreSQL run on the same cores; CPU per check counts the polling process (SQLite runs inside it); database server CPU per check counts PostgreSQL: user + system time of the bench\'s own cluster over the timed pass, its postmaster and every process under it (backends, background writer, WAL writer, autovacuum; /proc, clock ticks of getconf CLK_TCK), not the other clusters on the machine',
      ],
    };
    printGroup(group, await measure(group, sizes.rounds), sizes.rounds);
    await printScale(sizes, server.port, adminUrl, dbPid, 'skipped' in cluster ? cluster.skipped : '');
  } finally {
    if (!('skipped' in cluster)) cluster.stop();
    server.stop();
  }
}

/** Gives back the feed leases the processes of an earlier row held until their next poll (an hour on), as `herald run` does when it stops. */
async function releaseFeedLeases(database: string): Promise<void> {
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  try {
    await client.query('UPDATE feed_state SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL');
  } finally {
    await client.end();
  }
}

/** Every feed count with every process count, all processes on one fresh PostgreSQL database, started together. */
async function printScale(sizes: Sizes, port: number, adminUrl: string | null, dbPid: number, skipped: string): Promise<void> {
  console.log('\n### Scale: Herald processes sharing one PostgreSQL database (one run per row)\n');
  const rows: string[][] = [];
  for (const feeds of sizes.scaleFeeds) {
    // One database per feed count: the first row's untimed pass fills it (every feed's first poll,
    // all its items remembered); the later rows start from what it left (validators, seen items),
    // so their untimed pass is the same kind of pass as the timed one.
    const database = adminUrl ? await createDatabase(adminUrl, `bench_scale_${feeds}`) : null;
    for (const [row, processes] of sizes.scaleProcesses.entries()) {
      if (!database) {
        rows.push([format(feeds, 0), String(processes), `skipped: no PostgreSQL: ${skipped}`, '–', '–', '–', '–', '–', '–']);
        continue;
      }
      if (row > 0) await releaseFeedLeases(database);
      const children = Array.from({ length: processes }, () => startChild('poll-child', ['herald', String(port), String(feeds), database, 'barrier', `db-pid=${dbPid}`]));
      try {
        for (const pass of [1, 2, 3]) {
          await Promise.all(children.map((child) => child.waitForLine(/^ready$/, pass)));
          for (const child of children) child.send('go');
        }
        const results = await Promise.all(children.map((child) => child.result));
        const checks = results.reduce((sum, r) => sum + r.checks!, 0);
        const seconds = Math.max(...results.map((r) => r.seconds!));
        rows.push([
          format(feeds, 0),
          String(processes),
          format(checks / seconds, 0),
          format(results.reduce((sum, r) => sum + r.cpuMs!, 0) / checks, 3),
          // Each process read the server's CPU over its own timed pass; they started together, so the
          // longest window (the largest figure) covers every process's pass.
          format(Math.max(...results.map((r) => r.dbCpuMs!)) / checks, 3),
          format(Math.max(...results.map((r) => r.p99LagMs!)), 0),
          format(Math.max(...results.map((r) => r.peakRssMb!)), 0),
          `${format(checks, 0)} (${results.map((r) => format(r.checks!, 0)).join(' + ')})`,
          format(results.reduce((sum, r) => sum + r.newArticles!, 0), 0),
        ]);
      } finally {
        for (const child of children) child.kill();
      }
    }
  }
  printTable(['feeds', 'processes', 'checks/s, all processes', 'CPU ms per check', 'database server CPU ms per check', 'p99 poll lag ms (worst process)', 'peak RSS MB (worst process)', 'checks (each feed claimed once)', 'new articles'], rows);
  console.log(
    `\n- each row is one run, not a median of rounds (at 100,000 feeds one row takes minutes); the default sizes are small, \`--scale-feeds 100000 --scale-processes 1,3\` gives the full figure\n- ${HERALD_DOES}; all feeds fall due at once; the processes start each pass together and time the third (the second, untimed, warms the extraction workers as in the poll group); the rows of one feed count share one database, which the first row's first pass filled (later rows start from its validators and seen items, its leases given back); CPU ms per check: the Herald processes' user + system time over all checks; database server CPU ms per check: the bench's PostgreSQL cluster (postmaster and every process under it, /proc) over the timed pass. Sizes: --scale-feeds ${sizes.scaleFeeds.join(',')} --scale-processes ${sizes.scaleProcesses.join(',')}`,
  );
}
