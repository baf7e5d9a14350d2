import { decodeBytes, charsetOf } from '../sources/decode.js';
import { FetchError, type HttpClient } from '../sources/http.js';
import { extractArticle, type ExtractedArticle } from './extract.js';

export interface PageLimits {
  maxBytes: number;
  timeoutMs: number;
}

export type PageResult = { ok: true; page: ExtractedArticle } | { ok: false; reason: string };

const HTML_TYPES = /^(text\/html|application\/xhtml\+xml|text\/plain)\b/i;

/** Fetches an article page and extracts it; failures are reasons, never exceptions. */
export async function loadArticlePage(http: HttpClient, url: string, limits: PageLimits): Promise<PageResult> {
  try {
    const result = await http.fetch(url, {
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5',
      maxBytes: limits.maxBytes,
      timeoutMs: limits.timeoutMs,
    });
    if (result.status !== 'ok') return { ok: false, reason: 'unexpected 304' };
    if (result.contentType && !HTML_TYPES.test(result.contentType)) {
      return { ok: false, reason: `not an HTML page (${result.contentType.split(';')[0]})` };
    }
    const html = decodeBytes(result.body, charsetOf(result.contentType));
    const pageUrl = /^https?:/i.test(result.url) ? result.url : null;
    return { ok: true, page: extractArticle(html, pageUrl) };
  } catch (error) {
    const reason = error instanceof FetchError ? `${error.kind}: ${error.message}` : (error as Error).message;
    return { ok: false, reason };
  }
}
