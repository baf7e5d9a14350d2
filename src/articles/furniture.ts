/**
 * Page furniture: the widgets news sites put inside and around an article that are not the story
 * (video boxes, share bars, "Follow us on …", newsletter boxes, "show more news" lists, ads).
 * Readability keeps some of them when they sit inside the article body, so Herald removes them
 * before extraction (by class/id, shape and wording) and again after (by wording, per paragraph).
 */

/** class/id words that name furniture. Matched as whole dash/underscore-separated words. */
const FURNITURE_NAME =
  /(?:^|[\s_-])(share|sharing|sharebar|social|newsletter|newsletters|subscribe|subscription|signup|related|more-news|morenews|read-more|readmore|video-of-day|video-of-the-day|follow-us|followus|advert|advertisement|ads|ad|adslot|ad-slot|promo|sponsored|sponsor|outbrain|taboola|recirc|recommended|paywall|cookie|cookies|popup|modal)(?:$|[\s_-])/i;

/** Short blocks whose whole text is one of these are furniture, wherever they stand. */
const FURNITURE_TEXT = [
  /^video of (the )?day$/i,
  /^follow us on\b/i,
  /^(share|share this( article| story)?|share on \w+)$/i,
  /^(show|load|see|view) more( news| stories| articles)?$/i,
  /^(read|see) more\b.{0,80}$/i,
  /^(more|latest|related) (news|stories|articles)$/i,
  /^(advertisement|advertising|sponsored( content)?|ad)$/i,
  /^(sign up|subscribe)\b.{0,120}newsletter/i,
  /^(subscribe|sign up)( now| today)?[.!]?$/i,
  /^click here to\b.{0,100}$/i,
];
const SHORT_BLOCK = 160;
const TEXT_BLOCKS = new Set(['P', 'DIV', 'SECTION', 'ASIDE', 'LI', 'H2', 'H3', 'H4', 'H5', 'H6', 'SPAN', 'A', 'STRONG', 'EM']);
const KEEP = new Set(['BODY', 'HTML', 'HEAD', 'ARTICLE', 'MAIN']);

/** Elements that are never part of an article's readable text. */
const NEVER_TEXT = 'script, style, noscript, template, iframe, object, embed, form, button, input, select, textarea, dialog';

interface NodeLike {
  nodeType: number;
  textContent: string | null;
  childNodes: ArrayLike<NodeLike>;
}

interface ElementLike extends NodeLike {
  tagName: string;
  parentElement: ElementLike | null;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Iterable<ElementLike>;
  remove(): void;
}

export interface DocumentLike {
  querySelectorAll(selector: string): Iterable<ElementLike>;
  documentElement: ElementLike | null;
}

export function isFurnitureText(text: string): boolean {
  if (text.length > SHORT_BLOCK * 3) return false;
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length > 0 && clean.length <= SHORT_BLOCK && FURNITURE_TEXT.some((pattern) => pattern.test(clean));
}

/**
 * Text length under every element, from one iterative post-order walk: reading textContent per
 * element instead costs O(n·depth), and recursion would overflow on hostile nesting.
 */
function textLengths(root: ElementLike): Map<ElementLike, number> {
  const lengths = new Map<ElementLike, number>();
  const stack: Array<{ node: ElementLike; visited: boolean }> = [{ node: root, visited: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    const children = top.node.childNodes;
    if (top.visited) {
      let total = 0;
      for (let i = 0; i < children.length; i++) {
        const child = children[i]!;
        if (child.nodeType === 3) total += (child.textContent ?? '').trim().length;
        else if (child.nodeType === 1) total += lengths.get(child as ElementLike) ?? 0;
      }
      lengths.set(top.node, total);
      continue;
    }
    stack.push({ node: top.node, visited: true });
    for (let i = 0; i < children.length; i++) {
      if (children[i]!.nodeType === 1) stack.push({ node: children[i] as ElementLike, visited: false });
    }
  }
  return lengths;
}

/** Removes an element, and then each ancestor that it leaves without any text. */
function removeWithEmptyAncestors(element: ElementLike, lengths: Map<ElementLike, number>): void {
  const removed = lengths.get(element) ?? 0;
  let parent = element.parentElement;
  element.remove();
  while (parent && !KEEP.has(parent.tagName)) {
    const left = (lengths.get(parent) ?? 0) - removed;
    lengths.set(parent, left);
    if (left > 0) break;
    const next = parent.parentElement;
    parent.remove();
    parent = next;
  }
}

/**
 * Removes furniture before extraction: elements that never carry text, boxes built around an
 * e-mail field (newsletter sign-ups), containers named as furniture (unless they hold much of
 * the page's text, which a mislabelled wrapper can), and short blocks worded as furniture.
 */
export function removeFurniture(doc: DocumentLike): void {
  for (const element of doc.querySelectorAll(NEVER_TEXT)) {
    // JSON-LD carries the headline and dates Readability reads; keep it. A form's e-mail field
    // is looked at below, so forms go after that.
    if (element.tagName === 'FORM' || element.getAttribute('type') === 'application/ld+json') continue;
    if (element.tagName === 'INPUT' && element.getAttribute('type') === 'email') continue;
    element.remove();
  }
  // Measured over the whole document: a lenient parser may leave content outside <body>.
  if (!doc.documentElement) return;
  const lengths = textLengths(doc.documentElement);
  const pageLength = lengths.get(doc.documentElement) ?? 0;
  for (const field of doc.querySelectorAll('input[type=email]')) {
    let box: ElementLike | null = field.parentElement;
    while (box?.parentElement && !KEEP.has(box.parentElement.tagName) && (lengths.get(box.parentElement) ?? 0) < 400) box = box.parentElement;
    if (box && !KEEP.has(box.tagName) && (lengths.get(box) ?? 0) < 400) box.remove();
    else field.remove();
  }
  for (const form of doc.querySelectorAll('form')) form.remove();
  for (const element of doc.querySelectorAll('[class], [id]')) {
    if (!element.parentElement || KEEP.has(element.tagName) || !lengths.has(element)) continue;
    const name = `${element.getAttribute('class') ?? ''} ${element.getAttribute('id') ?? ''}`;
    if (!FURNITURE_NAME.test(name)) continue;
    if ((lengths.get(element) ?? 0) > Math.max(600, pageLength * 0.3)) continue;
    removeWithEmptyAncestors(element, lengths);
  }
  for (const element of doc.querySelectorAll('p, div, section, aside, li, h2, h3, h4, h5, h6, span, a, strong, em')) {
    if (!element.parentElement || !TEXT_BLOCKS.has(element.tagName)) continue;
    const length = lengths.get(element) ?? 0;
    if (length === 0 || length > SHORT_BLOCK) continue;
    if (isFurnitureText(element.textContent ?? '')) removeWithEmptyAncestors(element, lengths);
  }
}

/** The post-pass: paragraphs of extracted text that are furniture by their wording are dropped. */
export function dropFurnitureParagraphs(paragraphs: string[]): string[] {
  return paragraphs.filter((paragraph) => !isFurnitureText(paragraph));
}
