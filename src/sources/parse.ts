import { detectAtomFeed, detectRdfFeed, detectRssFeed, parseFeed, ParseError, type AtomFeed, type JsonFeed, type RdfFeed, type RssFeed } from 'feedsmith';
import { safeHttpUrl } from '../text/url.js';
import { plausibleDate } from './dates.js';
import type { FeedItem, ParsedFeed, PushLinks } from './feed.js';
import { hintsOf, NO_HINTS } from './hints.js';
import { readPlainAtom } from './fast-atom.js';
import { readPlainRdf } from './fast-rdf.js';
import { readPlainRss } from './fast-rss.js';
import { prepareXml } from './prepare.js';
import { type Base, atomMarkup, atomValue, textOf, atomTextOf, htmlOf, urlOf, joinBase, firstImageIn, uniqueTexts } from './values.js';

/** Bounds that keep one hostile feed from filling memory or the database. */
const MAX_TITLE = 1_000;
const MAX_SUMMARY = 4_000;

/**
 * A document that is no feed Herald can read. `page`: it is a web page (HTML), which discovery may
 * search for the feed it links (sources/discover.ts); false for a broken feed, which keeps its own error.
 */
export class FeedParseError extends Error {
  override name = 'FeedParseError';
  constructor(
    message: string,
    readonly page = false,
  ) {
    super(message);
  }
}

/** The parse error of a web page, in the words that name it (discovery's messages follow them with "that …"). */
export const pageError = (): FeedParseError => new FeedParseError('not a feed: the document is an HTML page', true);

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

/** The first of several candidate dates (the core element first, then its Dublin Core fallbacks) that is plausible. */
function firstDate(now: Date, ...candidates: unknown[]): Date | null {
  for (const candidate of candidates) {
    const date = plausibleDate(candidate, now);
    if (date) return date;
  }
  return null;
}

/** Dublin Core (dc:) and DCMI Terms (dcterms:) values that stand in for a missing core element. */
interface DublinCore {
  dc?: { titles?: string[]; descriptions?: string[]; dates?: string[]; creators?: string[] };
  dcterms?: { titles?: string[]; descriptions?: string[]; dates?: string[]; issued?: string[]; created?: string[]; modified?: string[] };
}

function dcTitle(value: DublinCore): string | undefined {
  return value.dc?.titles?.[0] ?? value.dcterms?.titles?.[0];
}

function dcDescription(value: DublinCore): string | undefined {
  return value.dc?.descriptions?.[0] ?? value.dcterms?.descriptions?.[0];
}

/** Publication candidates: dc:date, dcterms:issued, dcterms:created, dcterms:date. */
function dcPublished(value: DublinCore): Array<string | undefined> {
  return [value.dc?.dates?.[0], value.dcterms?.issued?.[0], value.dcterms?.created?.[0], value.dcterms?.dates?.[0]];
}

interface MediaText {
  value?: string;
  type?: string;
}

/** Media RSS `media:title` or `media:description` of an item or its first group: plain unless type="html" (Media RSS 2.0 §5). */
function mediaText(media: unknown, key: 'title' | 'description', max: number): string | null {
  const found = media as (Partial<Record<typeof key, MediaText>> & { groups?: Array<Partial<Record<typeof key, MediaText>>> }) | undefined;
  const text = found?.[key] ?? found?.groups?.find((group) => group[key])?.[key];
  return textOf(text?.value, text?.type === 'html' ? 'html' : 'text', max);
}


/** An item's `atom:link` to its page: the first with rel="alternate", or with no rel, which means alternate (RFC 4287 §4.2.7.2). */
function alternateLink(links: ReadonlyArray<{ href?: string; rel?: string }> | undefined, base: Base): string | null {
  const link = links?.find((candidate) => (candidate.rel ?? 'alternate').trim().toLowerCase() === 'alternate');
  return urlOf(link?.href, base);
}

/**
 * An RSS guid (or an RSS 1.0 item's rdf:about) as the item's link: only when it is a permalink (isPermaLink not "false") and reads as
 * one, an absolute URL or a path from the site's root. RSS 2.0 (guid): a permalink "is a url that
 * points to the full item"; a bare token ("12345", "tag-abc") resolved against the feed would make up
 * a link that leads nowhere.
 */
function permalinkOf(guid: string | null, isPermaLink: boolean | undefined, base: Base): string | null {
  // A path from the root starts with one '/': '//host/…' and '/\\host/…' name another host.
  if (!guid || isPermaLink === false || !/^(?:[a-z][a-z\d+.-]*:|\/(?![/\\]))/i.test(guid)) return null;
  return urlOf(guid, base);
}

