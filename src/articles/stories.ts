/**
 * Pages that carry more than one story: sites with continuous scrolling append the next article
 * below the requested one, often longer than it, and Readability then picks the longer one. The
 * requested story is the one whose headline matches the page's own title (og:title, <title>).
 */

interface StoryElement {
  tagName: string;
  textContent: string | null;
  parentElement: StoryElement | null;
  contains(other: StoryElement): boolean;
  getAttribute(name: string): string | null;
  querySelector(selector: string): StoryElement | null;
  querySelectorAll(selector: string): Iterable<StoryElement>;
  remove(): void;
}

export interface StoryDocument {
  querySelectorAll(selector: string): Iterable<StoryElement>;
}

/** The requested block holds a story (not only its headline) when its paragraphs carry at least this many characters: about a sentence, as a brief has. */
const MIN_STORY_TEXT = 80;
/** The requested headline shares at least this share of its words with the page's title… */
const MATCH = 0.5;
/** …and a block is another story when its headline shares at most this share of what the best one does. */
const OTHER = 0.5;

function words(text: string): Set<string> {
  // Words of four letters or more: "the", "of", "у", "de" say nothing about which story it is.
  return new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => word.length >= 4 || /\p{N}/u.test(word)));
}

/** Share of the headline's words found in the closest of the titles, 0–1. */
function headlineMatch(headline: string, titles: Array<Set<string>>): number {
  const own = words(headline);
  if (own.size === 0) return 0;
  let best = 0;
  for (const title of titles) {
    if (title.size === 0) continue;
    let shared = 0;
    for (const word of own) if (title.has(word)) shared++;
    best = Math.max(best, shared / Math.min(own.size, title.size));
  }
  return best;
}

function paragraphText(block: StoryElement): number {
  let length = 0;
  for (const paragraph of block.querySelectorAll('p')) length += (paragraph.textContent ?? '').trim().length;
  return length;
}

/** An element's place in a site's template: its tag and class. */
const shape = (element: StoryElement) => `${element.tagName}.${element.getAttribute('class') ?? ''}`;

/**
 * Removes from `doc` the other stories of a page that holds several. A story block is the largest
 * element around a headline (an <h1>, or the first heading of an <article>) that holds no other
 * headline. The requested block's headline matches one of `titles` (the page's og:title and <title>)
 * best, clearly, and its paragraphs hold a story; blocks built like it (the requested block's tag and
 * class, the site's template for one story, found between their headline and their block: the next
 * story may sit inside a wrapper) whose headline does not match are removed.
 * Pages with one story, or where no headline matches clearly, are left as they are.
 */
export function keepRequestedStory(doc: StoryDocument, titles: Array<string | null | undefined>): void {
  const headlines = new Set<StoryElement>(doc.querySelectorAll('h1'));
  for (const article of doc.querySelectorAll('article')) {
    const heading = article.querySelector('h1, h2');
    if (heading) headlines.add(heading);
  }
  if (headlines.size < 2) return;
  const all = [...headlines];
  const titleWords = titles.filter((title): title is string => Boolean(title)).map(words);
  const blocks = all.map((headline) => {
    // The shapes from the headline's container up to the block: the next story may sit inside a wrapper.
    const shapes = new Set<string>();
    let block = headline;
    while (block.parentElement && block.parentElement.tagName !== 'BODY' && !all.some((other) => other !== headline && block.parentElement!.contains(other))) {
      block = block.parentElement;
      shapes.add(shape(block));
    }
    return { block, shapes, match: headlineMatch(headline.textContent ?? '', titleWords) };
  });
  const best = Math.max(...blocks.map((entry) => entry.match));
  const requested = blocks.filter((entry) => entry.match === best);
  if (best < MATCH || requested.length > 1 || paragraphText(requested[0]!.block) < MIN_STORY_TEXT) return;
  const template = shape(requested[0]!.block);
  for (const entry of blocks) {
    if (entry.match <= best * OTHER && entry.shapes.has(template)) entry.block.remove();
  }
}
