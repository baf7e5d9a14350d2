// A fast reader for plain Atom 1.0 (RFC 4287), beside fast-rss.ts: one pass of htmlparser2's
// tokenizer (fast-xml.ts) into the feedsmith shapes parse.ts maps, the fields Herald reads only, so
// both readers share one mapping and give identical results. It declines (the caller then uses
// feedsmith) what it is not sure to read as feedsmith 3 does: XHTML text constructs (feedsmith unwraps
// their div), Atom 0.3 dates, prefixed Atom elements, DCMI Terms, Media RSS groups, a root element
// in another namespace, anything not well-formed.
import type { AtomFeed } from 'feedsmith';
import { feedText } from './fast-values.js';
import { addMediaContent, addThumbnail, Decline, decline, EXTENSION_TEXT, hasValue, plainNamespaces, pushTo, readExtensionText, Role, walk, type Element, type ElementReader } from './fast-xml.js';

type Feed = AtomFeed.Feed<string>;
type Entry = AtomFeed.Entry<string>;
type Text = AtomFeed.Text;
type Link = AtomFeed.Link<string>;
type Person = AtomFeed.Person;
type MediaContent = ReturnType<typeof addMediaContent>;

/** The Atom 1.0 namespace as feedsmith lists it, lower-cased, without scheme or trailing slash. */
const ATOM_NAMESPACE = 'www.w3.org/2005/atom';

/** Entry elements this reader does not reproduce: Atom 0.3 dates (feedsmith falls back to them), DCMI Terms, Media RSS groups. */
const ENTRY_DECLINED = /^(?:issued|created|modified|media:group)$|^dcterms:|^atom:/;
const ENTRY_TEXT = new Set(['id', 'title', 'summary', 'content', 'published', 'updated', 'link', 'category', ...EXTENSION_TEXT]);
const FEED_DECLINED = /^dcterms:|^atom:/;
const PERSON_TEXT = new Set(['name', 'uri', 'url', 'email']);

/**
 * Reads a plain Atom 1.0 document into feedsmith's Atom shape, the fields Herald maps only; null when
 * the document is not one this reader is sure to read exactly as feedsmith 3 would (the caller then
 * uses feedsmith). Takes the prepared XML text (prepareXml); never throws.
 */
export function readPlainAtom(text: string): { format: 'atom'; feed: Feed } | null {
  const renames = plainNamespaces(text);
  if (!renames) return null;
  try {
    const reader = new AtomReader();
    // In Atom feedsmith reads Atom as the primary namespace: its prefixes are renamed to nothing.
    walk(text, reader, new Map([...renames.keys()].map((prefix) => [prefix, ''])));
    return { format: 'atom', feed: reader.finish() };
  } catch (error) {
    if (error instanceof Decline) return null;
    throw error;
  }
}

/** An XHTML text construct (RFC 4287 §3.1.1.3): feedsmith unwraps its div, which this reader does not. */
function isXhtml(type: string | undefined): boolean {
  return type !== undefined && type.toLowerCase().includes('xhtml');
}

/**
 * An Atom text construct (title, summary, content) as feedsmith reads it: value, type and xml:base;
 * undefined without a value (feedsmith may keep a valueless content for its type, which no mapping reads).
 */
function textConstruct(raw: string, attributes: Record<string, string> | null): Text | undefined {
  if (isXhtml(attributes?.['type'])) decline();
  const value = feedText(raw);
  if (value === undefined) return undefined;
  if (!attributes) return { value };
  const base = feedText(attributes['xml:base']);
  return { value, type: feedText(attributes['type']), xml: base === undefined ? undefined : { base } } as Text;
}

/**
 * An Atom link as feedsmith reads it: only a link with attributes counts, its href from the attribute
 * or else its text. One whose href, rel and type all come out empty may still be kept by feedsmith
 * (for its other attributes), and is left to it.
 */
function linkOf(raw: string, attributes: Record<string, string> | null): Link | undefined {
  if (!attributes) return undefined;
  const link = { href: feedText(attributes['href']) ?? feedText(raw), rel: feedText(attributes['rel']), type: feedText(attributes['type']) } as Link;
  if (link.href === undefined && link.rel === undefined && link.type === undefined) decline();
  return link;
}

/** The Atom reader's state: depth 0 is `<feed>`, 1 its elements and entries, 2 an entry's elements, 3 an author's or a media:content's. */
class AtomReader implements ElementReader {
  private readonly feed: Feed = {};
  private readonly entries: Entry[] = [];
  private entry: Entry | null = null;
  private person: Person | null = null;
  private mediaContent: MediaContent | null = null;
  private readonly feedSeen = new Set<string>();
  private readonly entrySeen = new Set<string>();
  private readonly personSeen = new Set<string>();
  private readonly first = (key: string): boolean => {
    const seen = this.person ? this.personSeen : this.entry ? this.entrySeen : this.feedSeen;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };

  enter({ lower, attributes }: Element, depth: number): Role {
    if (depth === 0) {
      const namespace = (attributes?.['xmlns'] ?? '').trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/$/, '');
      if (lower !== 'feed' || namespace !== ATOM_NAMESPACE) decline();
      const base = feedText(attributes!['xml:base']);
      if (base !== undefined) this.feed.xml = { base };
      return Role.Container;
    }
    if (depth === 1) {
      if (lower === 'entry') {
        this.entry = {};
        this.entrySeen.clear();
        const base = feedText(attributes?.['xml:base']);
        if (base !== undefined) this.entry.xml = { base };
        return Role.Container;
      }
      if (FEED_DECLINED.test(lower)) decline();
      return lower === 'title' || lower === 'link' || lower === 'dc:title' ? Role.Text : Role.Skip;
    }
    const entry = this.entry;
    if (depth === 2 && entry) {
      if (ENTRY_DECLINED.test(lower)) decline();
      if (lower === 'author') {
        this.person = {};
        this.personSeen.clear();
        return Role.Container;
      }
      if (lower === 'media:content') {
        this.mediaContent = addMediaContent(entry, attributes);
        return Role.Container;
      }
      if (lower === 'media:thumbnail') {
        addThumbnail(entry, null, attributes);
        return Role.Attributes;
      }
      return ENTRY_TEXT.has(lower) ? Role.Text : Role.Skip;
    }
    if (depth === 3 && this.person) return PERSON_TEXT.has(lower) ? Role.Text : Role.Skip;
    if (depth === 3 && entry && this.mediaContent && lower === 'media:thumbnail') {
      addThumbnail(entry, this.mediaContent, attributes);
      return Role.Attributes;
    }
    return Role.Skip;
  }

  leave(_element: Element, depth: number): void {
    if (depth === 2 && this.person && this.entry) {
      const { name, uri, url, email } = this.person as Person & { url?: string };
      // feedsmith keeps a person with a name, an address (uri, or else url) or an email.
      const person = { name, uri: uri ?? url, email } as Person;
      if (hasValue(person)) this.entry.authors = pushTo(this.entry.authors, person);
      this.person = null;
    } else if (depth === 2) {
      this.mediaContent = null;
    } else if (depth === 1 && this.entry) {
      // An entry with nothing this reader reads is left to feedsmith (it keeps or drops it by what else the entry has).
      if (!hasValue(this.entry)) decline();
      this.entries.push(this.entry);
      this.entry = null;
    }
  }

  text({ lower, attributes }: Element, raw: string): void {
    if (this.person) {
      if (this.first(lower)) (this.person as Record<string, string | undefined>)[lower] = feedText(raw);
    } else if (this.entry) {
      this.readEntryElement(this.entry, lower, raw, attributes);
    } else {
      this.readFeedElement(lower, raw, attributes);
    }
  }

  finish(): Feed {
    if (this.entries.length > 0) this.feed.entries = this.entries;
    return this.feed;
  }

  private readEntryElement(target: Entry, element: string, raw: string, attrs: Record<string, string> | null): void {
    const first = this.first;
    switch (element) {
      case 'id':
        if (first(element)) target.id = feedText(raw);
        break;
      case 'title':
      case 'summary':
      case 'content':
        if (first(element)) target[element] = textConstruct(raw, attrs);
        break;
      case 'published':
        if (first(element)) target.published = feedText(raw);
        break;
      case 'updated':
        if (first(element)) target.updated = feedText(raw);
        break;
      case 'link':
        target.links = pushTo(target.links, linkOf(raw, attrs));
        break;
      case 'category':
        if (attrs) target.categories = pushTo(target.categories, { term: feedText(attrs['term']), label: feedText(attrs['label']), scheme: feedText(attrs['scheme']) });
        break;
      default:
        readExtensionText(target, element, raw, attrs, first);
    }
  }

  private readFeedElement(element: string, raw: string, attrs: Record<string, string> | null): void {
    const feed = this.feed;
    if (element === 'title') {
      if (this.first(element)) feed.title = textConstruct(raw, attrs);
    } else if (element === 'link') {
      feed.links = pushTo(feed.links, linkOf(raw, attrs));
    } else {
      const title = feedText(raw);
      if (title !== undefined) {
        const dc = (feed.dc ??= {});
        dc.titles = pushTo(dc.titles, title);
      }
    }
  }
}