function fromRss(item: RssFeed.Item<unknown>, base: Base, now: Date): FeedItem {
  const itemBase = joinBase(item.xml?.base, base);
  const dublin = item as DublinCore;
  const contentHtml = item.content?.encoded ? htmlOf(item.content.encoded, 'html', itemBase) : htmlOf(item.description ?? dcDescription(dublin), 'guess', itemBase);
  const enclosureImage = item.enclosures?.find((e) => (e.type ?? '').startsWith('image/'))?.url;
  const guid = item.guid?.value?.trim() || null;
  const url = urlOf(item.link, itemBase) ?? alternateLink(item.atom?.links, itemBase) ?? permalinkOf(guid, item.guid?.isPermaLink, itemBase);
  return finishItem({
    id: guid,
    title: textOf(item.title ?? dcTitle(dublin), 'guess', MAX_TITLE) ?? mediaText(item.media, 'title', MAX_TITLE),
    url,
    publishedAt: firstDate(now, item.pubDate, ...dcPublished(dublin)),
    updatedAt: firstDate(now, dublin.dcterms?.modified?.[0], item.atom?.updated),
    author: textOf(item.authors?.[0]?.name ?? item.dc?.creators?.[0] ?? item.itunes?.author, 'guess', MAX_TITLE),
    summary:
      textOf(item.description ?? dcDescription(dublin), 'guess', MAX_SUMMARY) ??
      textOf(item.content?.encoded, 'html', MAX_SUMMARY) ??
      textOf(item.itunes?.summary, 'guess', MAX_SUMMARY) ??
      mediaText(item.media, 'description', MAX_SUMMARY),
    contentHtml,
    imageUrl: leadImage(item.media, enclosureImage, contentHtml, itemBase, item.itunes?.image),
    categories: uniqueTexts([...(item.categories ?? []).map((c) => c.name), ...(item.dc?.subjects ?? [])]),
  });
}

function fromAtom(entry: AtomFeed.Entry<unknown>, base: Base, now: Date): FeedItem {
  const entryBase = joinBase(entry.xml?.base, base);
  const dublin = entry as DublinCore;
  const links = entry.links ?? [];
  const alternate = links.find((l) => !l.rel || l.rel === 'alternate') ?? links.find((l) => l.rel !== 'self' && l.rel !== 'enclosure');
  const body = entry.content?.value ? entry.content : entry.summary;
  const contentHtml = htmlOf(atomValue(body), atomMarkup(body?.type), joinBase(body?.xml?.base, entryBase));
  const enclosureImage = links.find((l) => l.rel === 'enclosure' && (l.type ?? '').startsWith('image/'))?.href;
  const updated = firstDate(now, entry.updated, dublin.dcterms?.modified?.[0]);
  const summary =
    atomTextOf(entry.summary, MAX_SUMMARY) ??
    textOf(dcDescription(dublin), 'guess', MAX_SUMMARY) ??
    atomTextOf(entry.content, MAX_SUMMARY) ??
    mediaText(entry.media, 'description', MAX_SUMMARY);
  return finishItem({
    id: entry.id?.trim() || null,
    title: atomTextOf(entry.title, MAX_TITLE) ?? textOf(dcTitle(dublin), 'guess', MAX_TITLE) ?? mediaText(entry.media, 'title', MAX_TITLE),
    url: urlOf(alternate?.href, entryBase),
    publishedAt: firstDate(now, entry.published, ...dcPublished(dublin)) ?? updated,
    updatedAt: updated,
    author: textOf(entry.authors?.[0]?.name ?? entry.dc?.creators?.[0], 'guess', MAX_TITLE),
    summary,
    contentHtml,
    imageUrl: leadImage(entry.media, enclosureImage, contentHtml, entryBase),
    categories: uniqueTexts((entry.categories ?? []).map((c) => c.label ?? c.term)),
  });
}

