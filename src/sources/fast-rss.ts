// A fast reader for plain RSS 2.0, the common case: one pass of htmlparser2's tokenizer (fast-xml.ts)
// straight into the feedsmith shapes the rest of parse.ts maps, so both readers share one mapping and
// give identical results. Anything it is not sure to read as feedsmith 3 does (namespaces it does not
// know, remapped prefixes, markup inside a text element, anything not well-formed) makes it decline,
// and the caller falls back to feedsmith.
import type { RssFeed } from 'feedsmith';
import { feedBoolean, feedNumber, feedText, firstPerson } from './fast-values.js';
import { addMediaContent, addThumbnail, CHANNEL_TEXT, Decline, decline, EXTENSION_TEXT, hasValue, plainNamespaces, pushTo, readChannelText, readExtensionText, Role, walk, type Element, type ElementReader } from './fast-xml.js';

type Item = RssFeed.Item<string>;
type Feed = RssFeed.Feed<string>;
type MediaContent = ReturnType<typeof addMediaContent>;

/** Item elements this reader does not reproduce (Media RSS groups, DCMI Terms, Atom's modified). */
const ITEM_DECLINED = /^(?:media:group|atom:modified)$|^dcterms:/;
const ITEM_TEXT = new Set([
  'title', 'link', 'description', 'category', 'enclosure', 'guid', 'pubdate', 'content:encoded',
  'itunes:author', 'itunes:summary', 'atom:updated', 'atom:link', 'author', ...EXTENSION_TEXT,
]);
const CHANNEL_DECLINED = /^(?:skiphours|skipdays|dcterms:|item$)/;
const RSS_CHANNEL_TEXT = new Set([...CHANNEL_TEXT, 'ttl']);

/**
 * Reads a plain RSS 2.0 document into feedsmith's RSS shape, the fields Herald maps only; null when the
 * document is not one this reader is sure to read exactly as feedsmith 3 would (the caller then uses
 * feedsmith). Takes the prepared XML text (prepareXml); never throws.
 */
export function readPlainRss(text: string): { format: 'rss'; feed: Feed } | null {
  const renames = plainNamespaces(text);
  if (!renames) return null;
  try {
    const reader = new RssReader();
    walk(text, reader, renames);
    return { format: 'rss', feed: reader.finish() };
  } catch (error) {
    if (error instanceof Decline) return null;
    throw error;
  }
}

/** The RSS reader's state: depth 0 is `<rss>`, 1 the channel, 2 its elements and items, 3 an item's elements. */
class RssReader implements ElementReader {
  private channels = 0;
  private readonly feed: Feed = {};
  private readonly items: Item[] = [];
  private item: Item | null = null;
  private mediaContent: MediaContent | null = null;
  /** Raw `<author>` texts of the current item. */
  private readonly authors: string[] = [];
  /** Singular elements already met in the channel and in the current item (feedsmith reads the first; an empty first one hides the rest). */
  private readonly channelSeen = new Set<string>();
  private readonly itemSeen = new Set<string>();
  private readonly first = (key: string): boolean => {
    const seen = this.item ? this.itemSeen : this.channelSeen;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };

  enter({ lower, attributes }: Element, depth: number): Role {
    if (depth === 0) {
      if (lower !== 'rss' || (attributes && 'xmlns' in attributes)) decline();
      const base = feedText(attributes?.['xml:base']);
      if (base !== undefined) this.feed.xml = { base };
      return Role.Container;
    }
    if (depth === 1) {
      if (lower === 'item') decline();
      if (lower !== 'channel') return Role.Skip;
      if (++this.channels > 1) decline();
      return Role.Container;
    }
    if (depth === 2) {
      if (lower === 'item') {
        this.item = {};
        this.itemSeen.clear();
        const base = feedText(attributes?.['xml:base']);
        if (base !== undefined) this.item.xml = { base };
        return Role.Container;
      }
      if (CHANNEL_DECLINED.test(lower)) decline();
      return RSS_CHANNEL_TEXT.has(lower) ? Role.Text : Role.Skip;
    }
    const item = this.item;
    if (depth === 3 && item) {
      if (ITEM_DECLINED.test(lower)) decline();
      if (lower === 'media:content') {
        this.mediaContent = addMediaContent(item, attributes);
        return Role.Container;
      }
      if (lower === 'media:thumbnail') {
        addThumbnail(item, null, attributes);
        return Role.Attributes;
      }
      if (lower === 'itunes:image') {
        // Without attributes feedsmith takes the element's text, which this reader does not collect.
        if (!attributes) decline();
        if (this.first(lower)) (item.itunes ??= {}).image = feedText(attributes!['href']);
        return Role.Attributes;
      }
      return ITEM_TEXT.has(lower) ? Role.Text : Role.Skip;
    }
    if (depth === 4 && item && this.mediaContent && lower === 'media:thumbnail') {
      addThumbnail(item, this.mediaContent, attributes);
      return Role.Attributes;
    }
    return Role.Skip;
  }

  leave(_element: Element, depth: number): void {
    if (depth === 3) {
      this.mediaContent = null;
    } else if (depth === 2 && this.item) {
      const item = this.item;
      const person = this.authors.length > 0 ? firstPerson(this.authors) : undefined;
      if (person) item.authors = [person];
      this.authors.length = 0;
      // An item with nothing this reader reads is left to feedsmith (it keeps or drops it by what else the item has).
      if (!hasValue(item)) decline();
      this.items.push(item);
      this.item = null;
    }
  }

  text({ lower, attributes }: Element, raw: string): void {
    if (this.item) this.readItemElement(this.item, lower, raw, attributes);
    else if (lower !== 'ttl') readChannelText(this.feed, lower, raw, attributes, this.first);
    else if (this.first(lower)) this.feed.ttl = feedNumber(raw);
  }

  finish(): Feed {
    if (this.channels === 0) decline();
    if (this.items.length > 0) this.feed.items = this.items;
    return this.feed;
  }

  private readItemElement(target: Item, element: string, raw: string, attrs: Record<string, string> | null): void {
    const first = this.first;
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
      case 'author':
        this.authors.push(raw);
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
      case 'atom:link':
        if (attrs) {
          const atom = (target.atom ??= {});
          atom.links = pushTo(atom.links, { href: feedText(attrs['href']) ?? feedText(raw), rel: feedText(attrs['rel']) } as NonNullable<typeof atom.links>[number]);
        }
        break;
      case 'enclosure':
        if (attrs) target.enclosures = pushTo(target.enclosures, { url: feedText(attrs['url']), type: feedText(attrs['type']) } as RssFeed.Enclosure);
        break;
      default:
        readExtensionText(target, element, raw, attrs, first);
    }
  }
}
