// A fast reader for plain RSS 2.0, the common case: one pass of htmlparser2's tokenizer (XML mode)
// straight into the feedsmith shapes the rest of parse.ts maps, so both readers share one mapping and
// give identical results. Anything it is not sure to read as feedsmith 3 does (namespaces it does not
// know, remapped prefixes, markup inside a text element, anything not well-formed) makes it decline,
// and the caller falls back to feedsmith.
import type { RssFeed } from 'feedsmith';
import { QuoteType, Tokenizer, type TokenizerCallbacks } from 'htmlparser2';
import { feedBoolean, feedNumber, feedText, firstPerson } from './fast-values.js';

type Item = RssFeed.Item<string>;
type Feed = RssFeed.Feed<string>;
type Media = NonNullable<Item['media']>;
type MediaContent = NonNullable<Media['contents']>[number];
type Thumbnail = NonNullable<Media['thumbnails']>[number];

/** Namespace URIs (feedsmith 3's lists) of the prefixed elements this reader reads. */
const NAMESPACES: Record<string, string[]> = {
  dc: ['purl.org/dc/elements/1.1', 'dublincore.org/documents/dcmi-namespace', 'purl.org/dc/elements/1.0'],
  content: ['purl.org/rss/1.0/modules/content'],
  atom: ['www.w3.org/2005/atom', 'purl.org/atom/ns#'],
  sy: ['purl.org/rss/1.0/modules/syndication'],
  media: ['search.yahoo.com/mrss', 'video.search.yahoo.com/mrss', 'www.rssboard.org/media-rss', 'search.yahoo.com/searchmonkey/media', 'tools.search.yahoo.com/mrss'],
  itunes: ['www.itunes.com/dtds/podcast-1.0.dtd'],
};

/**
 * URIs feedsmith maps to a namespace Herald reads (Dublin Core and its terms, content, Atom, Media RSS,
 * iTunes, syndication): declared under another prefix, feedsmith renames that prefix, so a document
 * doing so is left to feedsmith.
 */
const READ_NAMESPACE_URI = /^https?:\/\/(?:purl\.org\/(?:dc\/|rss\/1\.0\/modules\/(?:content|syndication)|atom\/)|dublincore\.org\/|www\.w3\.org\/2005\/atom|(?:video\.|tools\.)?search\.yahoo\.com\/(?:mrss|searchmonkey\/media)|www\.rssboard\.org\/media-rss|www\.itunes\.com\/dtds\/)/;