function fromRdf(item: RdfFeed.Item<unknown>, base: Base, now: Date): FeedItem {
  const dublin = item as DublinCore;
  const contentHtml = item.content?.encoded ? htmlOf(item.content.encoded, 'html', base) : htmlOf(item.description ?? dcDescription(dublin), 'guess', base);
  const about = (item as { rdf?: { about?: string } }).rdf?.about;
  return finishItem({
    id: about?.trim() || null,
    title: textOf(item.title ?? dcTitle(dublin), 'guess', MAX_TITLE),
    url: urlOf(item.link, base) ?? permalinkOf(about?.trim() || null, undefined, base),
    publishedAt: firstDate(now, ...dcPublished(dublin)),
    updatedAt: firstDate(now, dublin.dcterms?.modified?.[0]),
    author: textOf(item.dc?.creators?.[0], 'guess', MAX_TITLE),
    summary: textOf(item.description ?? dcDescription(dublin), 'guess', MAX_SUMMARY),
    contentHtml,
    imageUrl: leadImage(item.media, undefined, contentHtml, base),
    categories: uniqueTexts(item.dc?.subjects ?? []),
  });
}

function fromJson(item: JsonFeed.Item<unknown>, base: Base, now: Date): FeedItem {
  const contentHtml = htmlOf(item.content_html, 'html', base) ?? htmlOf(item.content_text, 'text', base);
  const author = item.authors?.[0]?.name ?? (item as { author?: { name?: string } }).author?.name;
  return finishItem({
    id: item.id != null ? String(item.id).trim() || null : null,
    title: textOf(item.title, 'guess', MAX_TITLE),
    url: urlOf(item.url ?? item.external_url, base),
    publishedAt: plausibleDate(item.date_published, now),
    updatedAt: plausibleDate(item.date_modified, now),
    author: textOf(author, 'text', MAX_TITLE),
    summary: textOf(item.summary, 'guess', MAX_SUMMARY) ?? textOf(item.content_text, 'text', MAX_SUMMARY) ?? textOf(item.content_html, 'html', MAX_SUMMARY),
    contentHtml,
    imageUrl: urlOf(item.image ?? item.banner_image, base) ?? firstImageIn(contentHtml, base),
    categories: uniqueTexts(item.tags ?? []),
  });
}

/**
 * A feed cut off mid-document (a dropped connection, a size cap, a last `</rss` without its `>`):
 * everything up to the last complete item (or, with none, up to the last complete tag), with the
 * channel and root elements closed again. Null when the root element is not recognised.
 */
function repairTruncated(text: string): string | null {
  const lastItem = Math.max(text.lastIndexOf('</item>') + '</item>'.length, text.lastIndexOf('</entry>') + '</entry>'.length);
  const kept = lastItem > '</entry>'.length ? text.slice(0, lastItem) : text.replace(/<[^<>]*$/, '');
  const close = (name: string) => (new RegExp(`</${name}\\s*>`).test(kept) ? '' : `</${name}>`);
  if (/<rdf:RDF[\s>]/.test(kept)) return `${kept}${close('rdf:RDF')}`;
  if (/<feed[\s>]/.test(kept)) return `${kept}${close('feed')}`;
  if (/<rss[\s>]/.test(kept)) return `${kept}${/<channel[\s>]/.test(kept) ? close('channel') : ''}${close('rss')}`;
  return null;
}

