import twitterText from 'twitter-text';
import { fitSummary, splitSentences } from '../../articles/summarize.js';
import type { Article } from '../../articles/article.js';
import { cutText } from '../../text/cut.js';

const MAX_WEIGHTED_LENGTH = 280;
/** X's limit for an image's alt text, in characters (POST /2/media/metadata: `alt_text.text`, 1,000). */
export const MAX_ALT_TEXT = 1000;
const DEFAULT_TEMPLATE = '{title}\n\n{summary}\n\n{url} {hashtags}';
const MAX_HASHTAGS = 3;

export interface XPostOptions {
  /** Placeholders: {title} {summary} {url} {site} {hashtags}. */
  template?: string | null;
  /** Category (lower-cased) → hashtag. */
  hashtags?: ReadonlyMap<string, string>;
  /** Continue a summary that did not fit in a reply. */
  thread?: boolean;
  /** Let @handles in the article's title, summary and site name mention accounts (default false: they are neutralised). */
  mentions?: boolean;
}

export interface XPost {
  text: string;
  /** The rest of the summary, posted as a reply (thread mode), or null. */
  reply: string | null;
}

export function weightedLength(text: string): number {
  return twitterText.parseTweet(text).weightedLength;
}

/**
 * U+200B ZERO WIDTH SPACE. Right after an at sign it ends a mention: X links a mention only when the
 * name follows the sign directly (twitter-text, X's published parsing rules, github.com/twitter/twitter-text;
 * X keeps U+200B in posts and its parser honours it: twitter-archive/twitter-text-js#68). The text reads
 * the same. A fullwidth ＠ would not do: X reads it as an at sign too.
 */
const MENTION_BREAK = '\u200B';

/**
 * `text` with every mention X would link (`@name`, `@name/list`, `@everyone`, `＠name`, exactly as
 * twitter-text finds them) broken by a zero-width space after its at sign, so the post tags no account.
 * URLs (even with an @ in their path), e-mail addresses, #hashtags and $cashtags are left as they are.
 */
function neutralizeMentions(text: string): string {
  if (!/[@＠]/.test(text)) return text;
  const starts = twitterText
    .extractEntitiesWithIndices(text)
    .filter((entity) => entity.screenName !== undefined)
    .map((entity) => entity.indices[0]);
  // From the end, so earlier offsets stay right. A break only changes what follows its own at sign,
  // and a mention's sign is never followed by another sign, so no new mention can appear.
  let result = text;
  for (const start of starts.reverse()) result = `${result.slice(0, start + 1)}${MENTION_BREAK}${result.slice(start + 1)}`;
  return result;
}

function fits(text: string): boolean {
  return weightedLength(text) <= MAX_WEIGHTED_LENGTH;
}

/** Hashtags for an article's categories, from the configured map; at most three, no repeats. */
export function hashtagsFor(categories: readonly string[], map: ReadonlyMap<string, string> | undefined): string {
  if (!map || map.size === 0) return '';
  const tags = new Set<string>();
  for (const category of categories) {
    const tag = map.get(category.toLowerCase());
    if (tag) tags.add(tag);
  }
  return [...tags].slice(0, MAX_HASHTAGS).join(' ');
}

type Values = Record<'title' | 'summary' | 'url' | 'site' | 'hashtags', string>;

/** The placeholders whose values come from the feed, where a mention could hide. */
const FEED_TEXT = new Set(['title', 'summary', 'site']);

/**
 * Fills a template; lines left empty by missing values collapse, so no post carries blank gaps.
 * `feedText` is applied to the values that come from the feed.
 */
function fill(template: string, values: Values, feedText: (text: string) => string): string {
  return template
    .replace(/\{(title|summary|url|site|hashtags)\}/g, (_, name: keyof Values) => (FEED_TEXT.has(name) ? feedText(values[name]) : values[name]))
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * One post per article from the route's template: as much of the title and summary as fits (whole
 * sentences, else whole words and "…"), at most 280 weighted characters by twitter-text's rules
 * (a URL counts 23, CJK and emoji 2). In thread mode the rest of the summary becomes a reply.
 * Cuts fall between whole words, or whole graphemes when one word is too long: a title of emoji or
 * of one long word is shortened with "…", never dropped. Mentions in feed text are neutralised unless
 * `options.mentions` is true.
 */
export function renderXPost(article: Pick<Article, 'title' | 'summary' | 'url' | 'siteName' | 'categories'>, options: XPostOptions = {}): XPost {
  const template = options.template ?? DEFAULT_TEMPLATE;
  // Mentions are neutralised in every candidate measured, so what is measured is what is posted.
  const feedText = options.mentions ? (text: string) => text : neutralizeMentions;
  const values: Values = {
    title: '',
    summary: '',
    url: article.url,
    site: article.siteName ?? '',
    hashtags: hashtagsFor(article.categories ?? [], options.hashtags),
  };
  values.title = fitSummary(article.title, (candidate) => fits(fill(template, { ...values, title: candidate }, feedText)));
  values.summary = article.summary ? fitSummary(article.summary, (candidate) => fits(fill(template, { ...values, summary: candidate }, feedText))) : '';
  const text = fill(template, values, feedText);
  if (!options.thread || !article.summary || values.summary === article.summary) return { text, reply: null };

  // The reply carries the sentences the post had no room for (all of them when the post cut mid-sentence).
  const all = splitSentences(article.summary);
  const used = values.summary.endsWith('…') ? 0 : splitSentences(values.summary).length;
  const rest = all.slice(used).join(' ');
  const reply = rest ? feedText(fitSummary(rest, (candidate) => fits(feedText(candidate)))) : '';
  return { text, reply: reply || null };
}

/** The alt text for an article's lead image: its title, cut between whole graphemes to X's 1,000 characters. */
export function altText(article: Pick<Article, 'title'>): string {
  return cutText(article.title, MAX_ALT_TEXT);
}
