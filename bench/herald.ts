// The one place bench/ reaches into Herald's source: when src/ moves, only these imports change.
// Each loader imports only what its work needs, so a process measuring one thing carries no other code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeedConfig } from '../src/config/config.js';

/**
 * What Herald does with a fetched article page: Readability on linkedom with its furniture passes,
 * then the summary (lead sentences, Discord's limits). The returned function takes the page's HTML
 * and URL and returns the article's plain text; a page cannot make it throw (an unreadable one gives '').
 */
export async function loadExtractor(): Promise<(html: string, pageUrl: string) => string> {
  const [{ extractArticle }, { summarize }] = await Promise.all([import('../src/articles/extract.js'), import('../src/articles/summarize.js')]);
  return (html, pageUrl) => {
    const article = extractArticle(html, pageUrl);
    summarize(article.text);
    return article.text;
  };
}

/**
 * The same work as loadExtractor on Herald's extraction pool (worker threads, one per core, as
 * `herald run` uses them): every page is handed to the pool at once, the summary is written on the
 * main thread as the pipeline does. `extractAll` takes pages' HTML and URL and returns their texts in
 * order ('' for a page the pool refused); `close` stops the workers.
 */
export async function loadPoolExtractor(): Promise<{ extractAll(pages: readonly string[], pageUrl: string): Promise<string[]>; close(): Promise<void> }> {
  const [{ createExtractionPool }, { summarize }] = await Promise.all([import('../src/pipeline/extraction.js'), import('../src/articles/summarize.js')]);
  const pool = createExtractionPool({ timeoutMs: 60_000, maxDepth: 400 });
  return {
    async extractAll(pages, pageUrl) {
      const results = await Promise.all(pages.map((html) => pool.extract(html, pageUrl)));
      return results.map((result) => {
        if (!result.ok) return '';
        summarize(result.page.text);
        return result.page.text;
      });
    },
    close: () => pool.close(),
  };
}

type Skip = (name: string, attributes: Readonly<Record<string, string>>) => boolean;

/**
 * An HTML fragment → paragraph text, the way Herald reads it, leaving out the elements `skip` names
 * (lower-case tag name and attributes): for scoring any extractor's output and the references by token-F1.
 */
export async function loadParagraphText(): Promise<(html: string, skip?: Skip) => string> {
  const { htmlToText } = await import('../src/text/text.js');
  return (html, skip) => htmlToText(html, true, skip);
}

/**
 * What Herald does with a fetched feed body: detect the charset, decode, parse any of RSS, Atom, RDF,
 * JSON Feed into items (dates, links and text normalised). The returned function takes the body's
 * bytes and returns the number of items; it throws FeedParseError on a body that is no feed.
 */
export async function loadFeedParser(): Promise<(bytes: Uint8Array) => number> {
  const [{ decodeBytes }, { parseFeedText }] = await Promise.all([import('../src/sources/decode.js'), import('../src/sources/parse.js')]);
  return (bytes) => parseFeedText(decodeBytes(bytes), null).items.length;
}

/** One pass over the feeds, as seen by the process that ran it. */
export interface PollPass {
  /** Feeds this process checked (feeds claimed by another process sharing the database are not counted). */
  checks: number;
  notModified: number;
  newArticles: number;
  /** When each of this process's checks finished, in ms after the pass began. */
  finishedMs: number[];
}

export interface Poller {
  /** Polls every feed once, now, as `herald run --once` does; resolves when all are done. */
  pollAll(): Promise<PollPass>;
  close(): Promise<void>;
}

/**
 * Herald's feed scheduler over `urls` (feeds every 1 h), with a real store (`databaseUrl`, or a fresh
 * SQLite file in a temporary directory when null, removed by `close`) and Herald's HTTP client (private addresses allowed,
 * for 127.0.0.1) without a per-host limit, as for feeds on many hosts. Every feed routes to one Discord target, so a new item records an article and a
 * delivery. `concurrency`: polls in flight (config `http.concurrency`). Throws when the store cannot be opened.
 */
export async function openPoller(urls: string[], databaseUrl: string | null, concurrency: number): Promise<Poller> {
  const [{ pino }, { createHttpClient }, { createExtractionPool }, { articlePreparer }, { FeedScheduler }, { openStore }] = await Promise.all([
    import('pino'),
    import('../src/sources/http.js'),
    import('../src/pipeline/extraction.js'),
    import('../src/pipeline/pages.js'),
    import('../src/pipeline/scheduler.js'),
    import('../src/store/open.js'),
  ]);
  // A fresh SQLite file in a folder of its own, removed by close().
  const sqliteDir = databaseUrl ? null : mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const store = await openStore(databaseUrl ?? `sqlite:${join(sqliteDir!, 'bench.db')}`);
  const http = createHttpClient({ userAgent: 'Herald-bench', allowPrivateNetwork: true });
  const extraction = createExtractionPool({ timeoutMs: 10_000, maxDepth: 400 });
  const feeds: FeedConfig[] = urls.map((url, n) => ({ id: `f${n}`, url, everyMs: 3_600_000, minEveryMs: 3_600_000, maxEveryMs: 3_600_000, backfill: 0, name: `f${n}`, siteName: null, color: 0, priority: 0, category: null, privateNetwork: true }));
  let passStarted = 0;
  let finishedMs: number[] = [];
  const scheduler = new FeedScheduler(
    feeds,
    {
      store,
      http,
      articles: articlePreparer({ http, extraction, pageLimits: { maxBytes: 5_000_000, timeoutMs: 30_000 }, summary: { maxSentences: 3, maxChars: 500 } }),
      log: pino({ level: 'silent' }),
      deliveriesFor: (feedId: string) => [{ target: 'discord:1', options: { template: null, style: { name: feedId, color: 0 }, priority: 0 } }],
      matchedFilters: () => [],
      updates: 'edit',
      feedLimits: { maxBytes: 10_000_000, timeoutMs: 30_000 },
      addresses: new Map(),
      onNewDeliveries: () => {},
    },
    concurrency,
    `bench-${process.pid}`,
    // Called for the feeds this process polled, not for those another process had claimed.
    () => finishedMs.push(performance.now() - passStarted),
  );
  return {
    async pollAll() {
      passStarted = performance.now();
      finishedMs = [];
      const own = (await scheduler.pollAllOnce()).filter((o) => o.status !== 'elsewhere');
      return {
        checks: own.length,
        notModified: own.filter((o) => o.status === 'not-modified').length,
        newArticles: own.reduce((sum, o) => sum + o.newArticles, 0),
        finishedMs,
      };
    },
    async close() {
      await scheduler.stop();
      await http.close();
      await extraction.close();
      await store.close();
      if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
    },
  };
}
