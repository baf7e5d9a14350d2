// The values inside feed elements: text constructs and their markup (RFC 4287 §3.1 for Atom; a guess
// for RSS, RDF and JSON Feed), HTML with links made absolute, and URLs against xml:base.
import { cutText, graphemeBoundary } from '../text/cut.js';
import { collapseWhitespace, plainText, plainTextCut } from '../text/text.js';
import { safeHttpUrl } from '../text/url.js';

/** Longest content HTML kept per item, in characters: bounds one hostile feed's memory and database use. */
const MAX_CONTENT_HTML = 200_000;

export type Base = string | undefined;

/**
 * What a text value is written in. Atom says so (RFC 4287 §3.1: `type` text, html or xhtml; Atom 0.3 a
 * MIME type); RSS, RDF and JSON Feed titles and descriptions may be either, so they are 'guess'ed.
 */
export type Markup = 'text' | 'html' | 'guess';

/** Atom's `type` attribute as Markup: html and xhtml (or their 0.3 MIME types) are markup, anything else text. */
export function atomMarkup(type: string | undefined): Markup {
  const lower = type?.trim().toLowerCase();
  if (lower && isBase64Type(lower)) return 'guess';
  return lower === 'html' || lower === 'xhtml' || lower === 'text/html' || lower === 'application/xhtml+xml' ? 'html' : 'text';
}

/** RFC 4287 §4.1.3.3: content of a media type that is neither text/* nor XML is base64-encoded. */
function isBase64Type(type: string): boolean {
  return type.includes('/') && !type.startsWith('text/') && !/[/+]xml$/.test(type);
}

/** An Atom text construct's value, base64-decoded (as UTF-8) when its type says it is encoded. */
export function atomValue(construct: { value?: string; type?: string } | undefined): string | undefined {
  const type = construct?.type?.trim().toLowerCase();
  if (!construct?.value || !type || !isBase64Type(type)) return construct?.value;
  return Buffer.from(construct.value.replace(/\s+/g, ''), 'base64').toString('utf8');
}

