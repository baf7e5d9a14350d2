// The runner: every contender in a fresh child process of its own, rounds interleaved (A B C A B C …),
// figures as median and min–max, each beside its baseline. Nothing here asserts.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { median } from './lib.js';

/** A child's report: the last JSON line it printed. */
type ChildResult = Record<string, number>;

interface Contender {
  /** Row label, unique in its group. */
  name: string;
  /** What the contender does in its process, in one line (printed with the figures). */
  does: string;
  /** Child module beside this file (without extension) and its arguments. */
  child: string;
  args: string[];
}

/** A row that has no code yet: printed with its reason, so the slot shows in every run. */
interface PendingContender {
  name: string;
  does: string;
  pending: string;
}

interface Column {
  /** Key in the child's report. */
  key: string;
  label: string;
  digits: number;
}

export interface Group {
  title: string;
  /** The figure compared across contenders, by key in the child's report. */
  metric: Column;
  /** More figures from the child's report, shown as their median. */
  columns: Column[];
  contenders: Array<Contender | PendingContender>;
  /** Name of the contender the others are divided by (the "× baseline" column). */
  baseline?: string;
  /** Ratios and goals printed below the table, from the group's results. */
  notes?: (results: GroupResults) => string[];
}

export type GroupResults = Map<string, ChildResult[]>;

/** `node <module>.js`: the bench runs compiled (tsconfig.bench.json), so every child runs on plain Node, as users run Herald and the baselines. */
function childArgv(module: string, args: string[]): string[] {
  return [fileURLToPath(new URL(`./${module}.js`, import.meta.url)), ...args];
}

export interface ChildHandle {
  pid: number;
  /** Resolves with the child's `occurrence`-th stdout line that matches (a port it prints, a barrier's "ready"). */
  waitForLine(match: RegExp, occurrence?: number): Promise<string>;
  /** Writes a line to the child's stdin. */
  send(line: string): void;
  /** The child's last JSON line once it exits 0; rejects with its stderr's tail when it fails. */
  result: Promise<ChildResult>;
  kill(): void;
}

/** Starts a bench child module in a fresh Node process. */
export function startChild(module: string, args: string[]): ChildHandle {
  const child = spawn(process.execPath, childArgv(module, args), { stdio: ['pipe', 'pipe', 'pipe'] });
  // A child that never reads stdin may be gone before a write: its exit code tells what happened.
  child.stdin.on('error', () => {});
  const lines: string[] = [];
  const changed = new Set<() => void>();
  let stderr = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const check of changed) check();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const result = exited.then((code) => {
    const last = lines.filter((line) => line.startsWith('{')).at(-1);
    if (code !== 0 || !last) throw new Error(`bench child ${module} ${args.join(' ')} exited ${code}:\n${stderr}`);
    return JSON.parse(last) as ChildResult;
  });
  // A server child is killed, not awaited: its failure matters only to whoever awaits `result`.
  result.catch(() => {});
  function waitForLine(match: RegExp, occurrence = 1): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = lines.filter((line) => match.test(line))[occurrence - 1];
        if (found === undefined) return;
        changed.delete(check);
        resolve(found);
      };
      changed.add(check);
      check();
      const gone = () => changed.has(check) && reject(new Error(`bench child ${module} exited before printing ${match}:\n${stderr}`));
      void exited.then(gone, gone);
    });
  }
  return { pid: child.pid!, waitForLine, send: (line) => child.stdin.write(`${line}\n`), result, kill: () => child.kill('SIGKILL') };
}

/** Runs a bench child module to its end in a fresh Node process and returns its report. */
function runChild(module: string, args: string[]): Promise<ChildResult> {
  return startChild(module, args).result;
}

const isPending = (c: Contender | PendingContender): c is PendingContender => 'pending' in c;

/** Runs every contender of `group` once per round, in the same order each round, one process at a time. */
export async function measure(group: Group, rounds: number): Promise<GroupResults> {
  const results: GroupResults = new Map(group.contenders.filter((c) => !isPending(c)).map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const contender of group.contenders) {
      if (isPending(contender)) continue;
      results.get(contender.name)!.push(await runChild(contender.child, contender.args));
    }
  }
  return results;
}

/** How far a baseline's figure alone may stray from its interleaved median and still be called the same: ±15 %. */
const ALONE_TOLERANCE = 0.15;

/**
 * The check that a contender's figure in the harness is its figure alone: runs it `rounds` more times
 * back to back, nothing else in between, prints both, and judges them: they agree when the median alone
 * lies within the interleaved rounds' min–max or within ±15 % of their median; otherwise it prints a
 * warning that the machine was busy and the ratios are to be measured again.
 */
