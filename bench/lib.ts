// Paths, inputs and statistics shared by the benchmark runner and its child processes.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project directory (holding package.json), whether bench runs from bench/ or compiled from dist-bench/bench/. */
const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('bench: no package.json above the bench directory');
    dir = parent;
  }
  return dir;
})();

/** Herald's CLI as built by `npm run build`: the bot runs as its users run it. */
export const CLI = join(ROOT, 'dist', 'cli.js');

/** ../shared/corpus beside the project: real feeds and article pages with reference extractions. */
const CORPUS = join(ROOT, '..', 'shared', 'corpus');
export const hasCorpus = existsSync(CORPUS);

/** The article pages of Mozilla Readability's test corpus (source and reference extraction), by name. */
export function corpusPages(limit = Infinity): Array<{ name: string; html: string; expected: string }> {
  const dir = join(CORPUS, 'articles');
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort()
    .slice(0, limit)
    .map((name) => ({ name, html: readFileSync(join(dir, name, 'source.html'), 'utf8'), expected: readFileSync(join(dir, name, 'expected.html'), 'utf8') }));
}

/** The feeds of rss-parser's test corpus that are feeds (its deliberately unrecognisable one left out). */
export function corpusFeeds(): Buffer[] {
  const dir = join(CORPUS, 'feeds', 'rss-parser');
  return readdirSync(dir)
    .filter((name) => name !== 'LICENSE' && name !== 'unrecognized.rss')
    .sort()
    .map((name) => readFileSync(join(dir, name)));
}

/** The median of `values` (the mean of the middle two for an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The nearest-rank percentile `p` (0–100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** This process's peak resident set size so far, in MB (getrusage's ru_maxrss). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, 100 on Linux almost everywhere). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A process's /proc/<pid>/stat fields after its name: [0] state, [1] parent pid, [11] utime, [12] stime, [13] cutime, [14] cstime (ticks; proc(5)). */
function statFields(pid: string): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // gone since /proc was listed
  }
}

/**
 * CPU time (user + system) that process `rootPid` and its descendants have used so far, in ms, from
 * /proc (Linux; proc(5)): the root's own time and that of its children it has reaped (cutime, cstime:
 * a backend that exited), plus every live descendant's own time. For a PostgreSQL cluster, `rootPid`
 * is the postmaster: its backends and background workers are its children. Take the difference of two
 * readings for the time spent between them.
 */
export function processTreeCpuMs(rootPid: number): number {
  const stats = new Map<string, string[]>();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const fields = statFields(pid);
    if (fields) stats.set(pid, fields);
  }
  const root = stats.get(String(rootPid));
  if (!root) throw new Error(`no process ${rootPid}`);
  let ticks = Number(root[11]) + Number(root[12]) + Number(root[13]) + Number(root[14]);
  const tree = new Set([String(rootPid)]);
  // Parents are listed before their children almost always; repeat until no process joins the tree.
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, fields] of stats) {
      if (tree.has(pid) || !tree.has(fields[1]!)) continue;
      tree.add(pid);
      ticks += Number(fields[11]) + Number(fields[12]);
      grew = true;
    }
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

/** Prints the one JSON line a child process reports to the runner (the runner reads the last line). */
export function report(result: Record<string, number | string>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * Runs `pass` again and again until at least `seconds` have passed (whole passes, at least one); run
 * one untimed pass first, so modules are loaded and code compiled. Returns the passes, their wall time
 * and the CPU time this process spent on them (user + system, all its threads), in seconds: on a busy
 * machine the wall time includes waiting for a core, the CPU time does not.
 */
export async function timedPasses(pass: () => unknown, seconds: number): Promise<{ passes: number; seconds: number; cpuSeconds: number }> {
  let passes = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  do {
    await pass();
    passes++;
  } while (performance.now() - started < seconds * 1000);
  const used = process.cpuUsage(cpu);
  return { passes, seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** The installed version of an npm package (read from node_modules), for saying what ran. */
export function versionOf(pkg: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

/** How big each benchmark is: the full run's sizes, or tiny ones for --quick. */
export interface Sizes {
  /** Interleaved rounds: each contender runs this many times, each time in a fresh process. */
  rounds: number;
  /** Corpus pages per extraction pass (all 41 in a full run). */
  extractPages: number;
  /** Least timed time per extraction or parsing process, in seconds (whole passes: jsdom's one pass takes longer). */
  seconds: number;
  /** Items of the generated RSS feed. */
  generatedItems: number;
  /** Feeds of the idle bot, and how long it is left idle before its memory is read, in seconds. */
  memoryFeeds: number;
  idleSeconds: number;
  /** Feeds per poll process. */
  pollFeeds: number;
  /** Scale table: every feed count with every process count, all on one PostgreSQL database. */
  scaleFeeds: number[];
  scaleProcesses: number[];
  /** Stories timed from feed change to Discord post. */
  latencySamples: number;
}
