import { Parser } from 'htmlparser2';
import { parseHTML } from 'linkedom';
import { styleHides } from '../text/style.js';

/** Thrown by parsePage when elements nest deeper than the limit. */
export class PageTooDeepError extends Error {
  constructor(readonly maxDepth: number) {
    super(`elements nest deeper than ${maxDepth}`);
    this.name = 'PageTooDeepError';
  }
}

/** A page's document as parsePage builds it (linkedom). */
export type PageDocument = ReturnType<typeof parseHTML>['document'];
type PageNode = PageDocument | ReturnType<PageDocument['createElement']>;

/**
 * Elements left out with everything inside them: never part of an article's readable text (the same
 * list furniture removal applies to a DOM), SVG drawings, and the page's navigation, asides and
 * footers. Forms stay (an e-mail field inside one marks a newsletter box, which furniture removal
 * measures), and so do JSON-LD scripts (Readability and the date lookup read them) and e-mail inputs.
 */
const DROPPED = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'button', 'input', 'select', 'textarea', 'dialog', 'svg', 'nav', 'aside', 'footer', 'datalist', 'noembed', 'noframes', 'rp']);

/**
 * ARIA roles of what is not the article: the roles Readability removes as unlikely candidates
 * (Readability.js UNLIKELY_ROLES), taken out here so that no later step pays for them.
 */
const UNLIKELY_ROLES = new Set(['menu', 'menubar', 'complementary', 'navigation', 'alert', 'alertdialog', 'dialog']);

/**
 * Attributes something reads later: Readability (scoring by class and id, roles, bylines by rel and
 * itemprop, links by href, metadata from <meta>, direction and language, data tables, relative URLs),
 * the metadata lookup (canonical and image links, <time datetime>), furniture removal (class, id,
 * input type). Every other attribute (inline styles once read, event handlers, data-*, ARIA labels,
 * sizes) is left out of the document. Media elements keep all of theirs: Readability finds lazily
 * loaded pictures in any attribute of theirs.
 */
const READ = new Set(['class', 'id', 'role', 'itemprop', 'href', 'src', 'srcset', 'alt', 'content', 'property', 'name', 'type', 'rel', 'lang', 'dir', 'datetime', 'colspan', 'rowspan', 'summary', 'datatable', 'poster']);
const MEDIA = new Set(['img', 'picture', 'source', 'figure', 'video', 'audio']);

/**
 * Whether an element is hidden from readers, by the rule Readability applies before anything else
 * (Readability.js _isProbablyVisible, and its aria-modal dialogs): the `hidden` attribute,
 * aria-hidden="true" (except Wikipedia's fallback images of formulas), an inline style hiding it (styleHides:
 * read as a browser reads it, `!important` and comments included).
 */
function isHidden(attributes: Readonly<Record<string, string>>): boolean {
  if ('hidden' in attributes) return true;
  if (attributes['aria-hidden']?.trim().toLowerCase() === 'true' && !(attributes.class ?? '').includes('fallback-image')) return true;
  if (attributes['aria-modal'] === 'true' && attributes.role === 'dialog') return true;
  return attributes.style !== undefined && styleHides(attributes.style);
}

function keeps(name: string, attributes: Readonly<Record<string, string>>): boolean {
  if (isHidden(attributes) || (attributes.role !== undefined && UNLIKELY_ROLES.has(attributes.role))) return false;
  if (!DROPPED.has(name)) return true;
  if (name === 'script') return attributes.type?.trim().toLowerCase() === 'application/ld+json';
  if (name === 'input') return attributes.type?.trim().toLowerCase() === 'email';
  return false;
}

/**
 * Parses a page into a DOM without what can never be article text, in one streaming htmlparser2
 * pass: no DOM node is ever made for comments, scripts (JSON-LD excepted), styles, SVG, embedded
 * objects, form controls, navigation, asides, footers, elements hidden from readers or in an unlikely
 * ARIA role, or for attributes nobody reads; text split at character references is one node. The elements kept nest
 * exactly as linkedom's own parser (the same htmlparser2 events) would nest them; a DOM node costs
 * far more than a parser event, and every later walk (furniture removal, Readability) visits each.
 * @param html the page as text
 * @param maxDepth deepest element nesting allowed (as an HTML parser opens and closes them: void
 *   elements and implied end tags close at once); Readability's tree walks grow far faster than
 *   linearly with nesting, so a hostile page is refused before its DOM is complete
 * @returns the page's document (linkedom)
 * @throws PageTooDeepError as soon as an element opens deeper than `maxDepth`
 */
export function parsePage(html: string, maxDepth = Number.POSITIVE_INFINITY): PageDocument {
  const { document } = parseHTML('');
  let parent: PageNode = document;
  let depth = 0;
  /** Depth of the left-out element being skipped, or 0 when building. */
  let droppedAt = 0;
  /** Text read since the last tag, made one node when the next tag comes. */
  let text = '';
  const flush = () => {
    if (text === '') return;
    parent.appendChild(document.createTextNode(text));
    text = '';
  };
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        depth += 1;
        if (depth > maxDepth) throw new PageTooDeepError(maxDepth);
        if (droppedAt !== 0) return;
        if (!keeps(name, attributes)) {
          droppedAt = depth;
          return;
        }
        flush();
        const element = document.createElement(name);
        const all = MEDIA.has(name);
        // linkedom puts each attribute set first: set from the last, they stand in the page's order.
        const keys = Object.keys(attributes);
        for (let i = keys.length - 1; i >= 0; i--) if (all || READ.has(keys[i]!)) element.setAttribute(keys[i]!, attributes[keys[i]!]!);
        parent.appendChild(element);
        parent = element;
      },
      onclosetag() {
        if (droppedAt === depth) droppedAt = 0;
        else if (droppedAt === 0) {
          flush();
          parent = parent.parentNode as PageNode;
        }
        depth -= 1;
      },
      ontext(data) {
        if (droppedAt === 0) text += data;
      },
    },
    { decodeEntities: true },
  );
  parser.end(html);
  flush();
  return document;
}
