import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { HERALD_ENV } from '../../src/config/env.js';
import { configSchema } from '../../src/config/schema.js';
import { TARGET_KINDS } from '../../src/targets/index.js';

/** Every key path the schema accepts, written as the README writes them (feeds[].id). */
function keyPaths(schema: z.ZodType, prefix = ''): string[] {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType>; in?: z.ZodType } }).def;
  switch (def.type) {
    case 'default':
    case 'optional':
      return keyPaths(def.innerType!, prefix);
    case 'pipe':
      return keyPaths(def.in!, prefix);
    case 'array':
      return keyPaths(def.element!, `${prefix}[]`);
    case 'object':
      return Object.entries(def.shape!).flatMap(([key, child]) => {
        const path = prefix ? `${prefix}.${key}` : key;
        const nested = keyPaths(child, path);
        return nested.length > 0 ? nested : [path];
      });
    default:
      return [];
  }
}

function documentedKeys(readme: string): string[] {
  const section = readme.split('## Configuration reference')[1]!.split('\n### ')[0]!;
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]!);
}

/** The variables the README's Environment table names (a row may name several: `X_APP_KEY`, `X_APP_SECRET`, …). */
function documentedVariables(readme: string): string[] {
  const section = readme.split('### Environment')[1]!.split('\n## ')[0]!;
  return [...section.matchAll(/^\| ([^|]+) \|/gm)].flatMap((match) => [...match[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((name) => name[1]!));
}

describe('the README configuration reference', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('documents exactly the keys the schema accepts', () => {
    const schema = configSchema(TARGET_KINDS);
    expect(keyPaths(schema)).toEqual(expect.arrayContaining(['feeds[].id', 'routes[].to', 'routes[].discord', 'x.maxPostsPerDay', 'http.timeout']));
    expect(documentedKeys(readme).sort()).toEqual(keyPaths(schema).sort());
  });

  it("documents exactly the environment variables Herald and its destination kinds read", () => {
    const read = [...HERALD_ENV, ...TARGET_KINDS.flatMap((kind) => kind.env)].map((variable) => variable.name);
    expect(documentedVariables(readme)).toContain('X_ACCESS_SECRET');
    expect(documentedVariables(readme).sort()).toEqual(read.sort());
  });
});
