import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverFeed, feedLinksIn } from '../../src/sources/discover.js';
import { createHttpClient, FetchError } from '../../src/sources/http.js';
import { FeedServer, rss } from '../fakes/feed-server.js';

const LIMITS = { maxBytes: 1_000_000, timeoutMs: 10_000 };
const page = (head: string) => `<!doctype html><html><head><title>Site</title>${head}</head><body><p>Hello</p></body></html>`;

describe('feed links in a page', () => {
  it('finds rel="alternate" links of feed types, resolved, in order, each once', () => {
    const html = page(`<base href="https://cdn.example/base/">
      <link rel="alternate" type="application/rss+xml" title="All stories" href="/rss.xml">
      <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="atom.xml">
      <link rel="alternate" type="application/feed+json" href="https://json.example/feed.json">
      <link rel="alternate" type="text/html" hreflang="de" href="/de/">
      <link rel="stylesheet" type="text/css" href="/s.css">
      <link rel="alternate" type="application/rss+xml" href="/rss.xml">`);
    expect(feedLinksIn(html, 'https://site.example/news/1')).toEqual([
      { url: 'https://cdn.example/rss.xml', title: 'All stories' },
      { url: 'https://cdn.example/base/atom.xml', title: null },
      { url: 'https://json.example/feed.json', title: null },
    ]);
    expect(feedLinksIn(page(''), 'https://site.example/')).toEqual([]);
  });
});

describe('discovering the feed behind a page, through the guarded client', () => {
  const server = new FeedServer();
  const http = createHttpClient({ userAgent: 'herald-test', allowPrivateNetwork: true });
  const blocked = createHttpClient({ userAgent: 'herald-test', allowPrivateNetwork: false });

  beforeAll(async () => {
    await server.start();
    server.setFeed('/news/rss.xml', rss('News', []));
    server.setFeed('/news/atom.xml', rss('News (Atom)', []));
    server.setPage('/one', page('<link rel="alternate" type="application/rss+xml" href="/news/rss.xml">'));
    server.setPage('/two', page('<link rel="alternate" type="application/rss+xml" title="RSS" href="/news/rss.xml"><link rel="alternate" type="application/atom+xml" title="Atom" href="/news/atom.xml">'));
    server.setPage('/article/42', page(''));
  });

  afterAll(async () => {
    await Promise.all([http.close(), blocked.close()]);
    await server.stop();
  });

  it('takes a feed as it is, a page’s one linked feed, and lists several to choose from', async () => {
    expect(await discoverFeed(http, server.url('/news/rss.xml'), LIMITS)).toMatchObject({ status: 'feed', fetched: { url: server.url('/news/rss.xml'), feed: { title: 'News' } } });
    expect(await discoverFeed(http, server.url('/one'), LIMITS)).toMatchObject({ status: 'feed', fetched: { url: server.url('/news/rss.xml') } });
    expect(await discoverFeed(http, server.url('/two'), LIMITS)).toEqual({
      status: 'choose',
      candidates: [
        { url: server.url('/news/rss.xml'), title: 'RSS' },
        { url: server.url('/news/atom.xml'), title: 'Atom' },
      ],
    });
  });

  it('tries the common paths of a page that links no feed, and says when there is none', async () => {
    expect(await discoverFeed(http, server.url('/article/42'), LIMITS)).toEqual({ status: 'none' });
    expect(server.count('/feed')).toBe(1);
    server.setFeed('/rss', rss('At /rss', []));
    expect(await discoverFeed(http, server.url('/article/42'), LIMITS)).toMatchObject({ status: 'feed', fetched: { url: server.url('/rss'), feed: { title: 'At /rss' } } });
  });

  it('keeps the SSRF rules: a private address is refused', async () => {
    await expect(discoverFeed(blocked, server.url('/one'), LIMITS)).rejects.toThrow(FetchError);
  });
});
