import type { Article } from '../src/articles/article.js';

/**
 * An article for tests: the story `fields.id` (default "a") of feed "news", with a URL, title and
 * summary made from its id, published at 1,000 ms and first seen at 2,000 ms (epoch ms), in category
 * "World"; `fields` overrides any of it.
 */
export function article(fields: Partial<Article> = {}): Article {
  const id = fields.id ?? 'a';
  return {
    id,
    feedId: 'news',
    url: `https://news.example/${id}`,
    title: `Title ${id}`,
    summary: `Summary of ${id}.`,
    author: null,
    siteName: 'News',
    imageUrl: null,
    publishedAt: 1_000,
    firstSeenAt: 2_000,
    categories: ['World'],
    ...fields,
  };
}

/** An article published (and first seen) at `publishedAt`, in epoch ms: for tests of queue order. */
export function publishedAt(id: string, publishedAt: number): Article {
  return article({ id, publishedAt, firstSeenAt: publishedAt });
}
