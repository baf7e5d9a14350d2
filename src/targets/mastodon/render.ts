import twitterText from 'twitter-text';
import { fitSummary } from '../../articles/summarize.js';
import type { Article } from '../../articles/article.js';
import { cutText } from '../../text/cut.js';
import { breakMentions } from '../../text/text.js';

/** An instance's status limits, as GET /api/v2/instance gives them (`configuration.statuses`). */
export interface StatusLimits {
  /** The most characters (grapheme clusters) a status may have, its content warning included. */
  maxCharacters: number;
  /** What every URL counts, however long it is (`characters_reserved_per_url`, 23 on Mastodon). */
  charactersPerUrl: number;
}

/** How a route shapes its statuses. */
export interface StatusOptions {
  /** The content warning (`spoiler_text`), which counts towards the limit, or null. */
  spoiler: string | null;
  limits: StatusLimits;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const MAX_HASHTAGS = 4;
/** Mastodon keeps at most this many characters of an image description (MediaAttachment::MAX_DESCRIPTION_LENGTH). */
const MAX_DESCRIPTION = 1500;

function graphemeCount(text: string): number {
  let count = 0;
  for (const _ of graphemes.segment(text)) count++;
  return count;
}

/** Text that looks like a link but that twitter-text does not take for one (an unknown top-level domain). */
const OTHER_LINKS = /https?:\/\/[^\s]+/g;

/** Graphemes of text outside recognised URLs; a link Mastodon might still take for a URL counts at least `charactersPerUrl`. */
function plainLength(text: string, charactersPerUrl: number): number {
  let length = graphemeCount(text);
  for (const [link] of text.matchAll(OTHER_LINKS)) length += Math.max(0, charactersPerUrl - graphemeCount(link));
  return length;
}

/**
 * A status's length as Mastodon counts it (StatusLengthValidator, docs.joinmastodon.org/user/posting/#text):
 * grapheme clusters, with every URL that has a scheme counted as `charactersPerUrl` however long it
 * is (URLs found as twitter-text finds them, which Mastodon's extractor follows). Where the two may
 * differ, it counts more: a link twitter-text does not recognise counts in full but never less than
 * a URL, and mentions count in full (Mastodon counts `@user@domain` as `@user`). Pure.
 */
export function statusLength(text: string, charactersPerUrl: number): number {
  let length = 0;
  let from = 0;
  for (const { indices } of twitterText.extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false })) {
    length += plainLength(text.slice(from, indices[0]), charactersPerUrl) + charactersPerUrl;
    from = indices[1];
  }
  return length + plainLength(text.slice(from), charactersPerUrl);
}

/**
 * Hashtags for an article's categories as published, at most four, no repeats (case-insensitive):
 * "World news" → "#WorldNews", "covid-19" → "#covid19". A category with nothing left but digits or
 * longer than 60 characters gives none (Mastodon links only tags of letters, digits and "_" that are
 * not all digits). Pure.
 */
export function hashtagsFor(categories: readonly string[]): string[] {
  const tags = new Map<string, string>();
  for (const category of categories) {
    const parts = category.normalize('NFC').split(/[^\p{L}\p{M}\p{N}_]+/u).filter(Boolean);
    const tag = parts.map((part, index) => (index > 0 ? part[0]!.toLocaleUpperCase() + part.slice(1) : part)).join('');
    if (!tag || /^[\p{N}_]+$/u.test(tag) || tag.length > 60) continue;
    if (!tags.has(tag.toLowerCase())) tags.set(tag.toLowerCase(), `#${tag}`);
    if (tags.size === MAX_HASHTAGS) break;
  }
  return [...tags.values()];
}

/**
 * A status for an article: title, summary, link and hashtags, each on its own paragraph, within the
 * instance's limit counted as Mastodon does ({@link statusLength}; the content warning counts too).
 * The title and summary are cut between whole sentences, else whole words or graphemes with "…";
 * hashtags are dropped, last first, before the title is cut. Mentions in feed text are neutralised.
 * Returns the status text. Pure.
 */
export function renderMastodonStatus(article: Pick<Article, 'title' | 'summary' | 'url' | 'categories'>, options: StatusOptions): string {
  const { limits } = options;
  const room = limits.maxCharacters - (options.spoiler ? graphemeCount(options.spoiler) : 0);
  const measure = (text: string) => statusLength(text, limits.charactersPerUrl);
  // Paragraphs are measured one by one (a blank line ends every URL): the length of the whole is their
  // sum and two characters between each, so a long summary is not measured again for every cut tried.
  const fits = (...lengths: number[]) => {
    const present = lengths.filter((length) => length > 0);
    return present.reduce((sum, length) => sum + length, 0) + 2 * Math.max(0, present.length - 1) <= room;
  };
  const title = breakMentions(article.title.trim());
  const summary = breakMentions(article.summary.trim());
  const url = measure(article.url);
  const tags = hashtagsFor(article.categories ?? []);
  const titleLength = measure(title);
  while (tags.length > 0 && !fits(titleLength, url, measure(tags.join(' ')))) tags.pop();
  const tagsLength = measure(tags.join(' '));
  const fittedTitle = fitSummary(title, (candidate) => fits(measure(candidate), url, tagsLength));
  const used = measure(fittedTitle);
  const fittedSummary = summary ? fitSummary(summary, (candidate) => fits(used, measure(candidate), url, tagsLength)) : '';
  return [fittedTitle, fittedSummary, article.url, tags.join(' ')].filter(Boolean).join('\n\n');
}

/** The description (alt text) for an article's lead image: its title, cut between graphemes to Mastodon's 1,500 characters. */
export function imageDescription(article: Pick<Article, 'title'>): string {
  return cutText(article.title, MAX_DESCRIPTION);
}
