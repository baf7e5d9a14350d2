import { parseDateLoose } from './dates.js';

/**
 * Text-level repairs made to an XML feed before the XML parser sees it, for what the parser would
 * otherwise lose: entities declared in a DOCTYPE, Atom 0.3 base64 content, and repeated date elements.
 * Each step looks for its trigger first, so a feed without one pays a single short scan.
 */
export function prepareXml(text: string): string {
  return firstValidDates(resolveLinkBases(decodeBase64Elements(expandDoctype(text))));
}

/** Most characters one declared entity may expand to; larger (or nested-to-larger) ones stay unexpanded. */
const MAX_ENTITY_CHARS = 1_024;
/** Most characters all entity expansions together may add to one document (the "billion laughs" guard). */
const MAX_EXPANSION_CHARS = 1_000_000;
const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

const DOCTYPE = /<!DOCTYPE\s[^[>]*(?:\[([\s\S]*?)\]\s*)?>/i;
const ENTITY_DECLARATION = /<!ENTITY\s+([^\s%"'<>]+)\s+(?:"([^"]*)"|'([^']*)')\s*>/g;
const ENTITY_REFERENCE = /&([A-Za-z_][\w.-]*);/g;

/**
 * Removes the DOCTYPE (XML 1.0 §2.8) and expands the internal general entities it declares (§4.2,
 * `<!ENTITY name "text">`), the way a validating reader would, within MAX_ENTITY_CHARS per entity and
 * MAX_EXPANSION_CHARS per document. External and parameter entities are never fetched or expanded.
 * A reference to a declared entity that is refused (too large, nested too large, or past the document's
 * budget) is removed: its text is not to be had, and the bare `&name;` would reach readers as if it were
 * the value; a prefix cut at the bound would be just as meaningless. References to names the DOCTYPE
 * does not declare stay, for the HTML decoding of the value (`&nbsp;` in an RSS title).
 */
export function expandDoctype(text: string): string {
  const root = text.search(/<[A-Za-z_]/);
  const prolog = root < 0 ? text : text.slice(0, root);
  const doctype = DOCTYPE.exec(prolog);
  if (!doctype) return text;
  const body = text.slice(doctype.index + doctype[0].length);
  const head = text.slice(0, doctype.index);
  const { entities, refused } = declaredEntities(doctype[1] ?? '');
  if (entities.size === 0 && refused.size === 0) return head + body;
  let budget = MAX_EXPANSION_CHARS;
  return (
    head +
    body.replace(ENTITY_REFERENCE, (whole, name: string) => {
      const value = entities.get(name);
      if (value === undefined) return refused.has(name) ? '' : whole;
      if (value.length > budget) return '';
      budget -= value.length;
      return value;
    })
  );
}

/** The internal entities a DOCTYPE declares, with their expanded text, and the names refused. */
function declaredEntities(subset: string): { entities: Map<string, string>; refused: Set<string> } {
  const entities = new Map<string, string>();
  const refused = new Set<string>();
  for (const [, name, double, single] of subset.matchAll(ENTITY_DECLARATION)) {
    if (!name || PREDEFINED.has(name) || entities.has(name) || refused.has(name)) continue;
    let safe = true;
    const value = (double ?? single ?? '').replace(ENTITY_REFERENCE, (whole, inner: string) => {
      if (PREDEFINED.has(inner) || !/^[A-Za-z_]/.test(inner)) return whole;
      if (refused.has(inner)) safe = false;
      return entities.get(inner) ?? whole;
    });
    // An entity too large, or that refers to one refused, is never expanded; an undeclared (HTML) name inside stays as written.
    if (safe && value.length <= MAX_ENTITY_CHARS) entities.set(name, value);
    else refused.add(name);
  }
  return { entities, refused };
}

const BASE64_ELEMENT = /<((?:[\w-]+:)?[\w-]+)(\s[^<>]*?)\bmode\s*=\s*(["'])base64\3([^<>]*)>([^<]*)<\/\1\s*>/g;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Atom 0.3 `mode="base64"` text constructs (draft-ietf-atompub-format-03 §3.1.2): the element's text is
 * decoded (UTF-8) and put back escaped, marked `mode="escaped"`, so its `type` alone says what it is.
 */
export function decodeBase64Elements(text: string): string {
  // The literal search first: a regular expression starting at a word boundary scans the whole feed slowly.
  if (!text.includes('base64') || !/\bmode\s*=\s*["']base64/.test(text)) return text;
  return text.replace(BASE64_ELEMENT, (whole, name: string, before: string, _quote: string, after: string, content: string) => {
    const decoded = Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8');
    return `<${name}${before}mode="escaped"${after}>${escapeXml(decoded)}</${name}>`;
  });
}

const LINK_WITH_BASE = /<(?:[\w-]+:)?link\b[^<>]*?\sxml:base\s*=\s*(["'])([^"']*)\1[^<>]*>/gi;

/**
 * An Atom `<link>` with its own xml:base (XML Base §4.2): the XML parser keeps the href but drops the
 * attribute, so the href is resolved against that base here (RFC 3986 §5.2). An absolute base gives an
 * absolute href; a relative one gives the href relative to the enclosing bases (entry, feed, document
 * URL), which the parser still reports and which are applied afterwards.
 */
export function resolveLinkBases(text: string): string {
  if (!text.includes('xml:base')) return text;
  return text.replace(LINK_WITH_BASE, (tag, _quote: string, base: string) =>
    tag.replace(/(\shref\s*=\s*)(["'])([^"']*)\2/i, (whole, start: string, quote: string, href: string) => {
      const resolved = referenceAgainst(href.replace(/&amp;/g, '&'), base.replace(/&amp;/g, '&'));
      return resolved === null ? whole : `${start}${quote}${resolved.replace(/&/g, '&amp;')}${quote}`;
    }),
  );
}

const HAS_SCHEME = /^[a-z][a-z\d+.-]*:/i;
/** A made-up absolute directory, deep enough that no real relative base climbs out of it with `..`. */
const STAND_IN_DEPTH = 64;
const STAND_IN = `http://base.invalid/${Array.from({ length: STAND_IN_DEPTH }, (_, i) => `b${i}/`).join('')}`;

/**
 * A reference resolved against a base that may itself be relative (RFC 3986 §5.2 applied through a
 * stand-in absolute directory, then made relative to it again): `x.html` against `l/` is `l/x.html`,
 * against `../e/` it is `../e/x.html`, against `/c/` it is `/c/x.html`. Null when either is unusable.
 */
function referenceAgainst(reference: string, base: string): string | null {
  try {
    if (HAS_SCHEME.test(base)) return new URL(reference, base).toString();
    if (HAS_SCHEME.test(reference) || reference.startsWith('//')) return reference;
    const resolved = new URL(reference, new URL(base, STAND_IN));
    const stand = new URL(STAND_IN);
    const tail = `${resolved.search}${resolved.hash}`;
    if (resolved.host !== stand.host) return `//${resolved.host}${resolved.pathname}${tail}`;
    if (base.startsWith('/') || reference.startsWith('/')) return `${resolved.pathname}${tail}`;
    const standSegments = stand.pathname.split('/').slice(1, -1);
    const segments = resolved.pathname.split('/').slice(1);
    let shared = 0;
    while (shared < standSegments.length && shared < segments.length - 1 && segments[shared] === standSegments[shared]) shared += 1;
    const path = `${'../'.repeat(standSegments.length - shared)}${segments.slice(shared).join('/')}`;
    return `${path || (tail ? '' : './')}${tail}`;
  } catch {
    return null;
  }
}

const ITEM_BLOCK = /<(item|entry)\b[\s\S]*?<\/\1\s*>/g;
const DATE_ELEMENT = /<((?:[\w-]+:)?(?:pubDate|updated|published|modified|issued|created|date))(?:\s[^<>]*)?>([^<]*)<\/\1\s*>|<((?:[\w-]+:)?(?:pubDate|updated|published|modified|issued|created|date))(?:\s[^<>]*)?\/>/gi;

/**
 * An item or entry that repeats a date element (two `updated`, an empty `pubDate` and a real one) keeps
 * the first one whose text is a date; the others are dropped, so a parser that reads the first one
 * gets that. Entries that carry an Atom `source` (whose own dates are not the entry's) are left alone.
 */
export function firstValidDates(text: string): string {
  if (!hasRepeatedDate(text)) return text;
  return text.replace(ITEM_BLOCK, (block) => {
    if (block.includes('<source')) return block;
    const byName = new Map<string, Array<{ raw: string; valid: boolean }>>();
    for (const match of block.matchAll(DATE_ELEMENT)) {
      const name = (match[1] ?? match[3]!).toLowerCase();
      const list = byName.get(name) ?? [];
      list.push({ raw: match[0], valid: parseDateLoose(match[2]?.replace(/<!\[CDATA\[|\]\]>/g, '')) !== null });
      byName.set(name, list);
    }
    let kept = block;
    for (const list of byName.values()) {
      if (list.length < 2) continue;
      const keep = list.find((element) => element.valid) ?? list[0]!;
      for (const element of list) if (element !== keep) kept = kept.replace(element.raw, '');
    }
    return kept;
  });
}

/** Cheap test: does any date element name occur twice inside one item or entry? */
function hasRepeatedDate(text: string): boolean {
  let open = -1;
  const seen = new Set<string>();
  const tags = /<(\/?)((?:[\w-]+:)?(?:item|entry|pubDate|updated|published|modified|issued|created|date))[\s/>]/gi;
  for (const match of text.matchAll(tags)) {
    const name = match[2]!.toLowerCase();
    if (name === 'item' || name === 'entry') {
      open = match[1] ? -1 : match.index;
      seen.clear();
    } else if (open >= 0 && !match[1]) {
      if (seen.has(name)) return true;
      seen.add(name);
    }
  }
  return false;
}
