import { Readability } from '@mozilla/readability';
import { parseDateLoose } from '../sources/dates.js';
import { contentElementText, removeFurniture, type ContentElement, type DocumentLike } from './furniture.js';
import { parsePage, type PageDocument } from './prune.js';
import { keepRequestedStory, type StoryDocument } from './stories.js';
import { collapseWhitespace, plainText } from '../text/text.js';
import { safeHttpUrl } from '../text/url.js';

export interface ExtractedArticle {
  /** Canonical URL as the page declares it (rel=canonical, og:url), else the page's own URL. */
  url: string | null;
  /** Where the page was read from, after redirects; null for a file. */
  fetchedUrl: string | null;
  title: string | null;
  byline: string | null;
  siteName: string | null;
  publishedAt: Date | null;
  lang: string | null;
  imageUrl: string | null;
  /** Main text, paragraphs separated by a blank line; empty when nothing readable was found. */
  text: string;
}

/** Pages beyond this are cut before parsing: no news article needs more, and DOM work is superlinear. */
const MAX_HTML_CHARS = 3_000_000;

type Doc = PageDocument;

/** Every <meta> by its property, name or itemprop (lower-cased), first one winning: one pass over the page. */
function metaTags(doc: Doc): (...keys: string[]) => string | null {
  const found = new Map<string, string>();
  for (const element of doc.querySelectorAll('meta[content]')) {
    const content = element.getAttribute('content')?.trim();
    if (!content) continue;
    for (const attribute of ['property', 'name', 'itemprop']) {
      const key = element.getAttribute(attribute)?.trim().toLowerCase();
      if (key && !found.has(key)) found.set(key, content);
    }
  }
  return (...keys) => {
    for (const key of keys) {
      const value = found.get(key.toLowerCase());
      if (value) return value;
    }
    return null;
  };
}

/** JSON-LD blocks often carry the only machine-readable publication date. */
function jsonLdDate(doc: Doc): string | null {
  for (const script of doc.querySelectorAll('script[type="application/ld+json"]')) {
    const match = /"datePublished"\s*:\s*"([^"]+)"/.exec(script.textContent ?? '');
    if (match) return match[1]!;
  }
  return null;
}

function readMetadata(doc: Doc, pageUrl: string | null) {
  const base = pageUrl ?? undefined;
  const meta = metaTags(doc);
  const canonical = doc.querySelector('link[rel="canonical"]')?.getAttribute('href');
  const imageLink = doc.querySelector('link[rel="image_src"]')?.getAttribute('href');
  return {
    url: safeHttpUrl(canonical, base) ?? safeHttpUrl(meta('og:url'), base) ?? safeHttpUrl(pageUrl),
    imageUrl:
      safeHttpUrl(meta('og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image', 'twitter:image:src'), base) ??
      safeHttpUrl(imageLink, base),
    publishedRaw:
      meta('article:published_time', 'datePublished', 'date', 'pubdate', 'dc.date', 'DC.date.issued', 'sailthru.date', 'parsely-pub-date') ??
      jsonLdDate(doc) ??
      doc.querySelector('time[datetime]')?.getAttribute('datetime') ??
      null,
    lang: doc.documentElement?.getAttribute('lang')?.trim() || meta('og:locale') || null,
    title: meta('og:title', 'twitter:title'),
  };
}

/**
 * Extracts an article's main text and metadata from its HTML. Pure: no I/O; `pageUrl` (where the page
 * was fetched from, if anywhere) resolves relative links. The page is parsed without what can never
 * be article text (parsePage), then read by Readability on linkedom with furniture removed before and after.
 * @param maxDepth deepest element nesting read (see parsePage); no limit by default
 * @throws PageTooDeepError when elements nest deeper than `maxDepth`
 */
export function extractArticle(html: string, pageUrl: string | null, maxDepth = Number.POSITIVE_INFINITY): ExtractedArticle {
  const document = parsePage(html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html, maxDepth);
  const metadata = readMetadata(document, pageUrl);
  removeFurniture(document as unknown as DocumentLike);
  const pageTitle = document.querySelector('title')?.textContent ?? '';
  keepRequestedStory(document as unknown as StoryDocument, [metadata.title, pageTitle]);

  const declaredBody = declaredArticleBody(document);

  // Readability changes the document it reads; metadata and the declared body were taken first.
  const result = readable(document);
  let text = result ? contentElementText(result.content) : '';
  if (declaredBody && text.length < declaredBody.textLength * 0.5) {
    // Readability's scoring sometimes settles on a print footer or teaser; the page's own
    // markup (articleBody, <article>, <main>) then names the story better.
    const retry = parsePage(`<!doctype html><html><head><title></title></head><body>${declaredBody.html}</body></html>`);
    const second = readable(retry);
    const secondText = second ? contentElementText(second.content) : '';
    if (secondText.length > text.length) text = secondText;
  }
  const title = plainText(result?.title) ?? plainText(pageTitle);
  return {
    url: metadata.url,
    fetchedUrl: pageUrl,
    title,
    byline: cleanByline(result?.byline),
    siteName: plainText(result?.siteName),
    publishedAt: parseDateLoose(result?.publishedTime ?? metadata.publishedRaw),
    lang: result?.lang?.trim() || metadata.lang,
    imageUrl: metadata.imageUrl,
    text,
  };
}

type ParseResult = ReturnType<Readability<ContentElement>['parse']>;

/**
 * Readability's reading of a page. Its `serializer` option returns the article element itself
 * (github.com/mozilla/readability README, `serializer`), so the text is read from the tree rather
 * than from HTML serialised and parsed again.
 */
function readable(doc: Doc): ParseResult {
  return new Readability<ContentElement>(doc as unknown as ConstructorParameters<typeof Readability>[0], {
    charThreshold: 300,
    serializer: (element) => element as unknown as ContentElement,
  }).parse();
}

/** The element the page itself marks as the article (its HTML: Readability changes the page), with the length of its paragraph text. */
function declaredArticleBody(doc: Doc): { html: string; textLength: number } | null {
  let best: { element: NonNullable<ReturnType<Doc['querySelector']>>; textLength: number } | null = null;
  for (const selector of ['[itemprop="articleBody"]', 'article', 'main', '[role="main"]']) {
    for (const element of doc.querySelectorAll(selector)) {
      let textLength = 0;
      for (const paragraph of element.querySelectorAll('p')) textLength += (paragraph.textContent ?? '').trim().length;
      if (!best || textLength > best.textLength) best = { element, textLength };
    }
    if (best && best.textLength > 0) break;
  }
  return best && { html: best.element.outerHTML, textLength: best.textLength };
}

function cleanByline(byline: string | null | undefined): string | null {
  const text = plainText(byline);
  if (!text) return null;
  const cleaned = collapseWhitespace(text.replace(/^by\s+/i, ''));
  return cleaned.length > 0 && cleaned.length <= 200 ? cleaned : null;
}
