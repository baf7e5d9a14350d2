import { buildArticle, type ArticlePreparer, type ArticleSource, type PageReach, type PageResult, type PreparedArticle } from '../articles/article.js';
import type { SummaryLimits } from '../articles/summarize.js';
import { decodeBytes, charsetOf } from '../sources/decode.js';
import { FetchError, type HttpClient } from '../sources/http.js';
import type { ExtractionPool } from './extraction.js';

interface PageLimits {
  /** Largest page accepted, in bytes, counted after decompression. */
  maxBytes: number;
  /** Whole-request deadline, in ms. */
  timeoutMs: number;
}

const HTML_TYPES = /^(text\/html|application\/xhtml\+xml|text\/plain)\b/i;

/** Fetches an article page and extracts it in the extraction pool; failures are reasons, never exceptions. */
async function loadArticlePage(http: HttpClient, extraction: ExtractionPool, url: string, limits: PageLimits): Promise<PageResult> {
  try {
    const result = await http.fetch(url, {
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5',
      maxBytes: limits.maxBytes,
      timeoutMs: limits.timeoutMs,
    });
    if (result.status !== 'ok') return { ok: false, kind: 'http', status: 304, reason: 'unexpected 304' };
    if (result.contentType && !HTML_TYPES.test(result.contentType)) {
      return { ok: false, kind: 'not-html', reason: `not an HTML page (${result.contentType.split(';')[0]})` };
    }
    const html = decodeBytes(result.body, charsetOf(result.contentType));
    const pageUrl = /^https?:/i.test(result.url) ? result.url : null;
    const extracted = await extraction.extract(html, pageUrl);
    return extracted.ok ? extracted : { ok: false, kind: extracted.kind, reason: `${extracted.kind}: ${extracted.reason}` };
  } catch (error) {
    if (error instanceof FetchError) return { ok: false, kind: error.kind, status: error.status, reason: `${error.kind}: ${error.message}` };
    return { ok: false, kind: 'unreadable', reason: (error as Error).message };
  }
}

/** How many pages found too costly to extract are remembered. */
const BAD_PAGES_KEPT = 1_000;

export interface ArticlePreparerOptions {
  /** The SSRF-guarded client article pages are fetched with (each fetch with the reach it is given). */
  http: HttpClient;
  /** Where pages are extracted, off the main thread and within a time budget. */
  extraction: ExtractionPool;
  pageLimits: PageLimits;
  summary: SummaryLimits;
  /** Clock for `firstSeenAt`, in ms since the epoch. */
  now?: () => number;
}

/**
 * The one way from a feed item to an article, shared by polling, publisher edits, `herald preview`
 * and `/feeds test`: the item's page is fetched and extracted (when it has a link), then the
 * article is built from both. A page that cannot be had leaves the feed's own text to use.
 */
export function articlePreparer(options: ArticlePreparerOptions): ArticlePreparer {
  const now = options.now ?? Date.now;
  // Pages too costly to extract are remembered (by URL, the newest BAD_PAGES_KEPT) and not fetched
  // again: a hostile page costs one time budget, not one per poll, edit or /summary. They are kept
  // per reach, so what a private feed's page did is not told to a public-only /summary.
  const badPages = new Map<string, PageResult>();
  const loadPage = async (url: string, reach: PageReach): Promise<PageResult> => {
    const key = `${reach.privateNetwork ? 'private' : 'public'} ${url}`;
    const known = badPages.get(key);
    if (known) return known;
    const result = await loadArticlePage(options.http.withPrivateNetwork(reach.privateNetwork), options.extraction, url, options.pageLimits);
    if (!result.ok && (result.kind === 'too-slow' || result.kind === 'too-deep')) {
      badPages.set(key, result);
      if (badPages.size > BAD_PAGES_KEPT) badPages.delete(badPages.keys().next().value!);
    }
    return result;
  };
  return {
    loadPage,
    async prepare(source: Omit<ArticleSource, 'page'>, reach: PageReach): Promise<PreparedArticle> {
      const page = source.item.url ? await loadPage(source.item.url, reach) : null;
      let pageRejected: string | null = null;
      const onPageRejected = (reason: string) => (pageRejected = reason);
      const built = buildArticle({ ...source, page: page?.ok ? page.page : null, onPageRejected }, options.summary, now());
      return { article: built?.article ?? null, text: built?.text ?? '', language: built?.language ?? null, pageFailure: page && !page.ok ? page.reason : null, pageRejected };
    },
  };
}
