/**
 * Page furniture: the widgets news sites put inside and around an article that are not the story
 * (video boxes, share bars, "Follow us on …", newsletter boxes, "show more news" lists, ads).
 * Readability keeps some of them when they sit inside the article body, so Herald removes them
 * before extraction (by class/id and shape) and again after (by wording).
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

/** Elements that are never part of an article's readable text. */
const NEVER_TEXT = 'script, style, noscript, template, iframe, object, embed, form, button, input, select, textarea, dialog';

interface ElementLike {
  tagName: string;
  textContent: string | null;
  parentElement: ElementLike | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): ElementLike | null;
  querySelectorAll(selector: string): Iterable<ElementLike>;
  remove(): void;
}

export interface DocumentLike {
  querySelectorAll(selector: string): Iterable<ElementLike>;
  body: ElementLike | null;
}

function textLength(element: ElementLike): number {
  return (element.textContent ?? '').replace(/\s+/g, ' ').trim().length;
}

export function isFurnitureText(text: string): boolean {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length > 0 && clean.length <= SHORT_BLOCK && FURNITURE_TEXT.some((pattern) => pattern.test(clean));
}

/** Removes an element, and then each ancestor that it leaves without any text. */
function removeWithEmptyAncestors(element: ElementLike, stopAt: ElementLike | null): void {
  let parent = element.parentElement;
  element.remove();
  while (parent && parent !== stopAt && parent.tagName !== 'BODY' && parent.tagName !== 'ARTICLE' && textLength(parent) === 0) {
    const next = parent.parentElement;
    parent.remove();
    parent = next;
  }
}

/** Removes furniture by wording: short blocks such as "Video of day" or "Follow us on Twitter". */
export function removeFurnitureByText(doc: DocumentLike): void {
  const blocks = [...doc.querySelectorAll('p, div, section, aside, li, h2, h3, h4, h5, h6, span, a, strong, em')];
  for (const block of blocks) {
    if (!block.parentElement) continue; // already removed with an ancestor
    if (isFurnitureText(block.textContent ?? '')) removeWithEmptyAncestors(block, doc.body);
  }
}

/**
 * Removes furniture before extraction: elements that never carry text, containers named as
 * furniture (unless they hold most of the page's text, which a mislabelled wrapper can), and
 * boxes built around an e-mail field (newsletter sign-ups).
 */
export function removeFurnitureByShape(doc: DocumentLike): void {
  const bodyLength = doc.body ? textLength(doc.body) : 0;
  for (const box of doc.querySelectorAll('input[type=email]')) {
    let container: ElementLike | null = box.parentElement;
    while (container && container.parentElement && container.parentElement.tagName !== 'BODY' && textLength(container.parentElement) < 400) {
      container = container.parentElement;
    }
    if (container && container.tagName !== 'BODY' && textLength(container) < 400) container.remove();
  }
  for (const element of doc.querySelectorAll(NEVER_TEXT)) {
    // JSON-LD carries the headline and dates Readability reads; keep it.
    if (element.getAttribute('type') !== 'application/ld+json') element.remove();
  }
  for (const element of doc.querySelectorAll('[class], [id]')) {
    if (!element.parentElement) continue;
    const name = `${element.getAttribute('class') ?? ''} ${element.getAttribute('id') ?? ''}`;
    if (!FURNITURE_NAME.test(name)) continue;
    if (element.tagName === 'BODY' || element.tagName === 'HTML' || element.tagName === 'ARTICLE' || element.tagName === 'MAIN') continue;
    if (textLength(element) > Math.max(600, bodyLength * 0.3)) continue;
    element.remove();
  }
  removeFurnitureByText(doc);
}
