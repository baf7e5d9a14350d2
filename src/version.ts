import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; homepage?: string };

export const VERSION = pkg.version;
/** Names Herald and where to learn about it, so feed publishers know who is polling. */
export const USER_AGENT = `Herald/${pkg.version} (+${pkg.homepage ?? 'https://github.com/herald-news/herald'})`;