export async function printAloneCheck(group: Group, results: GroupResults, name: string, rounds: number): Promise<void> {
  const contender = group.contenders.find((c): c is Contender => c.name === name && !isPending(c));
  if (!contender) throw new Error(`no contender ${name} in ${group.title}`);
  const alone: ChildResult[] = [];
  for (let round = 0; round < rounds; round++) alone.push(await runChild(contender.child, contender.args));
  const { key, label, digits } = group.metric;
  const aloneFigures = alone.map((r) => r[key]!);
  const interleaved = figures(results, name, key);
  console.log(
    `- ${name} alone (${rounds} more fresh process${rounds === 1 ? '' : 'es'} back to back, nothing in between): ${spread(aloneFigures, digits)} ${label}; in the interleaved rounds: ${spread(interleaved, digits)}; ${aloneVerdict(aloneFigures, interleaved)}`,
  );
}

/** Whether a baseline's figures alone agree with its interleaved ones (see printAloneCheck), as the words printed. */
function aloneVerdict(alone: readonly number[], interleaved: readonly number[]): string {
  const figure = median(alone);
  const typical = median(interleaved);
  const withinRange = figure >= Math.min(...interleaved) && figure <= Math.max(...interleaved);
  const off = figure / typical - 1;
  if (withinRange || Math.abs(off) <= ALONE_TOLERANCE) return `they agree (alone ${format(off * 100, 0)} % from the interleaved median; within its min–max or ±15 %)`;
  return `WARNING: they disagree (alone ${format(off * 100, 0)} % from the interleaved median, outside its min–max and ±15 %): the machine was busy or the harness slows the baseline; re-measure the ratios on a quiet machine`;
}

/** `value` with `digits` decimals and thousands separators (1,234.5); '–' when it is not a finite number. */
export function format(value: number, digits: number): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "median (min–max)" of one figure over the rounds. */
function spread(values: readonly number[], digits: number): string {
  if (values.length === 0) return '–';
  if (values.length === 1) return format(values[0]!, digits);
  return `${format(median(values), digits)} (${format(Math.min(...values), digits)}–${format(Math.max(...values), digits)})`;
}

/** Figure `key` of contender `name` in each round, in round order (rounds whose report lacks it left out). */
export function figures(results: GroupResults, name: string, key: string): number[] {
  return (results.get(name) ?? []).map((r) => r[key]!).filter((v) => v !== undefined);
}

/**
 * "2.1× (per round 1.9–2.3×)": the ratio of medians of `key` for `of` over `to`, and the range of the
 * ratios within each round (the two ran next to each other, so noise that drifts cancels).
 */
export function ratio(results: GroupResults, of: string, to: string, key: string): string {
  const a = figures(results, of, key);
  const b = figures(results, to, key);
  if (a.length === 0 || b.length === 0) return '–';
  const perRound = a.slice(0, b.length).map((value, i) => value / b[i]!);
  const overall = `${format(median(a) / median(b), 2)}×`;
  return perRound.length > 1 ? `${overall} (per round ${format(Math.min(...perRound), 2)}–${format(Math.max(...perRound), 2)}×)` : overall;
}

/** Prints a Markdown table (so a run's output can go into the README as it is). */
export function printTable(headers: string[], rows: string[][]): void {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  console.log([line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n'));
}

/** Prints a group's table: per contender, what it does, median and min–max of every figure, and the ratio to the baseline. */
export function printGroup(group: Group, results: GroupResults, rounds: number): void {
  console.log(`\n### ${group.title}\n`);
  const headers = ['contender', 'what it does', `${group.metric.label}, median (min–max) of ${rounds}`, ...group.columns.map((c) => c.label)];
  if (group.baseline) headers.push(`× ${group.baseline}`);
  const rows = group.contenders.map((contender) => {
    if (isPending(contender)) return [contender.name, contender.does, `not measured: ${contender.pending}`, ...group.columns.map(() => '–'), ...(group.baseline ? ['–'] : [])];
    const row = [
      contender.name,
      contender.does,
      spread(figures(results, contender.name, group.metric.key), group.metric.digits),
      ...group.columns.map((c) => format(median(figures(results, contender.name, c.key)), c.digits)),
    ];
    if (group.baseline) row.push(contender.name === group.baseline ? 'baseline' : ratio(results, contender.name, group.baseline, group.metric.key));
    return row;
  });
  printTable(headers, rows);
  const notes = group.notes?.(results) ?? [];
  if (notes.length > 0) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
}

/** Prints a group whose inputs are missing: every row, with the reason. */
export function printSkipped(group: Group, reason: string): void {
  console.log(`\n### ${group.title}\n`);
  printTable(
    ['contender', 'what it does', group.metric.label],
    group.contenders.map((c) => [c.name, c.does, `skipped: ${reason}`]),
  );
}
