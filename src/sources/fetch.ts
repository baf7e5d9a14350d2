import { charsetOf, decodeBytes } from './decode.js';
import type { ParsedFeed } from './feed.js';
import { FetchError, isFilePath, type HttpClient } from './http.js';
import { parseFeedText } from './parse.js';

/** What Herald asks a server for when it fetches a feed. */
const FEED_ACCEPT = 'application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5';

export interface FeedLimits {
  /** Largest body accepted, in bytes, counted after decompression. */
  maxBytes: number;
  /** Whole-request deadline, in ms. */
  timeoutMs: number;
}

/** The validators of an earlier answer, sent back for a conditional GET (RFC 9110 §13.1). */
export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export interface FetchedFeed extends Validators {
  status: 'ok';
  feed: ParsedFeed;
  /** Where the feed came from after redirects: a URL, or the file path as given. */
  url: string;
}

export type FeedFetch = FetchedFeed | { status: 'not-modified' };

/**
 * Fetches (or reads) one feed and parses it: the only place bytes become a ParsedFeed.
 * With `validators`, the request is conditional and may answer `not-modified` (HTTP 304);
 * without, a 304 is a FetchError. Relative links resolve against the final URL; a file has none.
 * `now` bounds plausible item dates. Throws FetchError (fetching) or FeedParseError (parsing).
 */
export async function fetchFeed(http: HttpClient, target: string, limits: FeedLimits, validators?: undefined, now?: Date): Promise<FetchedFeed>;
export async function fetchFeed(http: HttpClient, target: string, limits: FeedLimits, validators: Validators, now?: Date): Promise<FeedFetch>;
export async function fetchFeed(http: HttpClient, target: string, limits: FeedLimits, validators?: Validators, now: Date = new Date()): Promise<FeedFetch> {
  const result = await http.fetch(target, { accept: FEED_ACCEPT, ...limits, etag: validators?.etag ?? null, lastModified: validators?.lastModified ?? null });
  if (result.status === 'not-modified') {
    if (validators) return { status: 'not-modified' };
    throw new FetchError('http', 'HTTP 304 to a request that was not conditional', 304);
  }
  const feed = parseFeedText(decodeBytes(result.body, charsetOf(result.contentType)), isFilePath(result.url) ? null : result.url, now);
  return { status: 'ok', feed, url: result.url, etag: result.etag, lastModified: result.lastModified };
}
