import { describe, expect, it } from 'vitest';
import { releaseHeap } from '../../src/ops/memory.js';

describe('releaseHeap', () => {
  it('collects the garbage of a burst now, not when V8 would get round to it', async () => {
    let burst: Array<{ n: number; text: string }> | null = Array.from({ length: 400_000 }, (_, n) => ({ n, text: `item ${n}` }));
    const held = process.memoryUsage().heapUsed;
    expect(burst.length).toBe(400_000);
    burst = null; // garbage from here on
    await releaseHeap();
    // 400,000 objects and their strings are well over 20 MB.
    expect(process.memoryUsage().heapUsed).toBeLessThan(held - 20 * 2 ** 20);
  });
});
