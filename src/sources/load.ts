import { charsetOf, decodeBytes } from './decode.js';
import type { ParsedFeed } from './feed.js';
import { isFilePath, type HttpClient } from './http.js';
import { parseFeedText } from './parse.js';

/** What Herald asks a server for when it fetches a feed. */
export const FEED_ACCEPT = 'application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5';

/**
 * Fetches (or reads) and parses one feed, unconditionally: for inspect, preview and /feeds.
 * Throws FetchError or FeedParseError with the reason.
 */
export async function loadFeed(http: HttpClient, target: string, limits: { maxBytes: number; timeoutMs: number }): Promise<ParsedFeed> {
  const result = await http.fetch(target, { accept: FEED_ACCEPT, ...limits });
  if (result.status !== 'ok') throw new Error('unexpected 304');
  return parseFeedText(decodeBytes(result.body, charsetOf(result.contentType)), isFilePath(result.url) ? null : result.url);
}
