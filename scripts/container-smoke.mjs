#!/usr/bin/env node
// Replays the Dockerfile without Docker: each stage in a scratch directory, its COPY, ENV and RUN
// steps as written (steps under a "# system" comment are skipped: they change the OS, not the app),
// then starts the final stage's ENTRYPOINT + CMD and checks /healthz and /readyz.
// A runtime import of a dev dependency, or a file the Dockerfile forgets to COPY, fails here.
// The start is the README's own: `docker run --env-file .env -v herald-data:/data` with .env copied
// from .env.example, as a user that cannot write the app directory (the image's USER is not root
// and /app belongs to root), with each VOLUME mapped to a writable scratch directory.
import { execFileSync, execSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'herald-container-'));
const keep = process.argv.includes('--keep');
const started = Date.now();
const log = (text) => process.stdout.write(`[container-smoke ${((Date.now() - started) / 1000).toFixed(1)} s] ${text}\n`);

// A real image build downloads better-sqlite3's published prebuilt binary; with no internet here its
// install would compile SQLite from source instead (minutes on two cores). Offer the binary this
// checkout already has as that download, in prebuild-install's own "local prebuilds" form (a tarball
// named as on the release page), so the replayed `npm ci` installs it as it would the published one.
function localPrebuilds() {
  const addon = join(root, 'node_modules', 'better-sqlite3');
  const binary = join(addon, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(binary)) return {};
  const { version } = JSON.parse(readFileSync(join(addon, 'package.json'), 'utf8'));
  const dir = join(scratch, 'prebuilds');
  mkdirSync(dir, { recursive: true });
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  execFileSync('tar', ['-czf', join(dir, name), '-C', addon, 'build/Release/better_sqlite3.node']);
  log(`better-sqlite3 ${version}: the checkout's binary offered as its prebuilt download`);
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}
const prebuilds = localPrebuilds();

function instructions(dockerfile) {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n');
  const steps = [];
  let system = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '# system') system = true;
    if (!line || line.startsWith('#')) continue;
    const [, keyword, rest] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    steps.push({ keyword: keyword.toUpperCase(), rest, system });
    system = false;
  }
  return steps;
}

function stagePath(stageDir, workdir, path) {
  // Paths inside the image are relative to WORKDIR; absolute ones under WORKDIR map into the stage.
  if (path.startsWith(workdir)) return join(stageDir, path.slice(workdir.length));
  if (path.startsWith('/')) throw new Error(`the replay cannot place ${path} outside WORKDIR ${workdir}`);
  return join(stageDir, path);
}

const stages = new Map();
let stage = null;
for (const step of instructions(readFileSync(join(root, 'Dockerfile'), 'utf8'))) {
  switch (step.keyword) {
    case 'FROM': {
      const name = /\bAS\s+(\S+)/i.exec(step.rest)?.[1] ?? `stage${stages.size}`;
      stage = { name, dir: join(scratch, name), workdir: '/app', env: {}, entrypoint: [], cmd: [], volumes: [], user: null };
      mkdirSync(stage.dir, { recursive: true });
      stages.set(name, stage);
      log(`stage ${name}`);
      break;
    }
    case 'WORKDIR':
      stage.workdir = step.rest.replace(/\/$/, '');
      break;
    case 'ENV': {
      const [key, ...value] = step.rest.split('=');
      stage.env[key.trim()] = value.join('=').trim();
      break;
    }
    case 'COPY': {
      const parts = step.rest.split(/\s+/);
      const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
      const paths = parts.filter((p) => !p.startsWith('--'));
      const dest = paths.pop();
      for (const source of paths) {
        const origin = from ? stagePath(stages.get(from).dir, stages.get(from).workdir, source) : join(root, source);
        const target = stagePath(stage.dir, stage.workdir, dest.endsWith('/') || paths.length > 1 ? join(dest, source.split('/').pop()) : dest);
        cpSync(origin, target, { recursive: true });
      }
      break;
    }
    case 'RUN':
      if (step.system) {
        log(`skip (system): RUN ${step.rest.slice(0, 60)}…`);
        break;
      }
      log(`RUN ${step.rest}`);
      execSync(step.rest, { cwd: stage.dir, stdio: 'inherit', env: { ...process.env, ...prebuilds, ...stage.env } });
      break;
    case 'ENTRYPOINT':
      stage.entrypoint = JSON.parse(step.rest);
      break;
    case 'CMD':
      stage.cmd = JSON.parse(step.rest);
      break;
    case 'VOLUME':
      stage.volumes.push(...(step.rest.startsWith('[') ? JSON.parse(step.rest) : step.rest.split(/\s+/)));
      break;
    case 'USER':
      stage.user = step.rest.trim();
      break;
    default:
      break; // EXPOSE, HEALTHCHECK: properties of the image, not steps to replay
  }
}

