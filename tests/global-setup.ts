import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startTestCluster } from './postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The throwaway cluster's maintenance database URL, or null when PostgreSQL tests skip. */
    postgresAdminUrl: string | null;
    postgresSkipReason: string;
  }
}

/**
 * Once before all tests: build the CLI (end-to-end tests run it as users and the container do),
 * and start a throwaway PostgreSQL cluster for the PostgreSQL store and work-sharing tests.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  const cluster = await startTestCluster();
  if ('skipped' in cluster) {
    console.warn(`PostgreSQL tests skipped: ${cluster.skipped}`);
    project.provide('postgresAdminUrl', null);
    project.provide('postgresSkipReason', cluster.skipped);
    return () => {};
  }
  project.provide('postgresAdminUrl', cluster.adminUrl);
  project.provide('postgresSkipReason', '');
  return () => cluster.stop();
}