/** The xml:base of an RSS `<channel>`, which the XML parser does not report. */
function channelBase(xml: string): string | undefined {
  return /<channel\b[^>]*?\sxml:base\s*=\s*(["'])([^"']*)\1/i.exec(xml.slice(0, 4096))?.[2];
}

function looksLikeHtml(text: string): boolean {
  return /^\s*(?:<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text.slice(0, 1024));
}

type Parsed = ReturnType<typeof parseFeed>;

/** WebSub hubs and self from Atom links (`<link rel="hub">`, `<atom:link rel="self">`), resolved against `base`. */
function pushLinksOf(links: Array<{ rel?: string; href?: string }> | undefined, base: Base): PushLinks {
  const hubs = (links ?? []).filter((l) => l.rel === 'hub').map((l) => urlOf(l.href, base));
  return { hubs: [...new Set(hubs.filter((hub): hub is string => hub !== null))], self: urlOf(links?.find((l) => l.rel === 'self')?.href, base) };
}

/**
 * feedsmith, lenient where feed readers are: a well-formed RSS document with its items straight under
 * `<rss>` (no `<channel>`) is read as if the channel were there, and a well-formed feed with nothing in
 * it is an empty feed of its format rather than an error. Throws what feedsmith throws otherwise.
 */
function parseLenient(text: string): Parsed {
  try {
    return parseFeed(text);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    if (detectRssFeed(text) && !/<channel[\s>]/i.test(text)) {
      const wrapped = text.replace(/(<rss\b[^>]*>)([\s\S]*)(<\/rss\s*>)/i, '$1<channel>$2</channel>$3');
      try {
        return parseFeed(wrapped);
      } catch {
        // fall through to an empty feed
      }
    }
    if (detectRssFeed(text)) return { format: 'rss', feed: {} } as Parsed;
    if (detectAtomFeed(text)) return { format: 'atom', feed: {} } as Parsed;
    if (detectRdfFeed(text)) return { format: 'rdf', feed: {} } as Parsed;
    throw error;
  }
}

function tryParse(text: string): Parsed | null {
  try {
    return parseLenient(text);
  } catch {
    return null;
  }
}

/**
 * Plain RSS 2.0, Atom 1.0 and RSS 1.0 through the fast readers (fast-rss.ts, fast-atom.ts, fast-rdf.ts)
 * when they are sure of them; null to use feedsmith. The format is detected as feedsmith's parseFeed
 * detects it (RSS, then Atom, then RDF).
 */
function readFast(source: string): Parsed | null {
  // The fast readers fill only what the mapping reads, in the same (string-dated) shapes.
  if (detectRssFeed(source)) return readPlainRss(source) as Parsed | null;
  if (detectAtomFeed(source)) return readPlainAtom(source) as Parsed | null;
  return detectRdfFeed(source) ? (readPlainRdf(source) as Parsed | null) : null;
}

/**
 * Parses any supported feed format into our own ParsedFeed.
 * `feedUrl` is where the feed came from (http(s) URL, or null for a local file): relative links are
 * resolved against xml:base, then that URL, then the feed's own declared link. Plain RSS 2.0, Atom
 * 1.0 and RSS 1.0 are read by fast readers that give what feedsmith gives; `fastPath: false` reads every feed with feedsmith
 * (for comparing the two). Throws FeedParseError when the text is no feed it can read.
 */
export function parseFeedText(text: string, feedUrl: string | null, now: Date = new Date(), { fastPath = true }: { fastPath?: boolean } = {}): ParsedFeed {
  const trimmed = text.trimStart();
  const source = trimmed.startsWith('{') ? trimmed : prepareXml(trimmed);
  let parsed: Parsed;
  try {
    parsed = (fastPath && !trimmed.startsWith('{') ? readFast(source) : null) ?? parseLenient(source);
  } catch (error) {
    if (looksLikeHtml(text)) throw pageError();
    const repaired = repairTruncated(source);
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
      const base = joinBase(channelBase(source), joinBase(feed.xml?.base, httpBase ?? declared ?? undefined));
      return {
        format: 'rss',
        title: textOf(feed.title ?? dcTitle(feed as DublinCore), 'guess', MAX_TITLE),
        link: declared,
        items: (feed.items ?? []).map((item) => fromRss(item, base, now)),
        ...pushLinksOf(feed.atom?.links, base),
        hints: hintsOf(feed, source),
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
        title: feed.title ? atomTextOf(feed.title, MAX_TITLE) : textOf(dcTitle(feed as DublinCore), 'guess', MAX_TITLE),
        link: urlOf(alternate?.href, base),
        items: (feed.entries ?? []).map((entry) => fromAtom(entry, base, now)),
        ...pushLinksOf(links, docBase),
        hints: NO_HINTS,
      };
    }
    case 'rdf': {
      const feed = parsed.feed;
      const declared = safeHttpUrl(feed.link, httpBase);
      const base = httpBase ?? declared ?? undefined;
      return {
        format: 'rdf',
        title: textOf(feed.title ?? dcTitle(feed as DublinCore), 'guess', MAX_TITLE),
        link: declared,
        items: (feed.items ?? []).map((item) => fromRdf(item, base, now)),
        ...pushLinksOf(feed.atom?.links, base),
        hints: hintsOf(feed, source),
      };
    }
    case 'json': {
      const feed = parsed.feed;
      const declared = safeHttpUrl(feed.home_page_url, httpBase);
      const base = httpBase ?? declared ?? safeHttpUrl(feed.feed_url) ?? undefined;
      return {
        format: 'json',
        title: textOf(feed.title, 'guess', MAX_TITLE),
        link: declared,
        items: (feed.items ?? []).map((item) => fromJson(item, base, now)),
        // JSON Feed 1.1 `hubs`: endpoints of type "WebSub" (case-insensitive).
        hubs: [...new Set((feed.hubs ?? []).filter((hub) => hub.type?.toLowerCase() === 'websub').map((hub) => safeHttpUrl(hub.url, base)).filter((hub): hub is string => hub !== null))],
        self: safeHttpUrl(feed.feed_url, base),
        hints: NO_HINTS,
      };
    }
  }
}
