// What Herald's fast feed readers (fast-rss.ts for RSS 2.0, fast-atom.ts for Atom 1.0, fast-rdf.ts for RSS 1.0) share: one
// pass of htmlparser2's tokenizer (XML mode) over the document, each element given a role by the
// reader; the namespace declarations they accept; and the Dublin Core and Media RSS elements of an
// item or entry, read into feedsmith 3's shapes. A reader that meets anything it is not sure to read
// as feedsmith does declines (throws Decline), and the caller falls back to feedsmith.
import type { RssFeed } from 'feedsmith';
import { QuoteType, Tokenizer, type TokenizerCallbacks } from 'htmlparser2';
import { feedNumber, feedText } from './fast-values.js';

/** Thrown by a reader that leaves the document to feedsmith. */
export class Decline extends Error {}

export function decline(): never {
  throw new Decline();
}

/** What a reader does with an element, by where it stands. */
export const enum Role {
  /** Not read by Herald: its whole subtree is passed over. */
  Skip,
  /** A text element: feedsmith reads its raw content, markup and all, up to its end tag. */
  Text,
  /** An element whose children are read (the root, a channel, an item or entry, media:content, an author). */
  Container,
  /** An element read from its attributes alone (in `enter`); its subtree is passed over. */
  Attributes,
}

/** An element as written: its name, its lower-case name (feedsmith lower-cases names) and its attributes (names lower-cased). */
export interface Element {
  name: string;
  lower: string;
  attributes: Record<string, string> | null;
}

/** A fast reader, called by `walk` for each element outside skipped subtrees and text elements. */
export interface ElementReader {
  /** The role of an element opened at `depth` (0 for the root); reads an Attributes element; may decline. */
  enter(element: Element, depth: number): Role;
  /** A Container opened at `depth` ends. */
  leave(element: Element, depth: number): void;
  /** A Text element opened at `depth` ends; `raw` is its content as written. */
  text(element: Element, raw: string, depth: number): void;
}

interface Open extends Element {
  role: Role;
  /** Where its content starts (after the open tag's `>`). */
  contentStart: number;
}

/**
 * Walks a well-formed XML document (the prepared text of parse.ts) through `reader`, its line ends
 * normalised, element names lower-cased and those with a prefix in `renames` renamed to its value + local name (`atom:`,
 * `sy:`, or nothing for a primary namespace), as feedsmith renames them. Throws Decline when the document is not one the readers are sure of: not well-formed
 * (unmatched or unclosed tags), an unquoted or repeated attribute, a DOCTYPE after the root opened,
 * more than one root element.
 */
