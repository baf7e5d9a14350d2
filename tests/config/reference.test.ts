import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatDuration } from '../../src/config/duration.js';
import { HERALD_ENV } from '../../src/config/env.js';
import { configSchema } from '../../src/config/schema.js';
import { TARGET_KINDS } from '../../src/targets/index.js';

/** Every key the schema accepts, written as the README writes them (feeds[].id), with the schema of its value. */
function keySchemas(schema: z.ZodType, prefix = ''): Array<[string, z.ZodType]> {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType>; in?: z.ZodType } }).def;
  switch (def.type) {
    case 'default':
    case 'optional':
      return keySchemas(def.innerType!, prefix);
    case 'pipe':
      return z.globalRegistry.get(schema) ? [] : keySchemas(def.in!, prefix);
    case 'array':
      return keySchemas(def.element!, `${prefix}[]`);
    case 'object':
      return Object.entries(def.shape!).flatMap(([key, child]) => {
        const path = prefix ? `${prefix}.${key}` : key;
        const nested = keySchemas(child, path);
        return nested.length > 0 ? nested : [[path, child]];
      });
    default:
      return [];
  }
}

/** Every key path the schema accepts. */
const keyPaths = (schema: z.ZodType): string[] => keySchemas(schema).map(([path]) => path);

/** The bounds a duration key accepts (config/schema.ts duration), in ms; null for a key of another type. */
function durationBounds(schema: z.ZodType): { min: number; max: number } | null {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
  if (def.type === 'default' || def.type === 'optional') return durationBounds(def.innerType!);
  return (z.globalRegistry.get(schema)?.durationMs as { min: number; max: number } | undefined) ?? null;
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

  it('states the bounds of every duration key, as the schema enforces them', () => {
    const rows = new Map([...readme.split('## Configuration reference')[1]!.split('\n### ')[0]!.matchAll(/^\| `([^`]+)` \|(.*)$/gm)].map((match) => [match[1]!, match[2]!]));
    const durations = keySchemas(configSchema(TARGET_KINDS)).flatMap(([path, schema]) => {
      const bounds = durationBounds(schema);
      return bounds ? [{ path, bounds: `\`${formatDuration(bounds.min)}\` to \`${formatDuration(bounds.max)}\`` }] : [];
    });
    expect(durations.map((d) => d.path)).toEqual(expect.arrayContaining(['push.safetyEvery', 'push.lease', 'feeds[].every', 'http.perHost.minGap']));
    const unstated = durations.filter(({ path, bounds }) => !rows.get(path)?.includes(bounds)).map(({ path, bounds }) => `${path}: ${bounds}`);
    expect(unstated).toEqual([]);
  });

  it("documents exactly the environment variables Herald and its destination kinds read", () => {
    const read = [...HERALD_ENV, ...TARGET_KINDS.flatMap((kind) => kind.env)].map((variable) => variable.name);
    expect(documentedVariables(readme)).toContain('X_ACCESS_SECRET');
    expect(documentedVariables(readme).sort()).toEqual(read.sort());
  });
});
