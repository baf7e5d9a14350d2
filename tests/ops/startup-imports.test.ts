import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/**
 * The packages a module loads as it is imported: its static imports and re-exports, followed
 * through our own files (type-only ones left out: they are erased; `await import()` left out: it
 * loads later, when it runs), by package name.
 */
function staticPackages(...entries: string[]): Set<string> {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s+(?!type\b)(?:[^;'"]*?\sfrom\s+)?'([^']+)'/gm)) {
      if (specifier!.startsWith('.')) visit(resolve(dirname(file), specifier!.replace(/\.js$/, '.ts')));
      else if (!specifier!.startsWith('node:')) packages.add(specifier!.split('/').slice(0, specifier!.startsWith('@') ? 2 : 1).join('/'));
    }
  };
  for (const entry of entries) visit(join(SRC, entry));
  return packages;
}

describe('what the running bot loads on its main thread', () => {
  it('leaves out what only the extraction workers, the destinations and the dashboard use', () => {
    // `herald run`: the command line, then the bot it starts.
    const loaded = staticPackages('cli.ts', 'main.ts');
    // The walk itself works: the bot's own HTTP client and database are there.
    expect(loaded).toContain('undici');
    expect(loaded).toContain('better-sqlite3');
    // Loaded by the extraction workers (linkedom, Readability), by a destination kind once it is
    // configured or needed (discord.js, twitter-api-v2, twitter-text…), by the dashboard once enabled,
    // and pino-pretty, for a terminal only.
    for (const heavy of ['pino-pretty', 'linkedom', '@mozilla/readability', 'discord.js', 'twitter-api-v2', 'twitter-text', '@atproto/api', 'masto', 'grammy', 'hono', '@hono/node-server', 'pg']) {
      expect(loaded, heavy).not.toContain(heavy);
    }
  });
});