const NAMESPACE_DECLARATION = /xmlns:([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * Whether every `xmlns:` declaration in the text (feedsmith looks at them textually, so this does too)
 * leaves the prefixes this reader reads as they are: a prefix it reads (dc, content, atom, sy) bound to
 * that namespace, and no namespace Herald reads bound to another prefix.
 */
function plainNamespaces(text: string): boolean {
  if (!text.includes('xmlns:')) return true;
  for (const [, rawPrefix, double, single] of text.matchAll(NAMESPACE_DECLARATION)) {
    const prefix = rawPrefix!.toLowerCase();
    const uri = (double ?? single ?? '').trim().toLowerCase();
    const own = NAMESPACES[prefix];
    const bare = uri.replace(/^https?:\/\//, '').replace(/\/$/, '');
    if (own) {
      if (!own.includes(bare)) return false;
    } else if (READ_NAMESPACE_URI.test(uri)) {
      return false;
    }
  }
  return true;
}

/** What the reader does with an element, by where it stands. */
const enum Role {
  /** Not read by Herald: its whole subtree is passed over. */
  Skip,
  /** A text element: feedsmith reads its raw content, markup and all, up to its end tag. */
  Text,
  /** An element whose children are read (rss, channel, item, media:content). */
  Container,
  /** An element read from its attributes alone; its subtree is passed over. */
  Attributes,
}

/** Item elements this reader does not reproduce (Media RSS groups, DCMI Terms, Atom's modified). */
const ITEM_DECLINED = /^(?:media:group|atom:modified)$|^dcterms:/;
const ITEM_TEXT = new Set([
  'title', 'link', 'description', 'category', 'enclosure', 'guid', 'pubdate', 'content:encoded',
  'dc:creator', 'dc:subject', 'dc:date', 'dc:title', 'dc:description',
  'media:title', 'media:description', 'itunes:author', 'itunes:summary', 'atom:updated', 'author',
]);
const ITEM_ATTRIBUTES = new Set(['media:thumbnail', 'itunes:image']);
const CHANNEL_DECLINED = /^(?:skiphours|skipdays|dcterms:|item$)/;
const CHANNEL_TEXT = new Set(['title', 'link', 'ttl', 'atom:link', 'dc:title', 'sy:updateperiod', 'sy:updatefrequency']);

class Decline extends Error {}

interface Open {
  name: string;
  role: Role;
  /** Where its content starts (after the open tag's `>`). */
  contentStart: number;
  attributes: Record<string, string> | null;
}

function pushTo<T>(list: T[] | undefined, value: T | undefined): T[] | undefined {
  if (value === undefined) return list;
  if (list) list.push(value);
  else return [value];
  return list;
}

/**
 * Reads a plain RSS 2.0 document into feedsmith's RSS shape, the fields Herald maps only; null when the
 * document is not one this reader is sure to read exactly as feedsmith 3 would (the caller then uses
 * feedsmith). Takes the prepared XML text (prepareXml); never throws.
 */
export function readPlainRss(text: string): { format: 'rss'; feed: Feed } | null {
  if (!plainNamespaces(text)) return null;
  try {
    return { format: 'rss', feed: read(text) };
  } catch (error) {
    if (error instanceof Decline) return null;
    throw error;
  }
}

function read(text: string): Feed {
  const stack: Open[] = [];
  let skipDepth = 0;
  let rootDone = false;
  let channels = 0;
  let name = '';
  let attributes: Record<string, string> | null = null;
  let attributeName = '';
  let attributeValue = '';
  const feed: Feed = {};
  const items: Item[] = [];
  let item: Item | null = null;
  /** Elements of the current item that Herald reads: an item with none is left to feedsmith (it may keep or drop it). */
  let itemRead = 0;
  let mediaContent: MediaContent | null = null;
  /** Raw `<author>` texts of the current item. */
  const authors: string[] = [];
  /** Singular elements already met in the channel and in the current item (feedsmith reads the first; an empty first one hides the rest). */
  const channelSeen = new Set<string>();
  const itemSeen = new Set<string>();
  const decline = (): never => {
    throw new Decline();
  };

  function roleOf(element: string): Role {
    const depth = stack.length;
    if (depth === 0) {
      if (rootDone || element.toLowerCase() !== 'rss') decline();
      return Role.Container;
    }
    const lower = element.toLowerCase();
    if (depth === 1) {
      if (lower === 'item') decline();
      if (lower !== 'channel') return Role.Skip;
      if (++channels > 1) decline();
      return Role.Container;
    }
    if (depth === 2) {
      if (lower === 'item') return Role.Container;
      if (CHANNEL_DECLINED.test(lower)) decline();
      return CHANNEL_TEXT.has(lower) ? Role.Text : Role.Skip;
    }
    if (depth === 3 && item) {
      if (ITEM_DECLINED.test(lower)) decline();
      if (lower === 'media:content') return Role.Container;
      if (ITEM_ATTRIBUTES.has(lower)) return Role.Attributes;
      return ITEM_TEXT.has(lower) ? Role.Text : Role.Skip;
    }
    if (depth === 4 && mediaContent && lower === 'media:thumbnail') return Role.Attributes;
    return Role.Skip;
  }

  function open(contentStart: number): void {
    if (skipDepth > 0) {
      stack.push({ name, role: Role.Skip, contentStart, attributes: null });
      skipDepth++;
      return;
    }
    // Markup inside a text element is part of its raw text (feedsmith reads text elements whole); it only has to nest.
    const role = stack[stack.length - 1]?.role === Role.Text ? Role.Skip : roleOf(name);
    if (role === Role.Attributes) readAttributes(name.toLowerCase(), attributes);
    stack.push({ name, role: role === Role.Attributes ? Role.Skip : role, contentStart, attributes });
    if (role === Role.Skip || role === Role.Attributes) skipDepth = 1;
    else if (role === Role.Container && stack.length === 4 && item) {
      itemRead++;
      // feedsmith reads media:content from its attributes and its thumbnails; one with neither is left out, as Herald would ignore it.
      mediaContent = attributes
        ? ({ url: feedText(attributes['url']), type: feedText(attributes['type']), medium: feedText(attributes['medium']), width: feedNumber(attributes['width']) } as MediaContent)
        : ({} as MediaContent);
      const media = (item.media ??= {});
      media.contents = pushTo(media.contents, mediaContent);
    } else if (role === Role.Container && stack.length === 3) {
      item = {};
      itemRead = 0;
      itemSeen.clear();
      const base = feedText(attributes?.['xml:base']);
      if (base !== undefined) item.xml = { base };
    } else if (role === Role.Container && stack.length === 1) {
      if (attributes && 'xmlns' in attributes) decline();
      const base = feedText(attributes?.['xml:base']);
      if (base !== undefined) feed.xml = { base };
    }
  }

  function close(element: Open, contentEnd: number): void {
    if (element.role === Role.Skip) {
      skipDepth--;
      return;
    }
    const lower = element.name.toLowerCase();
    if (element.role === Role.Container) {
      if (stack.length === 3) {
        mediaContent = null;
      } else if (stack.length === 2 && item) {
        if (itemRead === 0) decline();
        const person = authors.length > 0 ? firstPerson(authors) : undefined;
        if (person) item.authors = [person];
        authors.length = 0;
        items.push(item);
        item = null;
      } else if (stack.length === 0) {
        rootDone = true;
      }
      return;
    }
    const raw = text.slice(element.contentStart, contentEnd);
    if (item) readItemElement(item, lower, raw, element.attributes);
    else readChannelElement(lower, raw, element.attributes);
  }

  function first(key: string): boolean {
    const seen = item ? itemSeen : channelSeen;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }

  function readAttributes(element: string, attrs: Record<string, string> | null): void {
    if (!item) return;
    itemRead++;
    if (element === 'itunes:image') {
      // Without attributes feedsmith takes the element's text, which this reader does not collect.
      if (!attrs) decline();
      if (first(element)) (item.itunes ??= {}).image = feedText(attrs!['href']);
    } else if (attrs) {
      const thumbnail = { url: feedText(attrs['url']) } as Thumbnail;
      if (mediaContent) mediaContent.thumbnails = pushTo(mediaContent.thumbnails, thumbnail);
      else {
        const media = (item.media ??= {});
        media.thumbnails = pushTo(media.thumbnails, thumbnail);
      }
    }
  }

  function readItemElement(target: Item, element: string, raw: string, attrs: Record<string, string> | null): void {
    itemRead++;
    switch (element) {
      case 'title':
        if (first(element)) target.title = feedText(raw);
        break;
      case 'link':
        if (first(element)) target.link = feedText(raw);
        break;
      case 'description':
        if (first(element)) target.description = feedText(raw);
        break;
      case 'pubdate':
        if (first(element)) target.pubDate = feedText(raw);
        break;
      case 'guid':
        if (first(element)) {
          const value = feedText(raw);
          const isPermaLink = feedBoolean(attrs?.['ispermalink']);
          if (value !== undefined || isPermaLink !== undefined) target.guid = { value, isPermaLink } as Item['guid'];
        }
        break;
      case 'content:encoded':
        if (first(element)) {
          const encoded = feedText(raw);
          if (encoded !== undefined) target.content = { encoded };
        }
        break;
      case 'category': {
        const category = feedText(raw);
        if (category !== undefined) target.categories = pushTo(target.categories, { name: category });
        break;
      }
      case 'media:title':
      case 'media:description':
        if (first(element)) {
          const value = feedText(raw);
          const type = feedText(attrs?.['type']);
          if (value !== undefined || type !== undefined) (target.media ??= {})[element === 'media:title' ? 'title' : 'description'] = { value, type } as Media['title'];
        }
        break;
      case 'author':
        authors.push(raw);
        break;
      case 'itunes:author':
        if (first(element)) (target.itunes ??= {}).author = feedText(raw);
        break;
      case 'itunes:summary':
        if (first(element)) (target.itunes ??= {}).summary = feedText(raw);
        break;
      case 'atom:updated':
        if (first(element)) (target.atom ??= {}).updated = feedText(raw);
        break;
      case 'enclosure':
        if (attrs) target.enclosures = pushTo(target.enclosures, { url: feedText(attrs['url']), type: feedText(attrs['type']) } as RssFeed.Enclosure);
        break;
      default: {
        const value = feedText(raw);
        if (value === undefined) break;
        const dc = (target.dc ??= {});
        if (element === 'dc:creator') dc.creators = pushTo(dc.creators, value);
        else if (element === 'dc:subject') dc.subjects = pushTo(dc.subjects, value);
        else if (element === 'dc:date') dc.dates = pushTo(dc.dates, value);
        else if (element === 'dc:title') dc.titles = pushTo(dc.titles, value);
        else dc.descriptions = pushTo(dc.descriptions, value);
      }
    }
  }

  function readChannelElement(element: string, raw: string, attrs: Record<string, string> | null): void {
    switch (element) {
      case 'title':
        if (first(element)) feed.title = feedText(raw);
        break;
      case 'link':
        if (first(element)) feed.link = feedText(raw);
        break;
      case 'ttl':
        if (first(element)) feed.ttl = feedNumber(raw);
        break;
      case 'atom:link':
        if (attrs) {
          const atom = (feed.atom ??= {});
          atom.links = pushTo(atom.links, { href: feedText(attrs['href']) ?? feedText(raw), rel: feedText(attrs['rel']) } as NonNullable<typeof atom.links>[number]);
        }
        break;
      case 'dc:title': {
        const title = feedText(raw);
        if (title !== undefined) {
          const dc = (feed.dc ??= {});
          dc.titles = pushTo(dc.titles, title);
        }
        break;
      }
      case 'sy:updateperiod':
        if (first(element)) (feed.sy ??= {}).updatePeriod = feedText(raw);
        break;
      case 'sy:updatefrequency':
        if (first(element)) (feed.sy ??= {}).updateFrequency = feedNumber(raw);
        break;
    }
  }

  const callbacks: TokenizerCallbacks = {
    onopentagname(start, end) {
      name = text.slice(start, end);
      attributes = null;
    },
    onattribname(start, end) {
      attributeName = text.slice(start, end).toLowerCase();
      attributeValue = '';
    },
    onattribdata(start, end) {
      attributeValue += text.slice(start, end);
    },
    onattribentity() {
      decline();
    },
    onattribend(quote) {
      if (quote !== QuoteType.Double && quote !== QuoteType.Single) decline();
      attributes ??= {};
      if (attributeName in attributes) decline();
      attributes[attributeName] = attributeValue;
    },
    onopentagend(end) {
      open(end + 1);
    },
    onselfclosingtag(end) {
      open(end + 1);
      const element = stack.pop()!;
      close(element, end + 1);
    },
    onclosetag(start, end) {
      const element = stack.pop();
      if (!element || element.name !== text.slice(start, end)) decline();
      close(element!, text.lastIndexOf('</', start));
    },
    ondeclaration() {
      if (stack.length > 0) decline();
    },
    ontext() {},
    ontextentity() {},
    oncdata() {},
    oncomment() {},
    onprocessinginstruction() {},
    onend() {
      if (stack.length > 0 || !rootDone) decline();
    },
  };
  const tokenizer = new Tokenizer({ xmlMode: true, decodeEntities: false }, callbacks);
  tokenizer.write(text);
  tokenizer.end();
  if (channels === 0) decline();
  if (items.length > 0) feed.items = items;
  return feed;
}
