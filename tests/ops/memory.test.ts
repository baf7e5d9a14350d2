import { describe, expect, it } from 'vitest';
import { releaseHeap } from '../../src/ops/memory.js';

/** Makes a burst's worth of objects, then lets go of them; returns the heap used while they were held, in bytes. */
function burst(): number {
  const items = Array.from({ length: 400_000 }, (_, n) => ({ n, text: `item ${n}` }));
  expect(items.length).toBe(400_000);
  return process.memoryUsage().heapUsed;
}

describe('releaseHeap', () => {
  it('collects the garbage of a burst now, not when V8 would get round to it', async () => {
    const held = burst();
    await releaseHeap();
    // 400,000 objects and their strings are well over 20 MB.
    expect(process.memoryUsage().heapUsed).toBeLessThan(held - 20 * 2 ** 20);
  });
});
