import { readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createExtractionPool } from '../../src/pipeline/extraction.js';

const story = (paragraphs: number) =>
  `<!doctype html><html><head><title>A story</title></head><body><article><h1>A story</h1>${Array.from(
    { length: paragraphs },
    (_, n) => `<p>Paragraph ${n} of the story says something about the city council and its budget plans.</p>`,
  ).join('')}</article></body></html>`;

describe('the extraction pool', () => {
  const pool = createExtractionPool({ timeoutMs: 1_500, maxDepth: 400, threads: 1 });
  afterAll(() => pool.close());

  it('extracts a page in a worker thread', async () => {
    const result = await pool.extract(story(6), 'https://news.example/story');
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.page.text).toMatch(/^Paragraph 0 of the story/);
  });

  it('refuses a page nested deeper than the limit without extracting it', async () => {
    const deep = `<html><body>${'<div>'.repeat(1_200)}text${'</div>'.repeat(1_200)}</body></html>`;
    expect(await pool.extract(deep, null)).toMatchObject({ ok: false, kind: 'too-deep' });
  });

  it('stops a page that takes longer than its budget while the main thread stays free, and goes on with the next', async () => {
    // 300 ms: a 100,000-paragraph page takes ~1.4 s to extract on this kind of machine when idle, a
    // small page ~40 ms in a fresh worker, so the outcome does not depend on the machine's load.
    const tight = createExtractionPool({ timeoutMs: 300, maxDepth: 400, threads: 1 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const result = await tight.extract(story(100_000), 'https://news.example/huge');
    clearInterval(timer);
    expect(result).toMatchObject({ ok: false, kind: 'too-slow' });
    // The main thread served timer ticks while the page was being extracted: extracted there, the
    // whole wait would be one blocked turn with at most one tick after it.
    expect(ticks).toBeGreaterThan(5);
    const next = await tight.extract(story(3), 'https://news.example/next');
    await tight.close();
    expect(next.ok).toBe(true);
  }, 60_000);

  /** Threads of this process (Linux): a worker thread is one more. */
  const threadCount = () => readdirSync('/proc/self/task').length;

  it('extracts pages arriving together in one worker while no page waits long (each worker costs its start-up and its compiling)', async () => {
    await stat('.'); // libuv's thread pool started before counting
    /** Threads the pool added while it extracted six pages arriving together. */
    const threadsAdded = async (pool: ReturnType<typeof createExtractionPool>) => {
      const before = threadCount();
      const results = await Promise.all(Array.from({ length: 6 }, (_, n) => pool.extract(story(6), `https://news.example/${n}`)));
      const added = threadCount() - before;
      await pool.close();
      expect(results.every((result) => result.ok)).toBe(true);
      return added;
    };
    const oneWorker = await threadsAdded(createExtractionPool({ timeoutMs: 30_000, maxDepth: 400, threads: 1 }));
    expect(oneWorker).toBeGreaterThan(0);
    expect(await threadsAdded(createExtractionPool({ timeoutMs: 30_000, maxDepth: 400, threads: 3, growAfterMs: 60_000, growAtBacklogMs: 60_000 }))).toBe(oneWorker);
  });

  it('lets a second worker in at once for a burst one worker would take longer to clear than a worker takes to start', async () => {
    await stat('.');
    const before = threadCount();
    // Eight long pages (~0.1 s each on an idle machine, longer when busy): once the first is done,
    // the seven waiting are ≥ 0.3 s of work, so the second worker starts without the 60 s wait.
    const pool = createExtractionPool({ timeoutMs: 30_000, maxDepth: 400, threads: 2, growAfterMs: 60_000 });
    const results = await Promise.all(Array.from({ length: 8 }, (_, n) => pool.extract(story(5_000), `https://news.example/long/${n}`)));
    const added = threadCount() - before;
    await pool.close();
    expect(results.every((result) => result.ok)).toBe(true);
    const one = createExtractionPool({ timeoutMs: 30_000, maxDepth: 400, threads: 1 });
    const beforeOne = threadCount();
    await one.extract(story(6), 'https://news.example/one');
    const addedByOne = threadCount() - beforeOne;
    await one.close();
    expect(added).toBeGreaterThan(addedByOne);
  }, 120_000);

  it('lets a second worker in when pages wait behind a slow one', async () => {
    const pool = createExtractionPool({ timeoutMs: 30_000, maxDepth: 400, threads: 2, growAfterMs: 50 });
    const order: string[] = [];
    // ~2.4 s on an idle machine: 3 MB (where pages are cut) of short paragraphs, several times the
    // ~0.7 s a second worker takes to start under the test runner (a longer story is cut to the same 3 MB).
    const crowded = `<!doctype html><html><head><title>A story</title></head><body><article>${Array.from({ length: 200_000 }, (_, n) => `<p>Word ${n}.</p>`).join('')}</article></body></html>`;
    const slow = pool.extract(crowded, 'https://news.example/huge').then((result) => {
      order.push('slow');
      return result;
    });
    // The small page is queued once the slow one has started (a worker said so): it waits, then gets a worker of its own.
    await pool.extract(story(1), 'https://news.example/warm-up');
    const small = pool.extract(story(3), 'https://news.example/small').then((result) => {
      order.push('small');
      return result;
    });
    const [slowResult, smallResult] = await Promise.all([slow, small]);
    await pool.close();
    expect(smallResult.ok).toBe(true);
    expect(slowResult.ok).toBe(true);
    expect(order).toEqual(['small', 'slow']);
  }, 60_000);
});
