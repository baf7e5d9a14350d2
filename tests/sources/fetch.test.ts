import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { FeedServer } from '../fakes/feed-server.js';
import { fetchFeed } from '../../src/sources/fetch.js';
import { createHttpClient, FetchError } from '../../src/sources/http.js';

const LIMITS = { maxBytes: 1_000_000, timeoutMs: 10_000 };

describe('fetchFeed over HTTP', () => {
  const server = new FeedServer();
  const http = createHttpClient({ userAgent: 'herald-test', allowPrivateNetwork: true });

  beforeAll(async () => {
    await server.start();
    // The document says UTF-8, the server says KOI8-R, and the bytes are KOI8-R: the header wins (RFC 7303 §8.4).
    const body = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>'),
      iconv.encode('Новости', 'koi8-r'),
      Buffer.from('</title><item><title>a</title><link>story.html</link><guid isPermaLink="false">1</guid></item></channel></rss>'),
    ]);
    server.set('/news/feed.xml', { body, contentType: 'application/rss+xml; charset=KOI8-R' });
    server.set('/old-feed', { body: '', contentType: 'text/plain', status: 301, headers: { location: '/news/feed.xml' } });
  });

  afterAll(async () => {
    await http.close();
    await server.stop();
  });

  it('decodes with the Content-Type charset and resolves links against the URL after redirects', async () => {
    const { feed, url } = await fetchFeed(http, server.url('/old-feed'), LIMITS);
    expect(url).toBe(server.url('/news/feed.xml'));
    expect(feed.title).toBe('Новости');
    expect(feed.items[0]!.url).toBe(server.url('/news/story.html'));
  });

  it('sends the validators it is given and answers not-modified to a 304 (RFC 9110 §13.1.2)', async () => {
    const first = await fetchFeed(http, server.url('/news/feed.xml'), LIMITS, { etag: null, lastModified: null });
    expect(first.status).toBe('ok');
    const { etag, lastModified } = first as Extract<typeof first, { status: 'ok' }>;
    expect(etag).toMatch(/^".+"$/);
    expect(await fetchFeed(http, server.url('/news/feed.xml'), LIMITS, { etag, lastModified })).toMatchObject({ status: 'not-modified' });
  });

  it('treats a 304 to a request that was not conditional as a failed fetch', async () => {
    server.set('/always-304', { body: '', contentType: 'text/plain', status: 304 });
    await expect(fetchFeed(http, server.url('/always-304'), LIMITS)).rejects.toBeInstanceOf(FetchError);
  });
});
