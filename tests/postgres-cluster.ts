import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL cluster for the tests: Debian's server binaries (installed with apt-get
 * when missing and allowed: in CI, as root), a fresh data directory, a random port on 127.0.0.1,
 * trust auth, durability off for speed. Removed when the tests end.
 */
export interface TestCluster {
  /** Connection URL of the cluster's maintenance database (for CREATE DATABASE). */
  adminUrl: string;
  /** Process id of the cluster's postmaster (its data directory's postmaster.pid): every backend is its child. */
  postmasterPid: number;
  stop(): void;
}

function findBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0]!, 'bin') : null;
}

function installServer(): void {
  execFileSync('apt-get', ['update'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

export async function startTestCluster(): Promise<TestCluster | { skipped: string }> {
  const isRoot = process.getuid?.() === 0;
  let bin = findBinDir();
  if (!bin && isRoot && (process.env.CI === 'true' || process.env.HERALD_INSTALL_POSTGRES === '1')) {
    installServer();
    bin = findBinDir();
  }
  if (!bin) return { skipped: 'no PostgreSQL server binaries (apt-get install postgresql, or set CI=true as root to let the tests install them)' };

  const dir = mkdtempSync(join(tmpdir(), 'herald-pg-'));
  // PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
  const asServerUser = (command: string, args: string[]) =>
    isRoot ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin!, command), ...args], { stdio: 'pipe' }) : execFileSync(join(bin!, command), args, { stdio: 'pipe' });
  if (isRoot) {
    chmodSync(dir, 0o755);
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = 30_000 + Math.floor(Math.random() * 20_000);
  try {
    asServerUser('initdb', ['-D', data, '-U', 'herald', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
    asServerUser('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`, 'start']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { skipped: `could not start PostgreSQL: ${(error as { stderr?: Buffer }).stderr?.toString().trim() ?? (error as Error).message}` };
  }
  return {
    adminUrl: `postgres://herald@127.0.0.1:${port}/postgres`,
    postmasterPid: Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    stop() {
      try {
        asServerUser('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A fresh, empty database in the test cluster; returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}