export function walk(document: string, reader: ElementReader, renames: ReadonlyMap<string, string>): void {
  // Line ends as XML reads them (XML 1.0 §2.11), and as feedsmith's parser gives them: CR LF and lone CR become LF.
  const text = document.includes('\r') ? document.replace(/\r\n?/g, '\n') : document;
  const stack: Open[] = [];
  let skipDepth = 0;
  let rootDone = false;
  let name = '';
  let attributes: Record<string, string> | null = null;
  let attributeName = '';
  let attributeValue = '';
  /** Whether the element being opened may be read: not inside a skipped subtree or a text element (whose attributes nobody reads). */
  let readable = true;

  function lowerOf(element: string): string {
    const lower = element.toLowerCase();
    if (renames.size === 0) return lower;
    const colon = lower.indexOf(':');
    const renamed = colon > 0 ? renames.get(lower.slice(0, colon)) : undefined;
    return renamed === undefined ? lower : renamed + lower.slice(colon + 1);
  }

  function open(contentStart: number): void {
    if (skipDepth > 0) {
      stack.push({ name, lower: '', attributes: null, role: Role.Skip, contentStart });
      skipDepth++;
      return;
    }
    const depth = stack.length;
    if (depth === 0 && rootDone) decline();
    const element: Open = { name, lower: lowerOf(name), attributes, role: Role.Skip, contentStart };
    // Markup inside a text element is part of its raw text (feedsmith reads text elements whole); it only has to nest.
    const role = stack[depth - 1]?.role === Role.Text ? Role.Skip : reader.enter(element, depth);
    element.role = role === Role.Attributes ? Role.Skip : role;
    stack.push(element);
    if (element.role === Role.Skip) skipDepth = 1;
  }

  function close(element: Open, contentEnd: number): void {
    const depth = stack.length;
    if (element.role === Role.Skip) {
      skipDepth--;
    } else if (element.role === Role.Container) {
      reader.leave(element, depth);
      if (depth === 0) rootDone = true;
    } else {
      reader.text(element, text.slice(element.contentStart, contentEnd), depth);
    }
  }

  const callbacks: TokenizerCallbacks = {
    onopentagname(start, end) {
      name = text.slice(start, end);
      attributes = null;
      readable = skipDepth === 0 && stack[stack.length - 1]?.role !== Role.Text;
    },
    onattribname(start, end) {
      if (!readable) return;
      attributeName = text.slice(start, end).toLowerCase();
      attributeValue = '';
    },
    onattribdata(start, end) {
      if (readable) attributeValue += text.slice(start, end);
    },
    onattribentity() {
      decline();
    },
    onattribend(quote) {
      if (quote !== QuoteType.Double && quote !== QuoteType.Single) decline();
      if (!readable) return;
      attributes ??= {};
      if (attributeName in attributes) decline();
      attributes[attributeName] = attributeValue;
    },
    onopentagend(end) {
      open(end + 1);
    },
    onselfclosingtag(end) {
      open(end + 1);
      close(stack.pop()!, end + 1);
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
}

/** Namespace URIs (feedsmith 3's lists) of the prefixed elements the readers read. */
const NAMESPACES: Record<string, string[]> = {
  dc: ['purl.org/dc/elements/1.1', 'dublincore.org/documents/dcmi-namespace', 'purl.org/dc/elements/1.0'],
  content: ['purl.org/rss/1.0/modules/content'],
  sy: ['purl.org/rss/1.0/modules/syndication'],
  media: ['search.yahoo.com/mrss', 'video.search.yahoo.com/mrss', 'www.rssboard.org/media-rss', 'search.yahoo.com/searchmonkey/media', 'tools.search.yahoo.com/mrss'],
  itunes: ['www.itunes.com/dtds/podcast-1.0.dtd'],
  dcterms: ['purl.org/dc/terms', 'dublincore.org/documents/dcmi-terms', 'dublincore.org/specifications/dublin-core/dcmi-terms'],
};

/**
 * URIs feedsmith maps to a namespace Herald reads (Dublin Core and its terms, content, Atom, Media RSS,
 * iTunes, syndication): declared under another prefix, feedsmith renames that prefix, so a document
 * doing so is left to feedsmith.
 */
const READ_NAMESPACE_URI = /^https?:\/\/(?:purl\.org\/(?:dc\/|rss\/1\.0\/modules\/(?:content|syndication)|atom\/)|dublincore\.org\/|www\.w3\.org\/2005\/atom|(?:video\.|tools\.)?search\.yahoo\.com\/(?:mrss|searchmonkey\/media)|www\.rssboard\.org\/media-rss|www\.itunes\.com\/dtds\/)/;

const NAMESPACE_DECLARATION = /xmlns:([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ATOM_URI = /^https?:\/\/(?:www\.w3\.org\/2005\/atom\/?|purl\.org\/atom\/ns#)$/;
/** Characters at the start of a document in which feedsmith looks for namespace declarations before it parses. */
const SEED_SCAN_CHARS = 65_536;

const RDF_URI = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
/** RSS 1.0's own namespace (feedsmith's list, and the Netscape RSS 0.9 one it accepts), lower-cased without scheme or trailing slash. */
const RSS1_URI = /^https?:\/\/(?:purl\.org\/rss\/1\.0|channel\.netscape\.com\/rdf\/simple\/0\.9)\/?$/;

/**
 * Whether every `xmlns:` declaration in the text (feedsmith looks at them textually, so this does too)
 * leaves the prefixes the readers read as they are: a prefix they read (dc, content, atom, sy, media,
 * itunes) bound to that namespace, and no namespace Herald reads bound to another prefix, except Atom
 * (FeedBurner's `atom10:link`). Returns the prefixes feedsmith renames, each with what it renames
 * them to (`atom:`); null when the document is to be left to feedsmith, also when such a prefix is first declared
 * past the start feedsmith scans (it would rename it only from there on). With `rdf` (RSS 1.0), `rdf`
 * bound to the RDF namespace is renamed to nothing (feedsmith reads RDF as a primary namespace), and a
 * namespace the readers read under another prefix (RSS 1.0's customary `syn:`) is renamed to its name.
 */
export function plainNamespaces(text: string, rdf = false): Map<string, string> | null {
  const renames = new Map<string, string>();
  if (!text.includes('xmlns:')) return renames;
  const others = new Set<string>();
  // Feeds repeat the same declarations on many elements (4,400 in one podcast feed): each is read once.
  const seen = new Set<string>();
  const rename = (prefix: string, name: string, index: number): boolean => {
    if (others.has(prefix) || (renames.has(prefix) ? renames.get(prefix) !== name : index > SEED_SCAN_CHARS)) return false;
    renames.set(prefix, name);
    return true;
  };
  for (const match of text.matchAll(NAMESPACE_DECLARATION)) {
    if (seen.has(match[0])) continue;
    seen.add(match[0]);
    const prefix = match[1]!.toLowerCase();
    const uri = (match[2] ?? match[3] ?? '').trim().toLowerCase();
    const end = match.index + match[0].length;
    if (ATOM_URI.test(uri)) {
      if (!rename(prefix, 'atom:', end)) return null;
      continue;
    }
    if (rdf && (uri === RDF_URI || RSS1_URI.test(uri))) {
      // Only the customary `rdf:` prefix, renamed to nothing as feedsmith does; RSS 1.0 elements are read unprefixed.
      if (prefix !== 'rdf' || uri !== RDF_URI || !rename(prefix, '', end)) return null;
      continue;
    }
    if (renames.has(prefix) || prefix === 'atom' || (rdf && prefix === 'rdf')) return null;
    const own = NAMESPACES[prefix];
    const bare = uri.replace(/^https?:\/\//, '').replace(/\/$/, '');
    if (own) {
      if (!own.includes(bare)) return null;
    } else if (READ_NAMESPACE_URI.test(uri)) {
      const name = rdf ? Object.keys(NAMESPACES).find((key) => NAMESPACES[key]!.includes(bare)) : undefined;
      if (name === undefined || !rename(prefix, `${name}:`, end)) return null;
      continue;
    }
    others.add(prefix);
  }
  return renames;
}

export function pushTo<T>(list: T[] | undefined, value: T | undefined): T[] | undefined {
  if (value === undefined) return list;
  if (list) list.push(value);
  else return [value];
  return list;
}

/**
 * Whether a value read holds anything: feedsmith leaves out (trimObject, trimArray) every field, object
 * and list that ends up empty, and an item or entry with nothing in it.
 */
export function hasValue(value: unknown): boolean {
  if (value === undefined) return false;
  if (Array.isArray(value)) return value.some(hasValue);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(hasValue);
  return true;
}

type Media = NonNullable<RssFeed.Item<string>['media']>;
type MediaContent = NonNullable<Media['contents']>[number];
type Thumbnail = NonNullable<Media['thumbnails']>[number];

/** The Dublin Core, DCMI Terms and Media RSS parts of an item or entry (feedsmith gives every format these shapes). */
export type Extended = Pick<RssFeed.Item<string>, 'dc' | 'dcterms' | 'media'>;

type DcTerms = NonNullable<Extended['dcterms']>;

/** The DCMI Terms elements Herald maps (parse.ts: title, description and date fallbacks), each with feedsmith's list for it; the others are passed over. */
const DCTERMS_LISTS: Record<string, 'titles' | 'descriptions' | 'dates' | 'issued' | 'created' | 'modified'> = {
  'dcterms:title': 'titles',
  'dcterms:description': 'descriptions',
  'dcterms:date': 'dates',
  'dcterms:issued': 'issued',
  'dcterms:created': 'created',
  'dcterms:modified': 'modified',
};

/** Dublin Core, DCMI Terms (those Herald maps) and Media RSS text elements of an item or entry. */
export const EXTENSION_TEXT = new Set(['dc:creator', 'dc:subject', 'dc:date', 'dc:title', 'dc:description', 'media:title', 'media:description', ...Object.keys(DCTERMS_LISTS)]);

/** Appends a DCMI Terms element's value to its list in `target.dcterms` (feedsmith reads every one of them as a list). */
function readDcTerms(target: { dcterms?: DcTerms }, element: string, value: string): void {
  const dcterms = (target.dcterms ??= {});
  const key = DCTERMS_LISTS[element]!;
  dcterms[key] = pushTo(dcterms[key], value);
}

/**
 * Reads a Dublin Core, DCMI Terms or Media RSS text element (one of EXTENSION_TEXT) of `target`, as feedsmith does:
 * dc: and dcterms: elements repeat, media:title and media:description count once (`first` says whether this is the first).
 */
export function readExtensionText(target: Extended, element: string, raw: string, attributes: Record<string, string> | null, first: (key: string) => boolean): void {
  if (element === 'media:title' || element === 'media:description') {
    if (!first(element)) return;
    const value = feedText(raw);
    const type = feedText(attributes?.['type']);
    if (value !== undefined || type !== undefined) (target.media ??= {})[element === 'media:title' ? 'title' : 'description'] = { value, type } as Media['title'];
    return;
  }
  const value = feedText(raw);
  if (value === undefined) return;
  if (element.startsWith('dcterms:')) return readDcTerms(target, element, value);
  const dc = (target.dc ??= {});
  if (element === 'dc:creator') dc.creators = pushTo(dc.creators, value);
  else if (element === 'dc:subject') dc.subjects = pushTo(dc.subjects, value);
  else if (element === 'dc:date') dc.dates = pushTo(dc.dates, value);
  else if (element === 'dc:title') dc.titles = pushTo(dc.titles, value);
  else dc.descriptions = pushTo(dc.descriptions, value);
}

/** The channel of RSS 2.0 and of RSS 1.0 as both RSS readers read it (feedsmith gives both these shapes). */
export type Channel = Pick<RssFeed.Feed<string>, 'title' | 'link' | 'atom' | 'dc' | 'dcterms' | 'sy'>;

/** Channel text elements both RSS readers read (RSS 2.0 adds `ttl`; RSS 1.0 `dcterms:title`). */
export const CHANNEL_TEXT = ['title', 'link', 'atom:link', 'dc:title', 'sy:updateperiod', 'sy:updatefrequency'];

/**
 * Reads a channel text element of `feed` (one of CHANNEL_TEXT, or `dcterms:title`) as feedsmith does:
 * title, link and the syndication hints count once (`first` says whether this is the first), Atom links
 * and Dublin Core titles repeat. Other elements are passed over.
 */
export function readChannelText(feed: Channel, element: string, raw: string, attributes: Record<string, string> | null, first: (key: string) => boolean): void {
  switch (element) {
    case 'title':
      if (first(element)) feed.title = feedText(raw);
      break;
    case 'link':
      if (first(element)) feed.link = feedText(raw);
      break;
    case 'atom:link':
      if (attributes) {
        const atom = (feed.atom ??= {});
        atom.links = pushTo(atom.links, { href: feedText(attributes['href']) ?? feedText(raw), rel: feedText(attributes['rel']) } as NonNullable<typeof atom.links>[number]);
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
    case 'dcterms:title': {
      const title = feedText(raw);
      if (title !== undefined) readDcTerms(feed, element, title);
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

/** A `media:content` of `target`, from its attributes (its thumbnails are added as they come). */
export function addMediaContent(target: Extended, attributes: Record<string, string> | null): MediaContent {
  // feedsmith reads media:content from its attributes and its thumbnails; one with neither is left out, as Herald would ignore it.
  const content = attributes
    ? ({ url: feedText(attributes['url']), type: feedText(attributes['type']), medium: feedText(attributes['medium']), width: feedNumber(attributes['width']) } as MediaContent)
    : ({} as MediaContent);
  const media = (target.media ??= {});
  media.contents = pushTo(media.contents, content);
  return content;
}

/** A `media:thumbnail` of `target`, or of the `media:content` it stands in. */
export function addThumbnail(target: Extended, content: MediaContent | null, attributes: Record<string, string> | null): void {
  if (!attributes) return;
  const thumbnail = { url: feedText(attributes['url']) } as Thumbnail;
  if (content) content.thumbnails = pushTo(content.thumbnails, thumbnail);
  else {
    const media = (target.media ??= {});
    media.thumbnails = pushTo(media.thumbnails, thumbnail);
  }
}