/** Elements of HTML as feeds use it; text that has none of them (nor an entity, comment or end tag) is plain text. */
const HTML_TAG = /<\/?(?:a|abbr|acronym|address|area|article|aside|audio|b|base|bdi|bdo|big|blockquote|br|button|canvas|caption|center|cite|code|col|colgroup|dd|del|details|dfn|div|dl|dt|em|embed|fieldset|figcaption|figure|font|footer|form|h[1-6]|header|hr|i|iframe|img|input|ins|kbd|label|li|link|main|map|mark|meta|nav|noscript|object|ol|p|param|picture|pre|q|s|samp|script|section|small|source|span|strike|strong|style|sub|summary|sup|svg|table|tbody|td|tfoot|th|thead|time|tr|track|tt|u|ul|var|video|wbr)(?:\s[^<>]*)?\/?>/i;
const ENTITY = /&(?:#\d+|#x[\da-f]+|[a-z][a-z\d]*);/i;
const END_TAG = /<\/[a-z][\w:-]*\s*>/i;
const COMMENT = /<!--[\s\S]*?-->/;

/**
 * feedparser's rule, roughly: a value is HTML when it holds an HTML element, an end tag, an entity or a
 * comment; `History of the <blink> tag` or `3 < 4` is text.
 */
function isMarkup(value: string, markup: Markup): boolean {
  if (markup !== 'guess') return markup === 'html';
  return HTML_TAG.test(value) || END_TAG.test(value) || ENTITY.test(value) || COMMENT.test(value);
}

/**
 * CDATA markers that survived as text: the publisher escaped a CDATA section (`&lt;![CDATA[…]]&gt;`),
 * so its content is meant as the value itself. The markers go, the content stays.
 */
function unwrapCdata(value: string): string {
  return value.includes('<![CDATA[') ? value.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1') : value;
}

/** CDATA markers escaped once more inside HTML (`&lt;![CDATA[…]]&gt;` in a type="html" value): the same markers, as HTML shows them. */
const ESCAPED_CDATA = /(?:&lt;|&#0*60;|&#x0*3c;)!\[CDATA\[([\s\S]*?)\]\](?:&gt;|&#0*62;|&#x0*3e;)/gi;

/** A value's HTML with escaped CDATA markers removed too, so its text never shows `<![CDATA[`. */
function unwrapHtmlCdata(html: string): string {
  return html.includes('[CDATA[') ? html.replace(ESCAPED_CDATA, '$1') : html;
}

/**
 * `<!` that opens no comment is text in a feed's HTML (`<!' …`, a stray `<!DOCTYPE`), though an HTML
 * parser would swallow it up to the next `>` as a bogus comment; so is a `<!--` that no `-->` closes,
 * which the parser would run to the end of the value (WHATWG HTML §13.2.5.43, eof-in-comment). A
 * complete doctype is dropped.
 */
function literalDeclarations(html: string): string {
  if (!html.includes('<!')) return html;
  const lastClose = html.lastIndexOf('-->');
  return html
    .replace(/<!doctype\s+html\b[^<>]*>/gi, '')
    .replace(/<!(?!--)/g, '&lt;!')
    .replace(/<!--/g, (opener, at: number) => (at > lastClose ? '&lt;!--' : opener));
}

/** Plain text of a title, summary or author (tags removed, entities decoded, whitespace collapsed), capped. */
export function textOf(raw: string | undefined | null, markup: Markup, max: number): string | null {
  if (!raw) return null;
  const value = unwrapCdata(raw);
  if (isMarkup(value, markup)) return plainTextCut(literalDeclarations(unwrapHtmlCdata(value)), max);
  const text = collapseWhitespace(value);
  return text ? cutText(text, max) : null;
}

/** An Atom text construct (title, summary) as plain text. */
export function atomTextOf(value: { value?: string; type?: string } | undefined, max: number): string | null {
  return textOf(atomValue(value), atomMarkup(value?.type), max);
}

/** A link or source attribute inside a tag, with its quoted value. */
const LINK_ATTRIBUTE = /(<[a-z][^<>]*?\s(?:href|src|poster)\s*=\s*)(["'])([^"'<>]*)\2/gi;
const HAS_SCHEME = /^[a-z][a-z\d+.-]*:/i;

/** Whether the tag opened at `open` ends within `html`: a '>' outside its quoted attribute values. */
function tagClosed(html: string, open: number): boolean {
  let quote: string | null = null;
  for (let i = open + 1; i < html.length; i++) {
    const char = html[i];
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '>') return true;
  }
  return false;
}

/**
 * HTML cut to at most `max` UTF-16 code units, never inside a character (a grapheme cluster: an emoji sequence, a letter and its accents), a tag, a
 * comment or a character reference: the cut moves back to before what it would split. Pure; returns
 * the value itself when it fits.
 */
export function cutHtml(html: string, max: number): string {
  if (html.length <= max) return html;
  let cut = html.slice(0, graphemeBoundary(html, max));
  const comment = cut.lastIndexOf('<!--');
  if (comment >= 0 && cut.indexOf('-->', comment + 4) < 0) cut = cut.slice(0, comment);
  // A '<' opens a tag only before a letter, '/', '!' or '?' (HTML tokenizer, tag open state); "a < b" is text.
  const open = cut.lastIndexOf('<');
  if (open >= 0 && (open === cut.length - 1 || /[a-z/!?]/i.test(cut.charAt(open + 1))) && !tagClosed(cut, open)) cut = cut.slice(0, open);
  const reference = /&#?[a-z\d]*$/i.exec(cut);
  return reference ? cut.slice(0, reference.index) : cut;
}

/**
 * Content HTML, capped (cutHtml), with relative links and image sources resolved against the item's base.
 * Plain text (Atom type="text", JSON content_text, an RSS description with no markup) is escaped into HTML.
 */
export function htmlOf(raw: string | undefined, markup: Markup, base: Base): string | null {
  if (!raw || !raw.trim()) return null;
  const value = unwrapCdata(raw);
  if (!isMarkup(value, markup)) {
    // Plain text is cut before it is escaped (no need to escape megabytes), and again after, as escaping lengthens it.
    const text = value.trim();
    return cutHtml(textAsHtml(text.slice(0, graphemeBoundary(text, MAX_CONTENT_HTML))), MAX_CONTENT_HTML);
  }
  const html = literalDeclarations(unwrapHtmlCdata(cutHtml(value, MAX_CONTENT_HTML)));
  if (!base) return html;
  return html.replace(LINK_ATTRIBUTE, (whole, start: string, quote: string, link: string) => {
    if (!link || HAS_SCHEME.test(link) || link.startsWith('#')) return whole;
    const resolved = urlOf(link.replace(/&amp;/g, '&'), base);
    return resolved ? `${start}${quote}${resolved.replace(/&/g, '&amp;')}${quote}` : whole;
  });
}

/** Resolves a (possibly relative) link against a chain of bases; only http(s) results are kept. */
export function urlOf(raw: string | undefined | null, base: Base): string | null {
  if (!raw) return null;
  return safeHttpUrl(raw, base);
}

export function joinBase(inner: string | undefined, outer: Base): Base {
  if (!inner) return outer;
  try {
    return new URL(inner, outer).toString();
  } catch {
    return outer;
  }
}

export function firstImageIn(html: string | null, base: Base): string | null {
  if (!html) return null;
  const match = /<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']/i.exec(html);
  return match ? urlOf(match[1], base) : null;
}

export function uniqueTexts(values: Array<string | undefined>): string[] {
  const seen = new Set<string>();
  for (const value of values) {
    const text = plainText(value);
    if (text) seen.add(text);
  }
  return [...seen];
}

/** Text as HTML: escaped, in paragraphs when blank lines separate it into several. */
function textAsHtml(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const paragraphs = escaped.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  return paragraphs.length > 1 ? paragraphs.map((p) => `<p>${p}</p>`).join('') : escaped;
}
