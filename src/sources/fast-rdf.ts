// A fast reader for plain RSS 1.0 (RDF Site Summary), beside fast-rss.ts and fast-atom.ts: one pass of
// htmlparser2's tokenizer (fast-xml.ts) into the feedsmith shape parse.ts maps, the fields Herald reads
// only. It declines (the caller then uses feedsmith) what it is not sure to read as feedsmith 3 does:
// items listed in the channel's table of contents in another order or set than they stand in the
// document (feedsmith follows the table), Media RSS groups, a default namespace other
// than RSS 1.0's, more than one channel, anything not well-formed.
import type { RdfFeed } from 'feedsmith';
import { feedText } from './fast-values.js';
import { addMediaContent, addThumbnail, CHANNEL_TEXT, Decline, decline, EXTENSION_TEXT, hasValue, plainNamespaces, readChannelText, readExtensionText, Role, walk, type Element, type ElementReader } from './fast-xml.js';

type Feed = RdfFeed.Feed<string>;
type Item = RdfFeed.Item<string>;
type MediaContent = ReturnType<typeof addMediaContent>;

/** RSS 1.0's namespace as a default namespace feedsmith reads as its own (lower-cased, trimmed). */
const RSS1_DEFAULT = /^https?:\/\/(?:purl\.org\/rss\/1\.0|channel\.netscape\.com\/rdf\/simple\/0\.9)\/?$/;
const ITEM_DECLINED = /^media:group$/;
const ITEM_TEXT = new Set(['title', 'link', 'description', 'content:encoded', ...EXTENSION_TEXT]);
const RDF_CHANNEL_TEXT = new Set([...CHANNEL_TEXT, 'dcterms:title']);

/**
 * Reads a plain RSS 1.0 document into feedsmith's RDF shape, the fields Herald maps only; null when the
 * document is not one this reader is sure to read exactly as feedsmith 3 would (the caller then uses
 * feedsmith). Takes the prepared XML text (prepareXml); never throws.
 */
export function readPlainRdf(text: string): { format: 'rdf'; feed: Feed } | null {
  const renames = plainNamespaces(text, true);
  if (!renames) return null;
  try {
    const reader = new RdfReader();
    walk(text, reader, renames);
    return { format: 'rdf', feed: reader.finish() };
  } catch (error) {
    if (error instanceof Decline) return null;
    throw error;
  }
}

/** The RDF reader's state: depth 0 is `<rdf:RDF>`, 1 the channel and the items, 2 their elements, 3–4 the table of contents' Seq and li. */
class RdfReader implements ElementReader {
  private channels = 0;
  private inChannel = false;
  private tables = 0;
  private sequences = 0;
  private readonly feed: Feed = {};
  private readonly items: Item[] = [];
  /** Each item's `rdf:about` as written, in document order. */
  private readonly abouts: Array<string | undefined> = [];
  /** The resources of the channel's table of contents (`<items><rdf:Seq><rdf:li rdf:resource>`). */
  private readonly contents: string[] = [];
  private item: Item | null = null;
  private mediaContent: MediaContent | null = null;
  private readonly channelSeen = new Set<string>();
  private readonly itemSeen = new Set<string>();
  private readonly first = (key: string): boolean => {
    const seen = this.item ? this.itemSeen : this.channelSeen;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };

  enter({ lower, attributes }: Element, depth: number): Role {
    // feedsmith reads `about` and `rdf:about` alike, and `resource` and `rdf:resource`: an item's (or the
    // channel's) `about` or a `resource` in the channel's table of contents written without its prefix is
    // left to it. Elsewhere (craigslist's `<enc:enclosure resource>`) it reads neither for what Herald maps.
    if (attributes && ((depth === 1 && 'about' in attributes) || (this.inChannel && 'resource' in attributes) || (depth > 0 && 'xmlns' in attributes))) decline();
    if (depth === 0) {
      const namespace = attributes?.['xmlns'];
      if (lower !== 'rdf' || (namespace !== undefined && !RSS1_DEFAULT.test(namespace.trim().toLowerCase()))) decline();
      return Role.Container;
    }
    if (depth === 1) {
      if (lower === 'channel') {
        if (++this.channels > 1) decline();
        this.inChannel = true;
        return Role.Container;
      }
      if (lower !== 'item') return Role.Skip;
      this.item = {};
      this.itemSeen.clear();
      const about = attributes?.['rdf:about'];
      this.abouts.push(about);
      const value = feedText(about);
      if (value !== undefined) this.item.rdf = { about: value };
      return Role.Container;
    }
    if (this.inChannel) return this.enterChannel(lower, attributes, depth);
    const item = this.item;
    if (depth === 2 && item) {
      if (ITEM_DECLINED.test(lower)) decline();
      if (lower === 'media:content') {
        this.mediaContent = addMediaContent(item, attributes);
        return Role.Container;
      }
      if (lower === 'media:thumbnail') {
        addThumbnail(item, null, attributes);
        return Role.Attributes;
      }
      return ITEM_TEXT.has(lower) ? Role.Text : Role.Skip;
    }
    if (depth === 3 && item && this.mediaContent && lower === 'media:thumbnail') {
      addThumbnail(item, this.mediaContent, attributes);
      return Role.Attributes;
    }
    return Role.Skip;
  }

  private enterChannel(lower: string, attributes: Record<string, string> | null, depth: number): Role {
    if (depth === 2) {
      if (lower === 'items') {
        // feedsmith reads the first table of contents only.
        return ++this.tables === 1 ? Role.Container : Role.Skip;
      }
      return RDF_CHANNEL_TEXT.has(lower) ? Role.Text : Role.Skip;
    }
    if (depth === 3) {
      if (lower !== 'seq') return Role.Skip;
      // feedsmith reads the first Seq only.
      if (++this.sequences > 1) decline();
      return Role.Container;
    }
    if (depth === 4 && lower === 'li') {
      const resource = feedText(attributes?.['rdf:resource']);
      if (resource === undefined) decline();
      this.contents.push(resource!);
      return Role.Attributes;
    }
    return Role.Skip;
  }

  leave(_element: Element, depth: number): void {
    if (depth === 1) {
      if (this.inChannel) {
        this.inChannel = false;
        return;
      }
      // An item with nothing this reader reads is left to feedsmith (it keeps or drops it by what else the item has).
      if (!this.item || !hasValue(this.item)) decline();
      this.items.push(this.item!);
      this.item = null;
    } else if (depth === 2) {
      this.mediaContent = null;
    }
  }

  text({ lower, attributes }: Element, raw: string): void {
    if (this.item) this.readItemElement(this.item, lower, raw, attributes);
    else if (this.inChannel) readChannelText(this.feed, lower, raw, attributes, this.first);
  }

  finish(): Feed {
    if (this.channels === 0) decline();
    // feedsmith takes the items the table of contents lists, in its order, matched by `rdf:about`: this
    // reader reads only documents where that is every item in document order (or there is no table).
    if (this.contents.length > 0) {
      if (this.contents.length !== this.abouts.length || new Set(this.abouts).size !== this.abouts.length) decline();
      this.contents.forEach((resource, index) => {
        if (this.abouts[index] !== resource) decline();
      });
    }
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
      case 'content:encoded':
        if (first(element)) {
          const encoded = feedText(raw);
          if (encoded !== undefined) target.content = { encoded };
        }
        break;
      default:
        readExtensionText(target, element, raw, attrs, first);
    }
  }
}
