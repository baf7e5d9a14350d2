/** Our own shape of a feed, whatever format it was published in. */
type FeedFormat = 'rss' | 'atom' | 'rdf' | 'json';

export interface FeedItem {
  /** guid/id exactly as published, else the item URL. */
  id: string | null;
  title: string | null;
  url: string | null;
  publishedAt: Date | null;
  updatedAt: Date | null;
  author: string | null;
  summary: string | null;
  contentHtml: string | null;
  imageUrl: string | null;
  categories: string[];
}

/**
 * What a feed says about when it changes, for adaptive polling: RSS 2.0 `<ttl>`, `<skipHours>` and
 * `<skipDays>` (RSS 2.0 specification), and the RSS 1.0 Syndication module (`sy:updatePeriod`,
 * `sy:updateFrequency`).
 */
export interface PublisherHints {
  /** RSS `<ttl>`: how long the feed may be cached, in ms. */
  ttlMs: number | null;
  /** `sy:updatePeriod` divided by `sy:updateFrequency`: how often the feed is updated, in ms. */
  updateEveryMs: number | null;
  /** RSS `<skipHours>`: hours of the day (0–23, GMT) in which the feed is not updated. */
  skipHours: number[];
  /** RSS `<skipDays>`: days (0 = Sunday … 6 = Saturday, GMT) on which the feed is not updated. */
  skipDays: number[];
}

/** Where a feed is pushed from (W3C WebSub §4 Discovery): its hubs and the topic URL to subscribe to. */
export interface PushLinks {
  hubs: string[];
  /** The feed's canonical URL (`rel="self"`), the topic of a subscription. */
  self: string | null;
}

export interface ParsedFeed extends PushLinks {
  format: FeedFormat;
  title: string | null;
  link: string | null;
  items: FeedItem[];
  hints: PublisherHints;
}

/** The `inspect feed --json` shape (interfaces.md). */
export function feedToJson(input: string, feed: ParsedFeed): Record<string, unknown> {
  return {
    input,
    format: feed.format,
    title: feed.title,
    link: feed.link,
    items: feed.items.map((item) => ({
      id: item.id,
      title: item.title,
      url: item.url,
      publishedAt: item.publishedAt?.toISOString() ?? null,
      updatedAt: item.updatedAt?.toISOString() ?? null,
      author: item.author,
      summary: item.summary,
      contentHtml: item.contentHtml,
      imageUrl: item.imageUrl,
      categories: item.categories,
    })),
  };
}
