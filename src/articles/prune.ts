import { Parser } from 'htmlparser2';

/** Thrown by prunePage when elements nest deeper than the limit. */
export class PageTooDeepError extends Error {
  constructor(readonly maxDepth: number) {
    super(`elements nest deeper than ${maxDepth}`);
    this.name = 'PageTooDeepError';
  }
}

/**
 * Elements dropped with everything inside them: never part of an article's readable text (the same
 * list furniture removal applies to a DOM), plus SVG drawings. Forms stay (an e-mail field inside one
 * marks a newsletter box, which furniture removal measures), and so do JSON-LD scripts (Readability and
 * the date lookup read them) and e-mail inputs.
 */
const DROPPED = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'button', 'input', 'select', 'textarea', 'dialog', 'svg']);

/** Elements with no end tag (HTML Living Standard §13.1.2): htmlparser2 closes them at once. */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

function keeps(name: string, attributes: Readonly<Record<string, string>>): boolean {
  if (!DROPPED.has(name)) return true;
  if (name === 'script') return attributes.type?.trim().toLowerCase() === 'application/ld+json';
  if (name === 'input') return attributes.type?.trim().toLowerCase() === 'email';
  return false;
}

/**
 * The page with what can never be article text cut out before any DOM is built: comments, scripts
 * (JSON-LD excepted), styles, SVG, embedded objects and form controls. One streaming htmlparser2 pass
 * finds where each such element begins and ends, and the page is copied without those ranges, byte
 * for byte otherwise. linkedom builds its DOM with the same parser, so the elements that remain nest
 * exactly as they did, and a DOM costs far more per node than this pass.
 * @param html the page as text
 * @param maxDepth deepest element nesting allowed (as an HTML parser opens and closes them: void
 *   elements and implied end tags close at once); Readability's tree walks grow far faster than
 *   linearly with nesting, so a hostile page is refused before its DOM exists
 * @returns the pruned page as HTML
 * @throws PageTooDeepError as soon as an element opens deeper than `maxDepth`
 */
export function prunePage(html: string, maxDepth = Number.POSITIVE_INFINITY): string {
  const kept: string[] = [];
  /** Where the text not yet copied begins. */
  let copyFrom = 0;
  let depth = 0;
  /** Depth of the dropped element being skipped, or 0 when copying. */
  let droppedAt = 0;
  /** Where the dropped element being skipped begins. */
  let from = -1;
  const cut = (from: number, to: number) => {
    if (from > copyFrom) kept.push(html.slice(copyFrom, from));
    copyFrom = Math.max(copyFrom, to);
  };
  const parser: Parser = new Parser(
    {
      onopentag(name, attributes) {
        depth += 1;
        if (depth > maxDepth) throw new PageTooDeepError(maxDepth);
        if (droppedAt === 0 && !keeps(name, attributes)) {
          droppedAt = depth;
          from = parser.startIndex;
        }
      },
      onclosetag(name, isImplied) {
        if (droppedAt === depth) {
          // An end tag of its own ends the range after it; a void element, after its start tag; an
          // element closed by a later tag (or the end of the page), where that tag begins.
          cut(from, !isImplied || VOID.has(name) ? parser.endIndex + 1 : parser.startIndex);
          from = -1;
          droppedAt = 0;
        }
        depth -= 1;
      },
      oncomment() {
        if (droppedAt === 0) cut(parser.startIndex, parser.endIndex + 1);
      },
    },
    { decodeEntities: false },
  );
  parser.end(html);
  if (copyFrom < html.length) kept.push(html.slice(copyFrom));
  return kept.join('');
}
