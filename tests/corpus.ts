import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** ../shared beside the project; corpus tests skip with a message when it is absent. */
export const SHARED = fileURLToPath(new URL('../../shared/', import.meta.url));
export const hasShared = existsSync(join(SHARED, 'corpus'));
if (!hasShared) console.warn(`corpus tests skipped: ${SHARED} is absent`);

export function corpusDir(...parts: string[]): string {
  return join(SHARED, 'corpus', ...parts);
}

export function listDirs(dir: string): string[] {
  return readdirSync(dir).filter((name) => statSync(join(dir, name)).isDirectory()).sort();
}
