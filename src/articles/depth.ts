import { Parser } from 'htmlparser2';

/** Thrown inside the parser's callback to stop reading as soon as the answer is known. */
const DEEP_ENOUGH = Symbol('deep enough');

/**
 * True when elements in `html` nest deeper than `maxDepth` (counted as an HTML parser opens and
 * closes them: void elements and implied end tags close at once). One streaming htmlparser2 pass
 * with no DOM, which stops at the first element past the limit. Readability's tree walks grow far
 * faster than linearly with nesting, so a page of a thousand nested `<div>`s is refused before a
 * DOM is built for it.
 * @param html the page as text
 * @param maxDepth deepest nesting allowed, in elements
 */
export function nestingExceeds(html: string, maxDepth: number): boolean {
  let depth = 0;
  const parser = new Parser(
    {
      onopentag() {
        depth += 1;
        if (depth > maxDepth) throw DEEP_ENOUGH;
      },
      onclosetag() {
        depth -= 1;
      },
    },
    { decodeEntities: false },
  );
  try {
    parser.end(html);
  } catch (error) {
    if (error === DEEP_ENOUGH) return true;
    throw error;
  }
  return false;
}
