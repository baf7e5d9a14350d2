import { availableParallelism } from 'node:os';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Test files that spend most of their time waiting on child processes (a replayed image build,
 * Herald processes killed and restarted, a PostgreSQL cluster): started first, so that the other
 * files run beside them instead of after them.
 */
const WAITING_FILES = ['tests/ops/container.test.ts', 'tests/e2e/durability.test.ts', 'tests/e2e/scale-out.test.ts', 'tests/e2e/x.test.ts', 'tests/bench/bench.test.ts'];

class WaitingFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = WAITING_FILES.findIndex((path) => file.moduleId.endsWith(path));
      return index === -1 ? WAITING_FILES.length : index;
    };
    return sorted.map((file, order) => ({ file, order })).sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order).map(({ file }) => file);
  }
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default on two cores is one worker; most files wait on sockets and child processes,
    // so two run side by side even there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: WaitingFirst },
    globalSetup: ['tests/global-setup.ts'],
  },
});
