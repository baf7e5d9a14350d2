import { availableParallelism } from 'node:os';
import { BroadcastChannel } from 'node:worker_threads';
import pLimit from 'p-limit';
import { Piscina } from 'piscina';
import type { ExtractionFailure } from '../articles/article.js';
import type { ExtractedArticle } from '../articles/extract.js';
import type { ExtractAnswer, ExtractTask } from './extract-worker.js';

export interface ExtractionLimits {
  /** Time one page may take in a worker before the worker is stopped, in ms. */
  timeoutMs: number;
  /** Deepest element nesting accepted; deeper pages are not extracted. */
  maxDepth: number;
  /** Worker threads at most; default: the machine's available parallelism, 1 to 4 (see createExtractionPool: one works until pages wait). */
  threads?: number;
  /** Old-generation heap limit per worker, in MB: a page that needs more stops only its worker. */
  maxHeapMb?: number;
  /** How long pages wait behind a working worker before one more is let in, in ms; default GROW_AFTER_MS. */
  growAfterMs?: number;
  /** Work waiting per page let in, in ms of extraction, at which one more is let in at once; default GROW_AT_BACKLOG_MS. */
  growAtBacklogMs?: number;
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
 * How long pages must have waited, without the queue emptying once, while a worker extracts, before
 * one more worker is let in, in ms: a page stuck on a slow one, or a backlog one worker does not
 * clear. Each worker costs ~150 ms of CPU to start and about as much again while V8 compiles the
 * extractor in it (measured 2026-11-30, bench poll, 3,000 feeds, 150 small pages: two workers where
 * one kept up cost 0.55–0.71 ms of CPU per check, one 0.47–0.52, at no loss of checks/s). Shorter
 * waits (250 ms, 1 s) still started the second worker on the loaded 2-core machine, where it had no
 * core to itself.
 */
const GROW_AFTER_MS = 2_000;

/**
 * Work waiting per page let in, in ms of extraction (pages waiting × the running time per page ÷
 * pages let in at once), at which one more page is let in (one more worker) at once, without waiting
 * GROW_AFTER_MS: a burst one worker would take longer to clear than a second takes to start and
 * compile the extractor (~300 ms of CPU, above). Measured 2026-12-01 on the 2-core machine, quiet:
 * the 41 corpus pages handed over at once (~12 ms each) were extracted at 70 pages/s by one worker,
 * at 102 pages/s once a second joined when the first page was done.
 */
const GROW_AT_BACKLOG_MS = 300;

/** Weight of the newest page in the running time per page (an exponentially weighted mean). */
const PAGE_TIME_WEIGHT = 0.2;

/**
 * Starts a pool of extraction workers (piscina). Each page gets `timeoutMs` from the moment a worker
 * starts on it: past that the worker is terminated and replaced, and the page counts as too slow. Idle workers exit after
 * 30 s, so an idle bot holds no extraction heap. One page is extracted at a time, in one worker, while
 * that keeps up; when pages have waited GROW_AFTER_MS behind a working one (a burst, or a slow page),
 * one more page at a time is let in (one more worker), up to `threads`; at once when the pages waiting
 * would keep the working ones busy for GROW_AT_BACKLOG_MS or more (by the running time per page); back
 * to one once all are done.
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
  started.onmessage = (event) => {
    waiting.get((event as { data: number }).data)?.();
    if (gate.pendingCount > 0) pagesWait();
  };
  /** Running time per page in a worker, in ms (exponentially weighted); undefined until a page is done. */
  let pageMs: number | undefined;
  const backlogMs = limits.growAtBacklogMs ?? GROW_AT_BACKLOG_MS;
  /** One more page at a time at once while the work waiting per page let in is a backlog (GROW_AT_BACKLOG_MS). */
  const growForBacklog = () => {
    while (pageMs !== undefined && gate.concurrency < threads && (gate.pendingCount * pageMs) / gate.concurrency >= backlogMs) gate.concurrency++;
  };
  let nextId = 0;
  /** Pages a worker has started on and not finished (a worker still starting up is not counted: its wait does not grow the pool). */
  let working = 0;
  // Pages let into the pool at once: piscina starts a worker for every page it cannot hand to an idle one.
  const gate = pLimit(1);
  let grow: NodeJS.Timeout | undefined;
  /** Pages wait behind a working worker: one more page at a time after GROW_AFTER_MS, unless the queue empties first. */
  const growWhenStillWaiting = () => {
    if (grow || gate.concurrency >= threads) return;
    grow = setTimeout(() => {
      grow = undefined;
      gate.concurrency++;
      if (gate.pendingCount > 0) growWhenStillWaiting();
    }, limits.growAfterMs ?? GROW_AFTER_MS).unref();
  };
  /** Pages wait behind a working worker: one more is let in at once for a backlog, or once they have waited. */
  const pagesWait = () => {
    growForBacklog();
    growWhenStillWaiting();
  };
  /** A page leaves the queue: the wait is over when none is left, and the pool is back to one page at a time when none runs. */
  const dequeued = () => {
    if (gate.pendingCount > 0) return;
    clearTimeout(grow);
    grow = undefined;
  };
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
    extract(html, pageUrl) {
      const extracted = gate(async () => {
        dequeued();
        try {
          return await extractOne(html, pageUrl);
        } finally {
          if (gate.activeCount === 1 && gate.pendingCount === 0) gate.concurrency = 1;
        }
      });
      if (gate.pendingCount > 0 && working > 0) pagesWait();
      return extracted;
    },
    async close() {
      clearTimeout(grow);
      await pool.destroy();
      started.close();
    },
  };

  async function extractOne(html: string, pageUrl: string | null): Promise<Extraction> {
    // The budget starts when a worker starts on the page (it says so on the pool's channel), then
    // aborting the task terminates that worker.
    const id = ++nextId;
    const abort = new AbortController();
    let budget: NodeJS.Timeout | undefined;
    let startedAt = 0;
    waiting.set(id, () => {
      working++;
      startedAt = performance.now();
      budget = setTimeout(() => abort.abort(), limits.timeoutMs);
    });
    try {
      const answer = await pool.run({ id, html, pageUrl, maxDepth: limits.maxDepth }, { signal: abort.signal });
      if ('tooDeep' in answer) return { ok: false, kind: 'too-deep', reason: `elements nest deeper than ${limits.maxDepth}` };
      if (startedAt > 0) {
        const ms = performance.now() - startedAt;
        pageMs = pageMs === undefined ? ms : pageMs + PAGE_TIME_WEIGHT * (ms - pageMs);
        if (gate.pendingCount > 0) pagesWait();
      }
      return { ok: true, page: answer.page };
    } catch (error) {
      if (abort.signal.aborted) return { ok: false, kind: 'too-slow', reason: `extraction took longer than ${limits.timeoutMs} ms` };
      return { ok: false, kind: 'unreadable', reason: `extraction failed: ${(error as Error).message}` };
    } finally {
      if (budget) working--;
      clearTimeout(budget);
      waiting.delete(id);
    }
  }
}
