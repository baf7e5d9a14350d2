import { parseFeed, type AtomFeed, type JsonFeed, type RdfFeed, type RssFeed } from 'feedsmith';
import { safeHttpUrl } from '../articles/identity.js';
import { plainText } from '../articles/text.js';
import { plausibleDate } from './dates.js';
import type { FeedItem, ParsedFeed } from './feed.js';

/** Bounds that keep one hostile feed from filling memory or the database. */
const MAX_TITLE = 1_000;
const MAX_SUMMARY = 4_000;
const MAX_CONTENT_HTML = 200_000;

export class FeedParseError extends Error {
  override name = 'FeedParseError';
}

type TextLike = string | { value?: string } | undefined;
type Base = string | undefined;

function textOf(value: TextLike, max: number): string | null {
  const raw = typeof value === 'string' ? value : value?.value;
  const text = plainText(raw);
  return text && text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A link or source attribute inside a tag, with its quoted value. */
const LINK_ATTRIBUTE = /(<[a-z][^<>]*?\s(?:href|src|poster)\s*=\s*)(["'])([^"'<>]*)\2/gi;
const HAS_SCHEME = /^[a-z][a-z\d+.-]*:/i;

/** Content HTML, capped, with relative links and image sources resolved against the item's base. */
function htmlOf(value: string | undefined, base: Base): string | null {
  if (!value || !value.trim()) return null;
  const html = value.length > MAX_CONTENT_HTML ? value.slice(0, MAX_CONTENT_HTML) : value;
  if (!base) return html;
  return html.replace(LINK_ATTRIBUTE, (whole, start: string, quote: string, link: string) => {
    if (!link || HAS_SCHEME.test(link) || link.startsWith('#')) return whole;
    const resolved = urlOf(link.replace(/&amp;/g, '&'), base);
    return resolved ? `${start}${quote}${resolved.replace(/&/g, '&amp;')}${quote}` : whole;
  });
}

/** Resolves a (possibly relative) link against a chain of bases; only http(s) results are kept. */
function urlOf(raw: string | undefined | null, base: Base): string | null {
  if (!raw) return null;
  return safeHttpUrl(raw, base);
}

function joinBase(inner: string | undefined, outer: Base): Base {
  if (!inner) return outer;
  try {
    return new URL(inner, outer).toString();
  } catch {
    return outer;
  }
}

function firstImageIn(html: string | null, base: Base): string | null {
  if (!html) return null;
  const match = /<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']/i.exec(html);
  return match ? urlOf(match[1], base) : null;
}

function uniqueTexts(values: Array<string | undefined>): string[] {
  const seen = new Set<string>();
  for (const value of values) {
    const text = plainText(value);
    if (text) seen.add(text);
  }
  return [...seen];
}

interface MediaContent {
  url?: string;
  medium?: string;
  type?: string;
  width?: number;
  thumbnails?: Array<{ url?: string }>;
}

interface MediaLike {
  contents?: MediaContent[];
  thumbnails?: Array<{ url?: string }>;
  groups?: Array<{ contents?: MediaContent[]; thumbnails?: Array<{ url?: string }> }>;
}

const AUDIO_OR_VIDEO_PATH = /\.(?:mp4|m4v|mov|webm|mkv|mp3|m4a|aac|ogg|oga|opus|wav|flac|m3u8|mpd)$/i;

/** News feeds often give media:content neither medium nor type: then anything but audio or video counts as an image. */
function isImage(content: MediaContent, url: string): boolean {
  if (content.medium || content.type) return content.medium === 'image' || (content.type ?? '').startsWith('image/');
  return !AUDIO_OR_VIDEO_PATH.test(new URL(url).pathname);
}

/** Media RSS images: the widest image content (groups included), and the first thumbnail as a fallback. */
function mediaImages(media: MediaLike | undefined, base: Base): { image: string | null; thumbnail: string | null } {
  const contents = [...(media?.contents ?? []), ...(media?.groups ?? []).flatMap((group) => group.contents ?? [])];
  let image: { url: string; width: number } | null = null;
  for (const content of contents) {
    const url = urlOf(content.url, base);
    if (url && isImage(content, url) && (!image || (content.width ?? 0) > image.width)) image = { url, width: content.width ?? 0 };
  }
  const thumbnails = [
    ...(media?.thumbnails ?? []),
    ...contents.flatMap((content) => content.thumbnails ?? []),
    ...(media?.groups ?? []).flatMap((group) => group.thumbnails ?? []),
  ];
  const thumbnail = thumbnails.map((t) => urlOf(t.url, base)).find((url) => url !== null) ?? null;
  return { image: image?.url ?? null, thumbnail };
}

/** The lead image, best first: a full-size media image, an image enclosure, a thumbnail, the first image in the content. */
function leadImage(media: unknown, enclosure: string | undefined, contentHtml: string | null, base: Base, extra?: string): string | null {
  const found = mediaImages(media as MediaLike | undefined, base);
  return found.image ?? urlOf(enclosure, base) ?? found.thumbnail ?? urlOf(extra, base) ?? firstImageIn(contentHtml, base);
}

function finishItem(item: Omit<FeedItem, 'id'> & { id: string | null }): FeedItem {
  return { ...item, id: item.id ?? item.url };
}

function fromRss(item: RssFeed.Item<unknown>, base: Base, now: Date): FeedItem {
  const itemBase = joinBase(item.xml?.base, base);
  const contentHtml = htmlOf(item.content?.encoded ?? item.description, itemBase);
  const enclosureImage = item.enclosures?.find((e) => (e.type ?? '').startsWith('image/'))?.url;
  const guid = item.guid?.value?.trim() || null;
  const url = urlOf(item.link, itemBase) ?? (item.guid?.isPermaLink !== false ? urlOf(guid, itemBase) : null);
  return finishItem({
    id: guid,
    title: textOf(item.title ?? item.dc?.titles?.[0], MAX_TITLE),
    url,
    publishedAt: plausibleDate(item.pubDate ?? item.dc?.dates?.[0] ?? item.dcterms?.issued, now),
    updatedAt: plausibleDate(item.dcterms?.modified ?? item.atom?.updated, now),
    author: textOf(item.authors?.[0]?.name ?? item.dc?.creators?.[0] ?? item.itunes?.author, MAX_TITLE),
    summary: textOf(item.description ?? item.content?.encoded, MAX_SUMMARY),
    contentHtml,
    imageUrl: leadImage(item.media, enclosureImage, contentHtml, itemBase, item.itunes?.image),
    categories: uniqueTexts([...(item.categories ?? []).map((c) => c.name), ...(item.dc?.subjects ?? [])]),
  });
}

function fromAtom(entry: AtomFeed.Entry<unknown>, base: Base, now: Date): FeedItem {
  const entryBase = joinBase(entry.xml?.base, base);
  const links = entry.links ?? [];
  const alternate = links.find((l) => !l.rel || l.rel === 'alternate') ?? links.find((l) => l.rel !== 'self' && l.rel !== 'enclosure');
  const contentHtml = htmlOf(entry.content?.value ?? entry.summary?.value, entryBase);
  const enclosureImage = links.find((l) => l.rel === 'enclosure' && (l.type ?? '').startsWith('image/'))?.href;
  const published = plausibleDate(entry.published ?? entry.dc?.dates?.[0], now);
  const updated = plausibleDate(entry.updated, now);
  return finishItem({
    id: entry.id?.trim() || null,
    title: textOf(entry.title, MAX_TITLE),
    url: urlOf(alternate?.href, entryBase),
    publishedAt: published ?? updated,
    updatedAt: updated,
    author: textOf(entry.authors?.[0]?.name ?? entry.dc?.creators?.[0], MAX_TITLE),
    summary: textOf(entry.summary ?? entry.content?.value, MAX_SUMMARY),
    contentHtml,
    imageUrl: leadImage(entry.media, enclosureImage, contentHtml, entryBase),
    categories: uniqueTexts((entry.categories ?? []).map((c) => c.label ?? c.term)),
  });
}

function fromRdf(item: RdfFeed.Item<unknown>, base: Base, now: Date): FeedItem {
  const contentHtml = htmlOf(item.content?.encoded ?? item.description, base);
  const about = (item as { rdf?: { about?: string } }).rdf?.about;
  return finishItem({
    id: about?.trim() || null,
    title: textOf(item.title ?? item.dc?.titles?.[0], MAX_TITLE),
    url: urlOf(item.link ?? about, base),
    publishedAt: plausibleDate(item.dc?.dates?.[0], now),
    updatedAt: null,
    author: textOf(item.dc?.creators?.[0], MAX_TITLE),
    summary: textOf(item.description ?? item.dc?.descriptions?.[0], MAX_SUMMARY),
    contentHtml,
    imageUrl: leadImage(item.media, undefined, contentHtml, base),
    categories: uniqueTexts(item.dc?.subjects ?? []),
  });
}

function fromJson(item: JsonFeed.Item<unknown>, base: Base, now: Date): FeedItem {
  const contentHtml = htmlOf(item.content_html, base);
  const author = item.authors?.[0]?.name ?? (item as { author?: { name?: string } }).author?.name;
  return finishItem({
    id: item.id != null ? String(item.id).trim() || null : null,
    title: textOf(item.title, MAX_TITLE),
    url: urlOf(item.url ?? item.external_url, base),
    publishedAt: plausibleDate(item.date_published, now),
    updatedAt: plausibleDate(item.date_modified, now),
    author: textOf(author, MAX_TITLE),
    summary: textOf(item.summary ?? item.content_text ?? item.content_html, MAX_SUMMARY),
    contentHtml: contentHtml ?? (item.content_text ? escapeAsParagraphs(item.content_text) : null),
    imageUrl: urlOf(item.image ?? item.banner_image, base) ?? firstImageIn(contentHtml, base),
    categories: uniqueTexts(item.tags ?? []),
  });
}

function escapeAsParagraphs(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return escaped.split(/\n\s*\n/).map((p) => `<p>${p.trim()}</p>`).join('');
}

/**
 * A feed cut off mid-document (a dropped connection, a size cap): everything up to the last complete
 * item, with the root element closed again. Null when there is no complete item to keep.
 */
export function repairTruncated(text: string): string | null {
  const lastItem = Math.max(text.lastIndexOf('</item>') + '</item>'.length, text.lastIndexOf('</entry>') + '</entry>'.length);
  if (lastItem <= '</entry>'.length) return null;
  const kept = text.slice(0, lastItem);
  if (/<rdf:RDF[\s>]/.test(kept)) return `${kept}</rdf:RDF>`;
  if (/<feed[\s>]/.test(kept)) return `${kept}</feed>`;
  if (/<rss[\s>]/.test(kept)) return `${kept}</channel></rss>`;
  return null;
}

function looksLikeHtml(text: string): boolean {
  return /^\s*(?:<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text.slice(0, 1024));
}

function tryParse(text: string): ReturnType<typeof parseFeed> | null {
  try {
    return parseFeed(text);
  } catch {
    return null;
  }
}

/**
 * Parses any supported feed format into our own ParsedFeed.
 * `feedUrl` is where the feed came from (http(s) URL, or null for a local file): relative links are
 * resolved against xml:base, then that URL, then the feed's own declared link.
 */
export function parseFeedText(text: string, feedUrl: string | null, now: Date = new Date()): ParsedFeed {
  let parsed: ReturnType<typeof parseFeed>;
  try {
    parsed = parseFeed(text.trimStart());
  } catch (error) {
    if (looksLikeHtml(text)) throw new FeedParseError('not a feed: the document is an HTML page');
    const repaired = repairTruncated(text.trimStart());
    const recovered = repaired ? tryParse(repaired) : null;
    if (!recovered) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new FeedParseError(`not a valid RSS, Atom, RDF or JSON feed (${reason.split('\n')[0]?.slice(0, 200)})`);
    }
    parsed = recovered;
  }
  const httpBase = feedUrl && /^https?:/i.test(feedUrl) ? feedUrl : undefined;

  switch (parsed.format) {
    case 'rss': {
      const feed = parsed.feed;
      const declared = safeHttpUrl(feed.link, httpBase) ?? safeHttpUrl(feed.atom?.links?.find((l) => l.rel === 'self')?.href);
      const base = joinBase(feed.xml?.base, httpBase ?? declared ?? undefined);
      return {
        format: 'rss',
        title: textOf(feed.title, MAX_TITLE),
        link: declared,
        items: (feed.items ?? []).map((item) => fromRss(item, base, now)),
      };
    }
    case 'atom': {
      const feed = parsed.feed;
      const links = feed.links ?? [];
      const docBase = joinBase(feed.xml?.base, httpBase);
      const alternate = links.find((l) => !l.rel || l.rel === 'alternate');
      const self = links.find((l) => l.rel === 'self');
      const declared = urlOf(alternate?.href, docBase) ?? urlOf(self?.href, docBase);
      const base = docBase ?? declared ?? undefined;
      return {
        format: 'atom',
        title: textOf(feed.title, MAX_TITLE),
        link: urlOf(alternate?.href, base),
        items: (feed.entries ?? []).map((entry) => fromAtom(entry, base, now)),
      };
    }
    case 'rdf': {
      const feed = parsed.feed;
      const declared = safeHttpUrl(feed.link, httpBase);
      const base = httpBase ?? declared ?? undefined;
      return {
        format: 'rdf',
        title: textOf(feed.title, MAX_TITLE),
        link: declared,
        items: (feed.items ?? []).map((item) => fromRdf(item, base, now)),
      };
    }
    case 'json': {
      const feed = parsed.feed;
      const declared = safeHttpUrl(feed.home_page_url, httpBase);
      const base = httpBase ?? declared ?? safeHttpUrl(feed.feed_url) ?? undefined;
      return {
        format: 'json',
        title: textOf(feed.title, MAX_TITLE),
        link: declared,
        items: (feed.items ?? []).map((item) => fromJson(item, base, now)),
      };
    }
  }
}
