import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('the Dockerfile, replayed without Docker', () => {
  it('builds with dev dependencies, runs with production ones only as a non-root user with the README .env.example as .env, answers /healthz and /readyz, stops on SIGTERM', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/container-smoke.mjs'], { maxBuffer: 64 * 1024 * 1024, timeout: 420_000 });
    expect(stdout).toContain('/healthz and /readyz answer 200');
    expect(stdout).toContain('ops server listens on 0.0.0.0 inside the container');
    expect(stdout).toContain('SIGTERM: clean exit 0');
  }, 480_000);
});
