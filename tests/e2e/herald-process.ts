import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { FakeBluesky } from '../fakes/bluesky.js';
import type { FakeDiscord } from '../fakes/discord.js';
import { waitFor } from '../fakes/http.js';
import type { FakeMastodon } from '../fakes/mastodon.js';
import type { FakeTelegram } from '../fakes/telegram.js';
import type { FakeX } from '../fakes/x.js';

/** The `herald` command as npm installs it (bin/herald.js, which runs the build in dist/). */
export const CLI = fileURLToPath(new URL('../../bin/herald.js', import.meta.url));

/**
 * Starts the `herald` CLI with `args`, its environment only PATH and `env` (nothing leaks in from
 * the test's own environment). stdout and stderr are piped; stdin too when `stdin` is 'pipe'.
 */
export function spawnHerald(args: string[], env: Record<string, string>, stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: [stdin, 'pipe', 'pipe'] });
}

/** What a `herald` command left when it ended: its exit code (null when a signal ended it) and its whole output. */
export interface HeraldRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `herald <args>` to its end (see spawnHerald for the environment). Never rejects for a non-zero exit. */
export function runHerald(args: string[], env: Record<string, string> = {}): Promise<HeraldRun> {
  const child = spawnHerald(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** The built `herald` CLI as a child process, with its JSON log lines collected. */
export class HeraldProcess {
  readonly logs: LogLine[] = [];
  stdout = '';
  stderr = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: Record<string, string>) {
    this.child = spawnHerald(args, { LOG_LEVEL: 'debug', ...env });
    let buffered = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.stdout += text;
      buffered += text;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          // not a log line
        }
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  logged(msg: string, match: Record<string, unknown> = {}): LogLine[] {
    return this.logs.filter((line) => line.msg === msg && Object.entries(match).every(([key, value]) => line[key] === value));
  }

  async waitForLog(msg: string, match: Record<string, unknown> = {}, timeoutMs = 20_000): Promise<LogLine> {
    return waitFor(`log "${msg}"\n--- stderr:\n${this.stderr.slice(-2000)}`, () => this.logged(msg, match)[0], timeoutMs);
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `herald-${prefix}-`));
}

export function writeConfig(dir: string, config: unknown): string {
  const file = join(dir, 'herald.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

/**
 * The environment of a Herald run in a test: the fakes' variables (fakeEnv), the config file
 * `config`, a SQLite database in `dir`, the private network allowed (the fakes listen on
 * 127.0.0.1) and the ops server on any free port; `extra` adds variables or replaces these.
 */
export function heraldEnv(options: Parameters<typeof fakeEnv>[0] & { dir: string; config: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...fakeEnv(options),
    HERALD_CONFIG: options.config,
    DATABASE_URL: `sqlite:${join(options.dir, 'herald.db')}`,
    HERALD_ALLOW_PRIVATE_NETWORK: '1',
    HTTP_PORT: '0',
    ...extra,
  };
}

/** The environment that points Herald's real clients at the fakes (OAuth 1.0a for X, an app password for Bluesky). */
export function fakeEnv(fakes: { discord?: FakeDiscord; x?: FakeX; bluesky?: FakeBluesky; mastodon?: FakeMastodon; telegram?: FakeTelegram }): Record<string, string> {
  const env: Record<string, string> = {};
  if (fakes.discord) Object.assign(env, { DISCORD_TOKEN: fakes.discord.token, DISCORD_API_URL: fakes.discord.apiUrl });
  if (fakes.x) {
    const c = fakes.x.credentials;
    Object.assign(env, { X_APP_KEY: c.appKey, X_APP_SECRET: c.appSecret, X_ACCESS_TOKEN: c.accessToken, X_ACCESS_SECRET: c.accessSecret, X_API_URL: fakes.x.apiUrl });
  }
  if (fakes.bluesky) Object.assign(env, { BLUESKY_HANDLE: fakes.bluesky.handle, BLUESKY_APP_PASSWORD: fakes.bluesky.password, BLUESKY_SERVICE: fakes.bluesky.url });
  if (fakes.mastodon) Object.assign(env, { MASTODON_URL: fakes.mastodon.url, MASTODON_TOKEN: fakes.mastodon.token });
  if (fakes.telegram) Object.assign(env, { TELEGRAM_BOT_TOKEN: fakes.telegram.token, TELEGRAM_API_URL: fakes.telegram.apiRoot });
  return env;
}
