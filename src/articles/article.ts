import type { FeedItem } from '../sources/feed.js';
import type { FetchFailure } from '../sources/http.js';
import type { StoredArticle } from '../store/store.js';
import type { ExtractedArticle } from './extract.js';
import { contentText } from './furniture.js';
import { canonicalUrl, storyId } from './identity.js';
import { pageMismatch } from './landing.js';
import { summarize, type SummaryLimits } from './summarize.js';
import { plainText } from '../text/text.js';

/**
 * An article: the story Herald made of a feed item and its page, as it is posted and kept. The
 * store keeps exactly these fields (store/store.ts StoredArticle is its stored shape, read back with
 * its revision and categories); this is the name everything above the store uses.
 */
export type Article = StoredArticle;

export interface ArticleSource {
  feedId: string;
  /** Names the site when neither `siteName` nor the page does: the feed's title, else its configured name or id. */
  feedName: string;
  /** The site name the config gives the feed (feeds[].name), which wins over the page's; null: none given. */
  siteName: string | null;
  item: FeedItem;
  /** The article page as extracted, or null when it could not be fetched or read. */
  page: ExtractedArticle | null;
  /** Told why the page was set aside as not the item's article (a consent wall, a front page…), for a log line. */
  onPageRejected?: (reason: string) => void;
}

/** Why a page was not extracted: it took longer than the time budget, or its elements nest too deep. */
export type ExtractionFailure = 'too-slow' | 'too-deep';

/** Why a page could not be used: a fetch failure's kind, not HTML, too costly to extract, or not readable as a page. */
export type PageFailure = FetchFailure | ExtractionFailure | 'not-html' | 'unreadable';

/** An article page as fetched and extracted; a failed load keeps its kind (and HTTP status), so callers decide on data, never on the wording. */
export type PageResult = { ok: true; page: ExtractedArticle } | { ok: false; kind: PageFailure; status?: number; reason: string };

/** An article built from a feed item; `article` is null when the item has no usable link. */
export interface PreparedArticle {
  article: Article | null;
  /** The main text the summary was made from, and the page's language (BCP 47 as written) or null: what route filters read beside the article. */
  text: string;
  language: string | null;
  /** Why the item's page could not be used (its feed text was used instead), or null. */
  pageFailure: string | null;
  /** Why the page that came back was set aside as not the item's article (its feed text was used instead), or null. */
  pageRejected: string | null;
}

/** Where a page fetch may connect: loopback and private addresses too (a feed with privateNetwork), or only public ones. */
export interface PageReach {
  privateNetwork: boolean;
}

/** Turns feed items into articles, fetching their pages; the I/O is the implementer's (pipeline/pages.ts). */
export interface ArticlePreparer {
  /** Fetches and extracts one article page within `reach`; never throws. */
  loadPage(url: string, reach: PageReach): Promise<PageResult>;
  /** Fetches the item's page (when it links one) within `reach` (its feed's) and builds the article from both; never throws for a page. */
  prepare(source: Omit<ArticleSource, 'page'>, reach: PageReach): Promise<PreparedArticle>;
}

/** Below this, a page's text is a teaser or a paywall notice: the feed's own content says more. */
const MIN_PAGE_TEXT = 200;

/**
 * The page's canonical URL names the story only when it points at a page of the same site;
 * a canonical pointing at a home page or another site would merge unrelated stories.
 */
function trustedCanonical(pageCanonical: string | null, itemUrl: string | null): string | null {
  if (!pageCanonical || !itemUrl) return null;
  const page = new URL(pageCanonical);
  const item = new URL(itemUrl);
  const sameSite = page.hostname.replace(/^www\./, '') === item.hostname.replace(/^www\./, '');
  return sameSite && page.pathname.length > 1 ? canonicalUrl(pageCanonical) : null;
}

/** The main text Herald summarizes: the page's, unless the feed's own content (`feedText`) is longer. */
function articleText(feedText: string, page: ExtractedArticle | null): string {
  const pageText = page?.text ?? '';
  return pageText.length >= MIN_PAGE_TEXT || pageText.length >= feedText.length ? pageText : feedText;
}

/**
 * Builds the article Herald stores and posts from a feed item and its page, with the main text and
 * language it was read from (null when the item has no usable link). A page that is not the item's
 * article ({@link pageMismatch}) is set aside, and `onPageRejected` told why. Pure otherwise.
 */
export function buildArticle(source: ArticleSource, limits: SummaryLimits, now: number): { article: Article; text: string; language: string | null } | null {
  const { item } = source;
  const feedText = item.contentHtml ? contentText(item.contentHtml) : (item.summary ?? '');
  const rejected = source.page ? pageMismatch({ url: item.url, title: item.title, description: feedText }, source.page) : null;
  if (rejected) source.onPageRejected?.(rejected);
  const page = rejected ? null : source.page;
  const link = canonicalUrl(item.url ?? '') ?? page?.url ?? null;
  if (!link) return null;
  const identity = trustedCanonical(page?.url ?? null, link) ?? link;
  const text = articleText(feedText, page);
  const title = item.title ?? page?.title ?? plainText(link)!;
  const article: Article = {
    id: storyId(identity),
    feedId: source.feedId,
    url: link,
    title,
    summary: text ? summarize(text, limits) : '',
    author: item.author ?? page?.byline ?? null,
    siteName: source.siteName ?? page?.siteName ?? source.feedName,
    imageUrl: page?.imageUrl ?? item.imageUrl,
    publishedAt: (item.publishedAt ?? page?.publishedAt)?.getTime() ?? null,
    firstSeenAt: now,
    categories: item.categories.slice(0, 20),
  };
  return { article, text, language: page?.lang ?? null };
}
