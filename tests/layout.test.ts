import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/**
 * The layers of src/, top first: a module may import from its own layer and from the layers below
 * it, never from one above. README "Development" describes the same order.
 */
const LAYERS = [['cli'], ['main'], ['pipeline'], ['targets'], ['deliveries'], ['articles'], ['store'], ['sources'], ['config', 'ops', 'text', 'version', 'types']];

/** The unit a module belongs to: its folder under src/, or its own name for a file at the top (cli.ts → cli). */
function unitOf(path: string): string {
  const [first, ...rest] = relative(SRC, path).split(/[\\/]/);
  return rest.length > 0 ? first! : first!.replace(/\.(d\.)?[jt]s$/, '');
}

function layerOf(unit: string): number {
  const index = LAYERS.findIndex((layer) => layer.includes(unit));
  if (index < 0) throw new Error(`src/${unit} is in no layer of tests/layout.test.ts: add it`);
  return index;
}

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? modules(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []));
}

describe('the import graph of src/', () => {
  it('flows one way: no module imports from a layer above its own', () => {
    const upward: string[] = [];
    for (const file of modules(SRC)) {
      const from = unitOf(file);
      for (const match of readFileSync(file, 'utf8').matchAll(/\bfrom\s+'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)/g)) {
        const specifier = match[1] ?? match[2]!;
        const to = unitOf(join(dirname(file), specifier));
        if (layerOf(to) < layerOf(from)) upward.push(`${relative(SRC, file)} imports ${specifier} (${from} → ${to})`);
      }
    }
    expect(upward).toEqual([]);
  });
});
