import { Parser } from 'htmlparser2';
import { cutText, decidesCut } from './cut.js';
import { styleHides } from './style.js';

/** Elements whose content is never readable text. */
const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'svg', 'head', 'datalist', 'noembed', 'noframes', 'rp']);
const BLOCK = new Set(['p', 'div', 'br', 'li', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'tr', 'section', 'article', 'pre', 'figure', 'figcaption', 'table', 'dd', 'dt', 'hr']);

/**
 * Characters that are invisible or reorder text: they let a title hide or spoof words.
 * Zero-width joiners (U+200C/D) stay: emoji sequences and several scripts need them.
 */
// eslint-disable-next-line no-control-regex -- C0 controls are among the characters to remove
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u00AD\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** Any half of a surrogate pair: most text has none, and is not searched for lone ones. */
const SURROGATE = /[\uD800-\uDFFF]/;

/** Half of a UTF-16 surrogate pair standing alone: no character, and no platform's API takes it (each encodes it differently). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Invisible characters removed; a lone surrogate becomes U+FFFD, the replacement character (Unicode §3.9, best practice for ill-formed text). */
function stripInvisible(text: string): string {
  const visible = text.replace(INVISIBLE, '');
  return SURROGATE.test(visible) ? visible.replace(LONE_SURROGATE, '\uFFFD') : visible;
}

/**
 * What makes collapseWhitespace change a text: whitespace other than a single inner space, or an
 * invisible character. Most titles and names have none, and are returned as they are.
 */
const NEEDS_COLLAPSE = new RegExp(`[^\\S ]| {2}|^ | $|${INVISIBLE.source}|${SURROGATE.source}`);

/** Whitespace collapsed to single spaces, trimmed, invisible characters removed, lone surrogates replaced (U+FFFD). */
export function collapseWhitespace(text: string): string {
  if (!NEEDS_COLLAPSE.test(text)) return text;
  return stripInvisible(text).replace(/\s+/g, ' ').trim();
}

/**
 * Text as a person reads it from a string that may hold HTML, CDATA leftovers or entities:
 * tags removed, entities decoded, whitespace collapsed. Returns null for empty results.
 */
export function plainText(input: string | null | undefined): string | null {
  if (input == null) return null;
  // htmlToText without paragraphs already collapses its whitespace: once is enough.
  const text = /[<&]/.test(input) ? htmlToText(input, false) : collapseWhitespace(input);
  return text.length > 0 ? text : null;
}

/** An element its publisher hides from readers: the `hidden` attribute, aria-hidden="true", or an inline style hiding it (styleHides). */
function hidden(attributes: Readonly<Record<string, string>>): boolean {
  return 'hidden' in attributes || attributes['aria-hidden']?.trim().toLowerCase() === 'true' || (attributes.style !== undefined && styleHides(attributes.style));
}

/**
 * Text of an HTML fragment. With `paragraphs`, block boundaries become blank lines
 * (the `text` shape of `inspect article`); otherwise everything is one line. Hidden elements (the
 * `hidden` attribute, an inline style hiding them) and those for which `skip` (given the lower-case
 * tag name and attributes) is true are left out with all they hold.
 */
export function htmlToText(html: string, paragraphs: boolean, skip?: (name: string, attributes: Readonly<Record<string, string>>) => boolean): string {
  return joinedText(textParts(html, skip), paragraphs);
}

/**
 * {@link plainText} of `input` cut to `maxLength` UTF-16 code units by {@link cutText} (the same string,
 * "…" included), or null when it holds no text. HTML is read only as far as the cut depends on it
 * (decidesCut), so a summary taken from a long article body costs its first few thousand characters.
 */
