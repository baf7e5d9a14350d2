import { Parser } from 'htmlparser2';
import { safeHttpUrl } from '../text/url.js';
import { charsetOf, decodeBytes } from './decode.js';
import { FEED_ACCEPT, feedOf, fetchFeed, type FeedLimits, type FetchedFeed } from './fetch.js';
import { FetchError, type HttpClient } from './http.js';
import { FeedParseError } from './parse.js';

/** A feed a page points to. */
export interface FeedCandidate {
  url: string;
  /** The link's title, or null. */
  title: string | null;
}

/** Media types of feeds in `<link rel="alternate" type="…">` (RSS, Atom, RDF, JSON Feed). */
const FEED_TYPES = new Set(['application/rss+xml', 'application/atom+xml', 'application/rdf+xml', 'application/feed+json', 'application/json', 'text/xml', 'application/xml']);

/** Where sites commonly publish their feed when their pages do not link it, tried in this order. */
const COMMON_PATHS = ['/feed', '/rss', '/atom.xml', '/feed.xml', '/rss.xml', '/index.xml'];

/**
 * The feeds an HTML page declares: `<link rel="alternate" type="application/rss+xml" href="…">` and
 * the other feed types (HTML Living Standard §4.6.7.1 "alternate" with a feed type), in page order,
 * each URL once, resolved against the page's URL (or its `<base href>`).
 */
export function feedLinksIn(html: string, pageUrl: string): FeedCandidate[] {
  const found = new Map<string, FeedCandidate>();
  let base = pageUrl;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'base' && attributes.href) base = safeHttpUrl(attributes.href, pageUrl) ?? base;
        if (name !== 'link') return;
        const rels = (attributes.rel ?? '').toLowerCase().split(/\s+/);
        const type = (attributes.type ?? '').toLowerCase().split(';')[0]!.trim();
        if (!rels.includes('alternate') || !FEED_TYPES.has(type)) return;
        const url = safeHttpUrl(attributes.href, base);
        if (url && !found.has(url)) found.set(url, { url, title: attributes.title?.trim() || null });
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  // The links sit in <head>: the first 512 KiB hold them on any real page.
  parser.end(html.slice(0, 512 * 1024));
  return [...found.values()];
}

export type Discovery = { status: 'feed'; fetched: FetchedFeed } | { status: 'choose'; candidates: FeedCandidate[] } | { status: 'none' };

/**
 * Why a page is not one feed to watch, in words following "The document is an HTML page that …": it
 * links no feed (and none answers at the usual paths), or it links several, each named with its title.
 */
export function pageProblem(found: Exclude<Discovery, { status: 'feed' }>): string {
  if (found.status === 'none') return "links no feed, and none answers at its site's usual feed addresses (/feed, /rss, /atom.xml…)";
  return `links ${found.candidates.length} feeds: ${found.candidates.map((c) => (c.title ? `${c.url} (${c.title})` : c.url)).join(', ')}`;
}

/**
 * What a URL someone gave as a feed leads to: the feed itself; else, for an HTML page (a home page
 * or an article), the feeds it links with `<link rel="alternate">`, or when it links none the
 * common paths of its site (`/feed`, `/rss`, `/atom.xml`, …) that answer with a feed. One feed found
 * is fetched and returned as `feed`; several are returned to `choose` from. Every request goes through
 * `http` (the guarded client: SSRF rules hold). Throws FetchError when the URL itself cannot be fetched,
 * and FeedParseError when it answers with a broken feed (no web page: nothing is searched).
 */
export async function discoverFeed(http: HttpClient, url: string, limits: FeedLimits, now: Date = new Date()): Promise<Discovery> {
  const page = await http.fetch(url, { accept: `${FEED_ACCEPT}, text/html;q=0.9`, ...limits });
  if (page.status !== 'ok') throw new FetchError('http', 'HTTP 304 to a request that was not conditional', 304);
  try {
    return { status: 'feed', fetched: feedOf(page, now) };
  } catch (error) {
    // A broken feed keeps its own parse error: only a web page is searched for the feed it links.
    if (!(error instanceof FeedParseError) || !error.page) throw error;
  }
  const text = decodeBytes(page.body, charsetOf(page.contentType));
  let candidates = feedLinksIn(text, page.url);
  if (candidates.length === 0) {
    const origin = new URL(page.url).origin;
    for (const path of COMMON_PATHS) {
      const found = await fetchFeed(http, `${origin}${path}`, limits, undefined, now).catch(() => null);
      if (found) {
        candidates = [{ url: found.url, title: found.feed.title }];
        break;
      }
    }
  }
  if (candidates.length === 0) return { status: 'none' };
  if (candidates.length > 1) return { status: 'choose', candidates };
  return { status: 'feed', fetched: await fetchFeed(http, candidates[0]!.url, limits, undefined, now) };
}
