import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Loads a config in a fresh process and says whether recheck (the ReDoS checker, ~9 MB of heap) was
 * loaded: a process of its own, since this one may have loaded it already.
 */
function loadsRecheck(filter: unknown): boolean {
  const code = `
    import { createRequire } from 'node:module';
    import { parseConfig } from './src/config/config.ts';
    import { TARGET_KINDS } from './src/targets/index.ts';
    parseConfig({ feeds: [{ id: 'a', url: 'https://news.example/feed' }], routes: [{ feeds: ['a'], discord: ['123456789012345678'], filter: ${JSON.stringify(filter)} }] }, 'herald.yaml', TARGET_KINDS);
    const cache = createRequire(import.meta.url).cache;
    console.log(Object.keys(cache).some((path) => path.includes('/node_modules/recheck/')));`;
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' }).trim() === 'true';
}

describe('recheck is loaded only for a config with a regex rule (idle memory)', () => {
  it('is not loaded when no rule is a regex', () => {
    expect(loadsRecheck({ include: { words: 'rust' } })).toBe(false);
  });

  it('is loaded, and checks, when a rule is a regex', () => {
    expect(loadsRecheck({ include: { regex: 'CVE-\\d{4}-\\d+' } })).toBe(true);
  }, 30_000);
}, 60_000);