// Start what the image starts, minus the init (tini) that only a container's PID 1 needs.
const command = [...stage.entrypoint, ...stage.cmd];
const nodeAt = command.indexOf('node');
const args = command.slice(nodeAt + 1);

// Each VOLUME is a writable directory of its own; image paths under it map there.
const volumes = new Map(stage.volumes.map((volume) => [volume, join(scratch, 'volumes', volume.replace(/\//g, '_'))]));
for (const dir of volumes.values()) mkdirSync(dir, { recursive: true });
const mapVolumes = (value) => {
  for (const [volume, dir] of volumes) value = value.split(`${volume}/`).join(`${dir}/`);
  return value;
};
writeFileSync(join(scratch, 'smoke.yaml'), 'feeds: []\nroutes: []\n');
const port = 20_000 + Math.floor(Math.random() * 20_000);
// `docker run --env-file .env`: the file's values override the image's ENV, so a variable the README's
// .env.example sets must also work inside the image. Empty values are left out (docker would set them
// empty, which Herald treats as unset).
const envFile = Object.fromEntries(Object.entries(parseDotenv(readFileSync(join(root, '.env.example')))).filter(([, value]) => value !== ''));
// One destination filled in, as the README asks (`herald run` refuses to start with none): X over
// OAuth 2, which makes no request until a post is due.
const env = Object.fromEntries(
  Object.entries({ PATH: process.env.PATH, ...stage.env, ...envFile, X_CLIENT_ID: 'container-smoke', HERALD_CONFIG: join(scratch, 'smoke.yaml'), HTTP_PORT: String(port) }).map(([key, value]) => [key, mapVolumes(value)]),
);

// The image runs as a non-root USER that cannot write /app: as root here, run as nobody; otherwise
// take the write bit off the app directory.
if (!stage.user || stage.user === 'root') throw new Error('the final stage must set a non-root USER');
chmodSync(scratch, 0o755);
chmodSync(stage.dir, 0o555);
for (const dir of volumes.values()) chmodSync(dir, 0o777);
const asRoot = process.getuid?.() === 0;
const identity = asRoot ? { uid: Number(execFileSync('id', ['-u', 'nobody']).toString()), gid: Number(execFileSync('id', ['-g', 'nobody']).toString()) } : {};
log(`start: node ${args.join(' ')} (port ${port})`);
const child = spawn(process.execPath, args, { cwd: stage.dir, env, stdio: ['ignore', 'pipe', 'pipe'], ...identity });
let output = '';
child.stdout.on('data', (chunk) => (output += chunk));
child.stderr.on('data', (chunk) => (output += chunk));
const exited = new Promise((resolveExit) => child.on('exit', (code) => resolveExit(code)));

async function check(path) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${path} did not answer 200\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let failed = false;
try {
  await check('/healthz');
  await check('/readyz');
  log('/healthz and /readyz answer 200');
  // The image must listen on every interface, or nothing outside the container reaches the port.
  const listening = output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)).find((line) => line.msg === 'health and metrics listening');
  if (listening?.host !== '0.0.0.0') throw new Error(`the ops server listens on ${listening?.host}, not 0.0.0.0\n${output}`);
  log('ops server listens on 0.0.0.0 inside the container');
  child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`exit ${code} after SIGTERM\n${output}`);
  log('SIGTERM: clean exit 0');
} catch (error) {
  failed = true;
  child.kill('SIGKILL');
  process.stderr.write(`[container-smoke] FAILED: ${error.message}\n`);
} finally {
  chmodSync(stage.dir, 0o755);
  if (!keep) rmSync(scratch, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
