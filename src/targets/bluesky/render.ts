import { fitSummary } from '../../articles/summarize.js';
import type { Article } from '../../articles/article.js';
import { cutToFit } from '../../text/cut.js';

/** app.bsky.feed.post `text`: at most 300 graphemes and 3,000 UTF-8 bytes (the lexicon's maxGraphemes and maxLength). */
export const MAX_POST_GRAPHEMES = 300;
const MAX_POST_BYTES = 3000;
/** Link cards: Herald's own bounds for the card's title and description (graphemes; the lexicon sets none). */
const MAX_CARD_TITLE = 300;
const MAX_CARD_DESCRIPTION = 1000;
/** How much of a link's path the post shows before "…", in UTF-16 units, as the Bluesky app shortens links (host + 13). */
const SHOWN_PATH = 14;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Grapheme clusters in `text` (UAX #29 through Intl.Segmenter, as the atproto lexicon validator counts them). */
export function graphemeLength(text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

/** A rich-text facet (app.bsky.richtext.facet): a link over UTF-8 byte offsets of the post text, end exclusive. */
interface LinkFacet {
  index: { byteStart: number; byteEnd: number };
  features: [{ $type: 'app.bsky.richtext.facet#link'; uri: string }];
}

/** A Bluesky post as Herald writes it, before the card's thumbnail is uploaded. */
export interface BlueskyPost {
  text: string;
  facets: LinkFacet[];
  /** The link card (app.bsky.embed.external): the article's URL, title and summary. */
  card: { uri: string; title: string; description: string };
}

/**
 * How a link reads in the post: the host and the start of the path, "…" after 14 characters of it
 * (as the Bluesky app shortens links), so a long URL costs few of the 300 graphemes; the facet
 * carries the whole URL. A URL that does not parse is shown as it is.
 */
export function shownLink(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return url;
  const rest = (parsed.pathname === '/' ? '' : parsed.pathname) + parsed.search + parsed.hash;
  return parsed.host + cutToFit(rest, (candidate) => candidate.length <= SHOWN_PATH);
}

function fits(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') <= MAX_POST_BYTES && graphemeLength(text) <= MAX_POST_GRAPHEMES;
}

/**
 * One post per article: the title, as much of the summary as fits (whole sentences, else whole
 * words and "…") and the link, at most 300 graphemes and 3,000 UTF-8 bytes (app.bsky.feed.post).
 * The link is a facet whose offsets count UTF-8 bytes, as atproto rich text requires
 * (atproto.com/specs/lexicon, app.bsky.richtext.facet); its text is the shortened link (shownLink).
 * Cuts fall between whole graphemes (an emoji ZWJ sequence or a flag stays whole). Feed text never
 * mentions or tags anyone: Bluesky links mentions and hashtags only through facets, and Herald makes
 * none but the link. The card carries the title and summary (cut to 300 and 1,000 graphemes).
 */
export function renderBlueskyPost(article: Pick<Article, 'title' | 'summary' | 'url'>): BlueskyPost {
  const link = shownLink(article.url);
  const compose = (title: string, summary: string) => [title, summary, link].filter(Boolean).join('\n\n');
  const title = fitSummary(article.title, (candidate) => fits(compose(candidate, '')));
  const summary = article.summary ? fitSummary(article.summary, (candidate) => fits(compose(title, candidate))) : '';
  const text = compose(title, summary);
  const byteStart = Buffer.byteLength(text, 'utf8') - Buffer.byteLength(link, 'utf8');
  return {
    text,
    facets: [{ index: { byteStart, byteEnd: byteStart + Buffer.byteLength(link, 'utf8') }, features: [{ $type: 'app.bsky.richtext.facet#link', uri: article.url }] }],
    card: {
      uri: article.url,
      title: cutToFit(article.title, (candidate) => graphemeLength(candidate) <= MAX_CARD_TITLE),
      description: cutToFit(article.summary, (candidate) => graphemeLength(candidate) <= MAX_CARD_DESCRIPTION),
    },
  };
}
