import { buildArticle, type ArticlePreparer, type PageResult, type PreparedArticle } from '../articles/article.js';
import { extractArticle } from '../articles/extract.js';
import type { SummaryLimits } from '../articles/summarize.js';
import type { FeedItem } from '../sources/feed.js';
import { decodeBytes, charsetOf } from '../sources/decode.js';
import { FetchError, type HttpClient } from '../sources/http.js';

export interface PageLimits {
  /** Largest page accepted, in bytes, counted after decompression. */
  maxBytes: number;
  /** Whole-request deadline, in ms. */
  timeoutMs: number;
}

const HTML_TYPES = /^(text\/html|application\/xhtml\+xml|text\/plain)\b/i;

/** Fetches an article page and extracts it; failures are reasons, never exceptions. */
export async function loadArticlePage(http: HttpClient, url: string, limits: PageLimits): Promise<PageResult> {
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
    return { ok: true, page: extractArticle(html, pageUrl) };
  } catch (error) {
    if (error instanceof FetchError) return { ok: false, kind: error.kind, status: error.status, reason: `${error.kind}: ${error.message}` };
    return { ok: false, kind: 'unreadable', reason: (error as Error).message };
  }
}

export interface ArticlePreparerOptions {
  /** The SSRF-guarded client article pages are fetched with. */
  http: HttpClient;
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
  const loadPage = (url: string) => loadArticlePage(options.http, url, options.pageLimits);
  return {
    loadPage,
    async prepare(source: { feedId: string; feedName: string; item: FeedItem }): Promise<PreparedArticle> {
      const page = source.item.url ? await loadPage(source.item.url) : null;
      let pageRejected: string | null = null;
      const onPageRejected = (reason: string) => (pageRejected = reason);
      const article = buildArticle({ ...source, page: page?.ok ? page.page : null, onPageRejected }, options.summary, now());
      return { article, pageFailure: page && !page.ok ? page.reason : null, pageRejected };
    },
  };
}
