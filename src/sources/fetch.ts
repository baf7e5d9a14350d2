import { charsetOf, decodeBytes } from './decode.js';
import type { ParsedFeed } from './feed.js';
import { FetchError, isFilePath, type CacheHeaders, type FetchResult, type HttpClient } from './http.js';
import { FeedParseError, pageError, parseFeedText } from './parse.js';
import { linkHeaderPush, pushLinks } from './websub.js';

/** Media types of a web page (RFC 2854 text/html; XHTML's application/xhtml+xml). */
const HTML_TYPE = /^\s*(?:text\/html|application\/xhtml\+xml)\s*(?:;|$)/i;

/** What Herald asks a server for when it fetches a feed. */
export const FEED_ACCEPT = 'application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5';

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
  /** WebSub hubs (the Link header's, else the feed's) and the topic to subscribe to; no hubs for a file. */
  push: { hubs: string[]; topic: string };
  caching: CacheHeaders;
}

export type FeedFetch = FetchedFeed | { status: 'not-modified'; caching: CacheHeaders };

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
    if (validators) return { status: 'not-modified', caching: { cacheControl: result.cacheControl, expires: result.expires, date: result.date } };
    throw new FetchError('http', 'HTTP 304 to a request that was not conditional', 304);
  }
  return feedOf(result, now);
}

/**
 * A fetched answer read as a feed (what fetchFeed returns for a 200): parsed, with its push links and
 * caching headers. Throws FeedParseError when the body is not a feed: a web page's (`page`) when the
 * document is HTML or the server called it HTML (Content-Type text/html or application/xhtml+xml) and
 * it does not parse as a feed.
 */
export function feedOf(result: Extract<FetchResult, { status: 'ok' }>, now: Date): FetchedFeed {
  const fromFile = isFilePath(result.url);
  let feed: ParsedFeed;
  try {
    feed = parseFeedText(decodeBytes(result.body, charsetOf(result.contentType)), fromFile ? null : result.url, now);
  } catch (error) {
    if (error instanceof FeedParseError && !error.page && HTML_TYPE.test(result.contentType ?? '')) throw pageError();
    throw error;
  }
  const push = fromFile ? { hubs: [], topic: result.url } : pushLinks(linkHeaderPush(result.link, result.url), feed, result.url);
  const caching = { cacheControl: result.cacheControl, expires: result.expires, date: result.date };
  return { status: 'ok', feed, url: result.url, etag: result.etag, lastModified: result.lastModified, push, caching };
}
