import { decodeBytes, charsetOf } from '../sources/decode.js';
import { FetchError, type FetchFailure, type HttpClient } from '../sources/http.js';
import { extractArticle, type ExtractedArticle } from '../articles/extract.js';

export interface PageLimits {
  maxBytes: number;
  timeoutMs: number;
}

/** Why a page could not be used: a fetch failure's kind, not HTML, or not readable as a page. */
export type PageFailure = FetchFailure | 'not-html' | 'unreadable';

/** A failed load keeps its kind (and HTTP status), so callers decide on data, never on the wording. */
export type PageResult = { ok: true; page: ExtractedArticle } | { ok: false; kind: PageFailure; status?: number; reason: string };

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
