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

export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  link: string | null;
  items: FeedItem[];
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
