import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));
export const hasCorpus = existsSync(SHARED);

export function corpusPages(): Array<{ name: string; html: string; expected: string }> {
  const dir = join(SHARED, 'articles');
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort()
    .map((name) => ({ name, html: readFileSync(join(dir, name, 'source.html'), 'utf8'), expected: readFileSync(join(dir, name, 'expected.html'), 'utf8') }));
}

export function corpusFeeds(): Array<{ name: string; bytes: Buffer }> {
  const dir = join(SHARED, 'feeds', 'rss-parser');
  return readdirSync(dir)
    .filter((name) => name !== 'LICENSE' && name !== 'unrecognized.rss')
    .map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Runs a bench worker script in its own process (so memory figures are its own) and parses its JSON. */
export function runWorker<T>(script: string, args: string[]): T {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

export function table(title: string, rows: Array<Record<string, string | number>>): void {
  console.log(`\n${title}`);
  console.table(rows);
}
