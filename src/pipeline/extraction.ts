import { availableParallelism } from 'node:os';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ExtractionFailure } from '../articles/article.js';
import type { ExtractedArticle } from '../articles/extract.js';
import type { ExtractAnswer, ExtractTask } from './extract-worker.js';

export interface ExtractionLimits {
  /** Time one page may take in a worker before the worker is stopped, in ms. */
  timeoutMs: number;
  /** Deepest element nesting accepted; deeper pages are not extracted. */
  maxDepth: number;
  /** Worker threads; default: the machine's available parallelism, 1 to 4. */
  threads?: number;
  /** Old-generation heap limit per worker, in MB: a page that needs more stops only its worker. */
  maxHeapMb?: number;
}

/** The extracted page, or why it was not extracted (too slow, too deep, or its worker failed: unreadable). */
type Extraction = { ok: true; page: ExtractedArticle } | { ok: false; kind: ExtractionFailure | 'unreadable'; reason: string };

/** Page extraction off the main thread: the bot, its slash commands and its other feeds never wait on a hostile page. */
export interface ExtractionPool {
  /** Extracts one page in a worker thread; never throws: a failure is a value. */
  extract(html: string, pageUrl: string | null): Promise<Extraction>;
  /** Stops the workers (running tasks are abandoned). */
  close(): Promise<void>;
}

/**
 * The worker's module: the compiled .js beside this file, or under the test runner, which runs the
 * TypeScript sources, the .ts file loaded through tsx.
 */
function workerModule(): { filename: string; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return { filename: new URL('./extract-worker.ts', here).href, execArgv: ['--import', 'tsx'] };
  return { filename: new URL('./extract-worker.js', here).href, execArgv: [] };
}

/** Pools started in this process: each gets a start channel of its own. */
let pools = 0;

/**
 * Starts a pool of extraction workers (piscina). Each page gets `timeoutMs` from the moment a worker
 * starts on it: past that the worker is terminated and replaced, and the page counts as too slow. Idle workers exit after
 * 30 s, so an idle bot holds no extraction heap.
 */
export function createExtractionPool(limits: ExtractionLimits): ExtractionPool {
  const threads = limits.threads ?? Math.min(4, Math.max(1, availableParallelism()));
  const { filename, execArgv } = workerModule();
  // Workers say on one channel of this pool's own when they start on a task (by its id), so the time
  // budget counts extraction, not the queue or a worker's start-up: no port made and sent per page.
  const channelName = `herald-extraction-${process.pid}-${++pools}`;
  const started = new BroadcastChannel(channelName);
  started.unref();
  const waiting = new Map<number, () => void>();
  started.onmessage = (event) => waiting.get((event as { data: number }).data)?.();
  let nextId = 0;
  const pool = new Piscina<ExtractTask, ExtractAnswer>({
    filename,
    execArgv,
    workerData: { startedChannel: channelName },
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: 30_000,
    resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb ?? 512 },
  });
  return {
    async extract(html, pageUrl) {
      // The budget starts when a worker starts on the page (it says so on the pool's channel), then
      // aborting the task terminates that worker.
      const id = ++nextId;
      const abort = new AbortController();
      let budget: NodeJS.Timeout | undefined;
      waiting.set(id, () => (budget = setTimeout(() => abort.abort(), limits.timeoutMs)));
      try {
        const answer = await pool.run({ id, html, pageUrl, maxDepth: limits.maxDepth }, { signal: abort.signal });
        if ('tooDeep' in answer) return { ok: false, kind: 'too-deep', reason: `elements nest deeper than ${limits.maxDepth}` };
        return { ok: true, page: answer.page };
      } catch (error) {
        if (abort.signal.aborted) return { ok: false, kind: 'too-slow', reason: `extraction took longer than ${limits.timeoutMs} ms` };
        return { ok: false, kind: 'unreadable', reason: `extraction failed: ${(error as Error).message}` };
      } finally {
        clearTimeout(budget);
        waiting.delete(id);
      }
    },
    async close() {
      await pool.destroy();
      started.close();
    },
  };
}
