import twitterText from 'twitter-text';
import { fitSummary } from '../../articles/summarize.js';
import type { StoredArticle } from '../../store/store.js';

export const MAX_WEIGHTED_LENGTH = 280;

function compose(title: string, summary: string, url: string): string {
  return [title, summary, url].filter(Boolean).join('\n\n');
}

function fits(text: string): boolean {
  const parsed = twitterText.parseTweet(text);
  return parsed.weightedLength <= MAX_WEIGHTED_LENGTH;
}

/**
 * One post per article: title, as much of the summary as fits (whole sentences, else words and
 * "…"), and the link; at most 280 weighted characters by twitter-text's rules (a URL counts 23).
 */
export function renderTweet(article: Pick<StoredArticle, 'title' | 'summary' | 'url'>): string {
  const title = fitSummary(article.title, (candidate) => fits(compose(candidate, '', article.url)));
  const summary = article.summary ? fitSummary(article.summary, (candidate) => fits(compose(title, candidate, article.url))) : '';
  return compose(title, summary, article.url);
}