export function plainTextCut(input: string | null | undefined, maxLength: number): string | null {
  if (input == null) return null;
  let nextCheck = maxLength * 2;
  const text = !/[<&]/.test(input)
    ? collapseWhitespace(input)
    : collapseWhitespace(
        textParts(input, undefined, (parts, length) => {
          if (length < nextCheck) return false;
          // Doubling keeps the joins linear in what is read, however much of it is whitespace.
          nextCheck = length * 2;
          return decidesCut(collapseWhitespace(parts.join('')), maxLength);
        }).join(''),
      );
  return text.length > 0 ? cutText(text, maxLength) : null;
}

/**
 * The text pieces of an HTML fragment in document order, with '\n\n' at block boundaries; elements for
 * which `skip` is true left out with all they hold. `enough`, given the pieces so far and their total
 * length (code units), may end the reading early: the pieces read until then are returned.
 */
function textParts(html: string, skip?: (name: string, attributes: Readonly<Record<string, string>>) => boolean, enough?: (parts: readonly string[], length: number) => boolean): string[] {
  const parts: string[] = [];
  let length = 0;
  let stopped = false;
  let skipDepth = 0;
  // Per open element, whether it started a skipped region: htmlparser2 closes every element it opens.
  const skipping: boolean[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const skipped = SKIPPED.has(name) || hidden(attributes) || (skip?.(name, attributes) ?? false);
        skipping.push(skipped);
        if (skipped) skipDepth++;
        else if (BLOCK.has(name)) parts.push('\n\n');
      },
      onclosetag(name) {
        if (skipping.pop()) skipDepth--;
        else if (BLOCK.has(name)) parts.push('\n\n');
      },
      ontext(text) {
        if (skipDepth > 0 || stopped) return;
        parts.push(text);
        length += text.length;
        if (enough?.(parts, length)) {
          stopped = true;
          parser.pause();
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  if (!stopped) parser.end();
  return parts;
}

/** A node of a parsed tree as {@link treeText} reads it: an element (type 1) or a text node (type 3). */
export interface TextTreeNode {
  readonly nodeType: number;
  /** Lower-case tag name of an element. */
  readonly localName?: string;
  /** Decoded characters of a text node. */
  readonly data?: string;
  readonly childNodes: ArrayLike<TextTreeNode>;
}

/**
 * Text of what an element of a parsed page holds (the element's own tag is not read), as
 * {@link htmlToText} reads the same content as HTML: without serialising the tree and parsing it
 * again. Elements for which `skip` (given the lower-case tag name and the element) is true are
 * left out with all they hold.
 */
export function treeText<Node extends TextTreeNode>(root: Node, paragraphs: boolean, skip?: (name: string, element: Node) => boolean): string {
  const parts: string[] = [];
  const visit = (node: Node): void => {
    const children = node.childNodes as ArrayLike<Node>;
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      if (child.nodeType === 3) parts.push(child.data ?? '');
      else if (child.nodeType === 1) {
        const name = child.localName ?? '';
        if (SKIPPED.has(name) || (skip?.(name, child) ?? false)) continue;
        const block = BLOCK.has(name);
        if (block) parts.push('\n\n');
        visit(child);
        if (block) parts.push('\n\n');
      }
    }
  };
  visit(root);
  return joinedText(parts, paragraphs);
}

function joinedText(parts: readonly string[], paragraphs: boolean): string {
  const joined = parts.join('');
  if (!paragraphs) return collapseWhitespace(joined);
  return joined
    .split(/\n\s*\n/)
    .map(collapseWhitespace)
    .filter((p) => p.length > 0)
    .join('\n\n');
}

/**
 * Feed text with every would-be `@name` mention broken by a zero-width space (U+200B) after its at
 * sign, so a post never links or notifies an account the feed merely names: Mastodon links
 * "@user" and "@user@example.social" only when the name follows the sign directly, and Telegram
 * links "@username" by itself (core.telegram.org/api/entities: mention). E-mail addresses and URLs
 * are left alone. Pure.
 */
export function breakMentions(text: string): string {
  return text.replace(/(^|[^/\p{L}\p{N}_.@])@(?=[\p{L}\p{N}_])/gu, '$1@\u200B');
}
