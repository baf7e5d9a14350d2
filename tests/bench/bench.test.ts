import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
/** Without ../shared the corpus tables print their rows as skipped, with no ratio and no alone check. */
const hasCorpus = existsSync(new URL('../shared/corpus', new URL(ROOT, 'file:')));

/** The rows a table must have: lines that start with `| <label> |`. */
function rows(output: string, label: string): number {
  return output.split('\n').filter((line) => line.startsWith(`| ${label} |`)).length;
}

// A smoke test of the harness: it completes and prints every row. Figures are never asserted (the
// machine running the suite is shared); `npm run bench` on a quiet machine measures them.
/** Runs the compiled bench with `args` (and `env` added); resolves with its exit code and output whatever the code. */
async function bench(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['dist-bench/bench/index.js', ...args], { cwd: ROOT, maxBuffer: 16 << 20, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run bench', () => {
  // dist/ is built by the global setup; the bench compiles to dist-bench/ as `npm run bench` does.
  beforeAll(() => run('npx', ['tsc', '-p', 'tsconfig.bench.json'], { cwd: ROOT }), 120_000);

  it('--help prints every group and option with its default, and exits 0', async () => {
    const { code, stdout } = await bench(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: npm run bench -- /);
    expect(stdout).toContain('extract, parse, memory, poll, latency');
    for (const option of ['--quick', '--rounds N', '--poll-feeds N', '--scale-feeds N', '--scale-processes N', '--memory-feeds N', '--idle-seconds N', '--latency-samples N']) expect(stdout).toContain(`  ${option}`);
    expect(stdout).toMatch(/--rounds N .*\(default 3 \[1\]\)/);
    expect(stdout).toMatch(/--scale-feeds N .*\(default 10000,30000 \[200\]\)/);
    expect(stdout).not.toContain('###'); // nothing run
  });

  it('refuses a bad argument in one line that names the fix, exit code 2, nothing run', async () => {
    for (const [args, message] of [
      [['--rounds', 'abc'], 'bench: --rounds must be a whole number of at least 1, not "abc"'],
      [['--rounds', '0'], 'bench: --rounds must be a whole number of at least 1, not "0"'],
      [['--scale-processes', '1,x'], 'bench: --scale-processes must be a comma-separated list of whole numbers of at least 1, not "1,x"'],
      [['--frobnicate'], "bench: Unknown option '--frobnicate'"],
      [['extract', 'parsing'], 'bench: unknown group parsing; choose from extract, parse, memory, poll, latency'],
    ] as const) {
      const { code, stdout, stderr } = await bench([...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout, args.join(' ')).toBe('');
      expect(stderr.trim().split('\n'), args.join(' ')).toEqual([`${message}; see npm run bench -- --help`]);
    }
  });

  it('--quick runs every contender in its own process and prints every row, ratio and goal', { timeout: 600_000 }, async () => {
    // A temporary folder of this run's own (others' benches run on the machine too); PostgreSQL's user must reach its cluster in it.
    const tmp = mkdtempSync(join(tmpdir(), 'bench-test-'));
    chmodSync(tmp, 0o755);
    const { code, stdout, stderr } = await bench(['--quick'], { TMPDIR: tmp });
    expect(code, stderr).toBe(0);
    // Every temporary folder it made (SQLite files, the idle bot's, the latency bots', the cluster's) is gone when it ends.
    expect(readdirSync(tmp)).toEqual([]);
    rmSync(tmp, { recursive: true });

    const threads = Math.min(4, Math.max(1, availableParallelism()));
    expect(stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC, Node /m);
    for (const label of ['Herald, 1 thread', `Herald, worker pool of ${threads} thread${threads === 1 ? '' : 's'}`, 'Readability on linkedom', 'Readability on jsdom']) expect(rows(stdout, label), label).toBe(1);
    if (hasCorpus) {
      expect(stdout).toContain('Herald, 1 thread ÷ Readability on linkedom:');
      expect(stdout).toContain('(goal ≥ 2×)');
      expect(stdout).toContain('(goal ≥ 20×)');
    } else {
      expect(stdout).toContain('skipped: shared/corpus is absent');
    }

    // Two parsing tables: the shared corpus and the generated feed.
    for (const label of ['Herald', 'rss-parser', 'feedparser']) expect(rows(stdout, label), label).toBe(2);
    expect(stdout.match(/Herald ÷ rss-parser: .*\(goal ≥ 1\.2×\)/g)).toHaveLength(hasCorpus ? 2 : 1);
    // The check that a baseline's figure in the harness is its figure alone, judged.
    // Each judged: agreeing, or a warning to re-measure (which one depends on the machine's load).
    const verdict = '(they agree \\(|WARNING: they disagree .*re-measure the ratios on a quiet machine)';
    if (hasCorpus) expect(stdout).toMatch(new RegExp(`^- Readability on linkedom alone \\(.*\\): .*; in the interleaved rounds: .*; ${verdict}`, 'm'));
    // rss-parser's on the shared corpus and on the generated feed.
    expect(stdout.match(new RegExp(`^- rss-parser alone \\(.*\\): .*; in the interleaved rounds: .*; ${verdict}`, 'gm'))).toHaveLength(hasCorpus ? 2 : 1);

    for (const label of ['Herald bot, idle', 'node alone']) expect(rows(stdout, label), label).toBe(1);
    expect(stdout).toContain('V8 heap used MB');
    expect(stdout).toMatch(/Herald bot, idle: worst of 1 run \S+ MB RSS \(goal < 150 MB, every run\): (met|NOT met)/);

    for (const label of ['undici alone', 'Herald on SQLite', 'Herald on PostgreSQL']) expect(rows(stdout, label), label).toBe(1);
    expect(stdout).toContain('checks/s (goal ≥ 5,000)');
    expect(stdout).toContain('checks/s (goal ≥ 2,500)');

    expect(stdout).toContain('| feeds | processes | checks/s, all processes | CPU ms per check | database server CPU ms per check | p99 poll lag ms (worst process) | peak RSS MB (worst process) |');
    expect(stdout).toContain('each row is one run');
    expect(stdout).toContain('| contender | what it does | checks/s, median (min–max) of 1 | CPU ms per check | database server CPU ms per check |');
    expect(rows(stdout, '200 | 1')).toBe(1);
    expect(rows(stdout, '200 | 3')).toBe(1);

    expect(stdout).toContain('### End-to-end latency');
    for (const label of ['WebSub push (fake hub, fat pings), 5 min safety poll', 'polling every 1 s, no push']) expect(rows(stdout, label), label).toBe(1);
    expect(stdout).toContain('p99 < 2 s with push at a 5-minute safety poll');
  });
});
