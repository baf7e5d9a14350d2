import twitterText from 'twitter-text';
import { fitSummary, splitSentences } from '../../articles/summarize.js';
import type { StoredArticle } from '../../store/store.js';

export const MAX_WEIGHTED_LENGTH = 280;
export const DEFAULT_TEMPLATE = '{title}\n\n{summary}\n\n{url} {hashtags}';
const MAX_HASHTAGS = 3;

export interface XPostOptions {
  /** Placeholders: {title} {summary} {url} {site} {hashtags}. */
  template?: string | null;
  /** Category (lower-cased) → hashtag. */
  hashtags?: ReadonlyMap<string, string>;
  /** Continue a summary that did not fit in a reply. */
  thread?: boolean;
}

export interface XPost {
  text: string;
  /** The rest of the summary, posted as a reply (thread mode), or null. */
  reply: string | null;
}

export function weightedLength(text: string): number {
  return twitterText.parseTweet(text).weightedLength;
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

/** Fills a template; lines left empty by missing values collapse, so no post carries blank gaps. */
function fill(template: string, values: Values): string {
  return template
    .replace(/\{(title|summary|url|site|hashtags)\}/g, (_, name: keyof Values) => values[name])
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
 */
export function renderXPost(article: Pick<StoredArticle, 'title' | 'summary' | 'url' | 'siteName' | 'categories'>, options: XPostOptions = {}): XPost {
  const template = options.template ?? DEFAULT_TEMPLATE;
  const values: Values = {
    title: '',
    summary: '',
    url: article.url,
    site: article.siteName ?? '',
    hashtags: hashtagsFor(article.categories ?? [], options.hashtags),
  };
  values.title = fitSummary(article.title, (candidate) => fits(fill(template, { ...values, title: candidate })));
  values.summary = article.summary ? fitSummary(article.summary, (candidate) => fits(fill(template, { ...values, summary: candidate }))) : '';
  const text = fill(template, values);
  if (!options.thread || !article.summary || values.summary === article.summary) return { text, reply: null };

  // The reply carries the sentences the post had no room for (all of them when the post cut mid-sentence).
  const all = splitSentences(article.summary);
  const used = values.summary.endsWith('…') ? 0 : splitSentences(values.summary).length;
  const rest = all.slice(used).join(' ');
  const reply = rest ? fitSummary(rest, fits) : '';
  return { text, reply: reply || null };
}
