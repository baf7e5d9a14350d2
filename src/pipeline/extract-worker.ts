// Runs in the extraction pool's worker threads (pipeline/extraction.ts): one page per task.
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { extractArticle, type ExtractedArticle } from '../articles/extract.js';
import { PageTooDeepError } from '../articles/prune.js';

/**
 * One page to extract: its id (posted on the pool's start channel when the work starts, so the time
 * budget counts extraction, not the queue or a worker's start-up), its HTML, the URL it was fetched
 * from (or null), and the nesting limit.
 */
export interface ExtractTask {
  id: number;
  html: string;
  pageUrl: string | null;
  maxDepth: number;
}

/** The extracted page, or 'too-deep' when its nesting exceeds the limit (nothing was extracted). */
export type ExtractAnswer = { page: ExtractedArticle } | { tooDeep: true };

// One small page read as the worker starts: the first real page's time budget is then spent on that
// page, not on loading and compiling the extractor (several times the page's own time when cold).
extractArticle(
  `<!doctype html><html lang="en"><head><title>Warm-up</title></head><body><nav><a href="/">Home</a></nav><article><h1>Warm-up</h1>${'<p>A sentence of warm-up text, long enough to be read as a paragraph of the story.</p>'.repeat(8)}</article></body></html>`,
  null,
);

const started = new BroadcastChannel((Piscina.workerData as { startedChannel: string }).startedChannel);
started.unref();

/** The task function the pool calls with each ExtractTask. */
export default function extractTask(task: ExtractTask): ExtractAnswer {
  started.postMessage(task.id);
  try {
    return { page: extractArticle(task.html, task.pageUrl, task.maxDepth) };
  } catch (error) {
    if (error instanceof PageTooDeepError) return { tooDeep: true };
    throw error;
  }
}
