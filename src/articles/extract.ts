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

type PageElement = NonNullable<ReturnType<Doc['querySelector']>>;

/**
 * The elements metadata is read from, in one walk over the page (a query per kind walked all of it):
 * <meta content>, the first <link rel=canonical> and <link rel=image_src>, JSON-LD scripts and the first
 * <time datetime>. Values of rel and type compare without case, as selectors do in HTML
 * (html.spec.whatwg.org, case-sensitivity of selectors).
 */
function metadataElements(doc: Doc) {
  const metas: PageElement[] = [];
  const jsonLd: PageElement[] = [];
  let canonical: PageElement | null = null;
  let imageLink: PageElement | null = null;
  let time: PageElement | null = null;
  for (const element of doc.querySelectorAll('meta, link, script, time')) {
    switch (element.localName) {
      case 'meta':
        if (element.hasAttribute('content')) metas.push(element);
        break;
      case 'link': {
        const rel = element.getAttribute('rel')?.toLowerCase();
        if (rel === 'canonical') canonical ??= element;
        else if (rel === 'image_src') imageLink ??= element;
        break;
      }
      case 'script':
        if (element.getAttribute('type')?.toLowerCase() === 'application/ld+json') jsonLd.push(element);
        break;
      case 'time':
        if (element.hasAttribute('datetime')) time ??= element;
        break;
    }
  }
  return { metas, jsonLd, canonical, imageLink, time };
}

/** Every <meta> by its property, name or itemprop (lower-cased), first one winning. */
function metaTags(metas: readonly PageElement[]): (...keys: string[]) => string | null {
  const found = new Map<string, string>();
  for (const element of metas) {
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
function jsonLdDate(scripts: readonly PageElement[]): string | null {
  for (const script of scripts) {
    const match = /"datePublished"\s*:\s*"([^"]+)"/.exec(script.textContent ?? '');
    if (match) return match[1]!;
  }
  return null;
}

function readMetadata(doc: Doc, pageUrl: string | null) {
  const base = pageUrl ?? undefined;
  const elements = metadataElements(doc);
  const meta = metaTags(elements.metas);
  const canonical = elements.canonical?.getAttribute('href');
  const imageLink = elements.imageLink?.getAttribute('href');
  return {
    url: safeHttpUrl(canonical, base) ?? safeHttpUrl(meta('og:url'), base) ?? safeHttpUrl(pageUrl),
    imageUrl:
      safeHttpUrl(meta('og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image', 'twitter:image:src'), base) ??
      safeHttpUrl(imageLink, base),
    publishedRaw:
      meta('article:published_time', 'datePublished', 'date', 'pubdate', 'dc.date', 'DC.date.issued', 'sailthru.date', 'parsely-pub-date') ??
      jsonLdDate(elements.jsonLd) ??
      elements.time?.getAttribute('datetime') ??
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
  const source = html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html;
  const { document, metadata, pageTitle } = preparePage(source, pageUrl, maxDepth);
  const declaredBody = declaredArticleBody(document);

  // Readability changes the document it reads; metadata and the declared body's length were taken first.
  const result = readable(document);
  let text = result ? contentElementText(result.content) : '';
  if (declaredBody && text.length < declaredBody.textLength * 0.5) {
    // Readability's scoring sometimes settles on a print footer or teaser; the page's own
    // markup (articleBody, <article>, <main>) then names the story better. Readability changed the
    // first document, so the declared body is read from the page prepared again (the same steps make
    // the same tree): rarely needed, and no page pays for serialising it otherwise.
    const declared = declaredArticleBody(preparePage(source, pageUrl, maxDepth).document)!;
    const retry = parsePage(`<!doctype html><html><head><title></title></head><body>${declared.element.outerHTML}</body></html>`);
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

/** The page parsed (parsePage), its metadata read, its furniture removed and, on a page of several stories, the requested one kept. */
function preparePage(html: string, pageUrl: string | null, maxDepth: number) {
  const document = parsePage(html, maxDepth);
  const metadata = readMetadata(document, pageUrl);
  removeFurniture(document as unknown as DocumentLike);
  const pageTitle = document.querySelector('title')?.textContent ?? '';
  keepRequestedStory(document as unknown as StoryDocument, [metadata.title, pageTitle]);
  return { document, metadata, pageTitle };
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

/** The element the page itself marks as the article, with the length of its paragraph text. */
function declaredArticleBody(doc: Doc): { element: PageElement; textLength: number } | null {
  let best: { element: PageElement; textLength: number } | null = null;
  for (const selector of ['[itemprop="articleBody"]', 'article', 'main', '[role="main"]']) {
    for (const element of doc.querySelectorAll(selector)) {
      let textLength = 0;
      for (const paragraph of element.querySelectorAll('p')) textLength += (paragraph.textContent ?? '').trim().length;
      if (!best || textLength > best.textLength) best = { element, textLength };
    }
    if (best && best.textLength > 0) break;
  }
  return best;
}

function cleanByline(byline: string | null | undefined): string | null {
  const text = plainText(byline);
  if (!text) return null;
  const cleaned = collapseWhitespace(text.replace(/^by\s+/i, ''));
  return cleaned.length > 0 && cleaned.length <= 200 ? cleaned : null;
}
