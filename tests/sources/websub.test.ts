import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseFeedText } from '../../src/sources/parse.js';
import { linkHeaderPush, pushLinks, signatureMatches } from '../../src/sources/websub.js';

const body = Buffer.from('<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title></feed>');
const sign = (method: string, secret: string, bytes: Uint8Array) => `${method}=${createHmac(method, secret).update(bytes).digest('hex')}`;

describe('X-Hub-Signature (W3C WebSub §7)', () => {
  it('accepts the HMAC of the body under the secret, with any method the spec names', () => {
    for (const method of ['sha1', 'sha256', 'sha384', 'sha512']) expect(signatureMatches('s3cret', sign(method, 's3cret', body), body)).toBe(true);
    expect(signatureMatches('s3cret', sign('sha256', 's3cret', body).toUpperCase().replace('SHA256', 'sha256'), body)).toBe(true);
  });

  it('refuses another secret, another body, a truncated or unknown signature, and none', () => {
    expect(signatureMatches('s3cret', sign('sha256', 'other', body), body)).toBe(false);
    expect(signatureMatches('s3cret', sign('sha256', 's3cret', Buffer.from('changed')), body)).toBe(false);
    expect(signatureMatches('s3cret', sign('sha256', 's3cret', body).slice(0, -2), body)).toBe(false);
    expect(signatureMatches('s3cret', `md5=${createHmac('md5', 's3cret').update(body).digest('hex')}`, body)).toBe(false);
    expect(signatureMatches('s3cret', undefined, body)).toBe(false);
    expect(signatureMatches('s3cret', '', body)).toBe(false);
  });
});

describe('hub discovery (W3C WebSub §4)', () => {
  it('reads rel="hub" and rel="self" from a Link header, relative ones against the feed URL', () => {
    const header = '<https://hub.example/>; rel="hub", </feed.xml>; rel=self, <https://other.example/>; rel="alternate", <https://hub2.example/>; rel="hub"';
    expect(linkHeaderPush(header, 'https://news.example/x/feed')).toEqual({ hubs: ['https://hub.example/', 'https://hub2.example/'], self: 'https://news.example/feed.xml' });
    expect(linkHeaderPush(null, 'https://news.example/')).toEqual({ hubs: [], self: null });
  });

  it('finds hubs in RSS atom:link, Atom link and JSON Feed hubs; the Link header wins over the document', () => {
    const rssFeed = parseFeedText(
      '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>R</title><atom:link rel="hub" href="https://pubsubhubbub.appspot.com/"/><atom:link rel="self" href="https://news.example/rss"/></channel></rss>',
      'https://news.example/rss?x=1',
    );
    expect({ hubs: rssFeed.hubs, self: rssFeed.self }).toEqual({ hubs: ['https://pubsubhubbub.appspot.com/'], self: 'https://news.example/rss' });
    const atom = parseFeedText('<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><link rel="hub" href="/hub"/><link rel="self" href="/atom.xml"/></feed>', 'https://blog.example/atom.xml');
    expect({ hubs: atom.hubs, self: atom.self }).toEqual({ hubs: ['https://blog.example/hub'], self: 'https://blog.example/atom.xml' });
    const json = parseFeedText(JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'J', feed_url: 'https://j.example/feed.json', hubs: [{ type: 'WebSub', url: 'https://hub.j.example/' }, { type: 'rssCloud', url: 'https://cloud.example/' }], items: [] }), 'https://j.example/feed.json');
    expect({ hubs: json.hubs, self: json.self }).toEqual({ hubs: ['https://hub.j.example/'], self: 'https://j.example/feed.json' });
    expect(pushLinks({ hubs: ['https://header-hub.example/'], self: null }, atom, 'https://blog.example/atom.xml')).toEqual({ hubs: ['https://header-hub.example/'], topic: 'https://blog.example/atom.xml' });
    expect(pushLinks({ hubs: [], self: null }, { hubs: [], self: null }, 'https://plain.example/rss')).toEqual({ hubs: [], topic: 'https://plain.example/rss' });
  });
});
