import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBytes } from '../../src/sources/decode.js';
import { parseFeedText, FeedParseError } from '../../src/sources/parse.js';
import { cutHtml } from '../../src/sources/values.js';
import { corpusDir, hasShared, SHARED } from '../corpus.js';
import { isWellFormed } from '../unicode.js';

const NOW = new Date('2026-01-01T00:00:00Z');

describe('feed formats', () => {
  it('parses RSS 2.0 with CDATA, entities, HTML in titles and relative links', () => {
    const feed = parseFeedText(
      `<?xml version="1.0"?><rss version="2.0"><channel><title>T &amp; Co</title><link>https://news.example/</link>
      <item><title><![CDATA[Big <b>news</b> &amp; more]]></title><link>/a/1?utm_source=x</link><guid>g1</guid>
      <pubDate>Mon, 10 Jan 2022 21:56:00 +0200</pubDate><category>World</category>
      <description><![CDATA[<p><a href="/b/2?x=1&amp;y=2">Next</a> <img src='img/1.png' alt="a"> <a href="#top">top</a> <a href="mailto:desk@news.example">mail</a></p>]]></description></item></channel></rss>`,
      'https://news.example/feed.xml',
      NOW,
    );
    expect(feed.format).toBe('rss');
    expect(feed.title).toBe('T & Co');
    expect(feed.items[0]).toMatchObject({
      id: 'g1',
      title: 'Big news & more',
      url: 'https://news.example/a/1?utm_source=x',
      categories: ['World'],
    });
    expect(feed.items[0]!.publishedAt?.toISOString()).toBe('2022-01-10T19:56:00.000Z');
    expect(feed.items[0]!.contentHtml).toBe(
      `<p><a href="https://news.example/b/2?x=1&amp;y=2">Next</a> <img src='https://news.example/img/1.png' alt="a"> <a href="#top">top</a> <a href="mailto:desk@news.example">mail</a></p>`,
    );
    expect(feed.items[0]!.imageUrl).toBe('https://news.example/img/1.png');
  });

  it('parses Atom with xml:base and prefers the alternate link', () => {
    const feed = parseFeedText(
      `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/posts/"><title type="html">A &lt;i&gt;blog&lt;/i&gt;</title>
      <entry><id>urn:1</id><title>Hello</title><link rel="self" href="/self/1"/><link rel="alternate" href="hello.html"/>
      <updated>2022-01-02T03:04:05Z</updated></entry></feed>`,
      null,
      NOW,
    );
    expect(feed.format).toBe('atom');
    expect(feed.title).toBe('A blog');
    expect(feed.items[0]).toMatchObject({ id: 'urn:1', title: 'Hello', url: 'https://blog.example/posts/hello.html' });
    expect(feed.items[0]!.publishedAt?.toISOString()).toBe('2022-01-02T03:04:05.000Z');
  });

  it('resolves an Atom link through every xml:base: document URL, feed, entry, then the link itself', () => {
    const feed = parseFeedText(
      `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="feeds/"><title>B</title>
      <entry xml:base="../e/"><id>b1</id><title>B1</title><link href="x.html" xml:base="l/"/><updated>2024-01-01T00:00:00Z</updated></entry>
      <entry><id>b2</id><title>B2</title><link xml:base="/abs/" href="../y.html"/><updated>2024-01-01T00:00:00Z</updated></entry></feed>`,
      'https://site.example/dir/feed.xml',
      NOW,
    );
    expect(feed.items.map((item) => item.url)).toEqual(['https://site.example/dir/e/l/x.html', 'https://site.example/y.html']);
  });

  it('parses RDF and JSON Feed', () => {
    const rdf = parseFeedText(
      `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="https://r.example/"><title>R</title><link>https://r.example/</link></channel>
      <item rdf:about="https://r.example/1"><title>One</title><link>https://r.example/1</link><dc:date>2022-01-01T00:00:00Z</dc:date></item></rdf:RDF>`,
      null,
      NOW,
    );
    expect(rdf.format).toBe('rdf');
    expect(rdf.items[0]).toMatchObject({ id: 'https://r.example/1', title: 'One', url: 'https://r.example/1' });

    const json = parseFeedText(
      JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'J', home_page_url: 'https://j.example/', items: [{ id: '7', url: 'p/7', title: 'Seven', content_text: 'Hi.', date_published: '2022-02-02T00:00:00Z', tags: ['a'] }] }),
      'https://j.example/feed.json',
      NOW,
    );
    expect(json.format).toBe('json');
    expect(json.items[0]).toMatchObject({ id: '7', title: 'Seven', url: 'https://j.example/p/7', categories: ['a'] });
  });

  it('picks the lead image: the widest media image, groups included, before an enclosure, a thumbnail or an inline image', () => {
    const item = (body: string) => `<item><title>t</title><link>https://news.example/a</link>${body}</item>`;
    const feed = parseFeedText(
      `<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>M</title>
      ${item('<media:content url="https://i.example/small.jpg?w=140" width="140"/><media:content url="https://i.example/big.jpg?w=460" width="460"/>')}
      ${item('<media:group><media:content url="https://i.example/clip.mp4"/><media:content url="/g.jpg" type="image/jpeg"/></media:group>')}
      ${item('<media:thumbnail url="https://i.example/thumb.png"/><enclosure url="https://i.example/full.png" type="image/png" length="1"/>')}
      ${item('<media:content url="https://v.example/video.mp4"/><description>&lt;img src="/inline.gif"&gt;</description>')}
      ${item('<media:content url="https://v.example/v" medium="video"><media:thumbnail url="https://v.example/poster.jpg"/></media:content>')}
      </channel></rss>`,
      'https://news.example/feed.xml',
      NOW,
    );
    expect(feed.items.map((i) => i.imageUrl)).toEqual([
      'https://i.example/big.jpg?w=460',
      'https://news.example/g.jpg',
      'https://i.example/full.png',
      'https://news.example/inline.gif',
      'https://v.example/poster.jpg',
    ]);
  });

  it('links an RSS item to its page: its link, else its atom:link (alternate), else a guid that is a URL; never a bare guid token', () => {
    const feed = parseFeedText(
      `<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>T</title><link>https://news.example/news/</link>
      <item><title>Bare number</title><guid>12345</guid></item>
      <item><title>Atom link</title><link></link><guid>tag-abc-678</guid><atom:link rel="enclosure" href="/audio.mp3"/><atom:link href="/stories/atom"/></item>
      <item><title>URL guid</title><guid>https://news.example/stories/url</guid></item>
      <item><title>Root path guid</title><guid>/stories/root</guid></item>
      <item><title>Not a permalink</title><guid isPermaLink="false">https://news.example/stories/no</guid></item>
      <item><title>Other host</title><guid>//evil.example/x</guid></item>
      <item><title>Own link</title><link>https://news.example/stories/own</link><atom:link href="/stories/other"/></item></channel></rss>`,
      'https://news.example/feed.xml',
      NOW,
    );
    expect(feed.items.map((item) => [item.title, item.url])).toEqual([
      ['Bare number', null],
      ['Atom link', 'https://news.example/stories/atom'],
      ['URL guid', 'https://news.example/stories/url'],
      ['Root path guid', 'https://news.example/stories/root'],
      ['Not a permalink', null],
      ['Other host', null],
      ['Own link', 'https://news.example/stories/own'],
    ]);
  });

  it('links an RSS 1.0 item to its rdf:about only when that reads as a URL', () => {
    const feed = parseFeedText(
      `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://news.example/"><title>T</title><link>https://news.example/</link></channel>
      <item rdf:about="12345"><title>Bare</title></item><item rdf:about="https://news.example/stories/about"><title>About</title></item></rdf:RDF>`,
      'https://news.example/feed.rdf',
      NOW,
    );
    expect(feed.items.map((item) => [item.title, item.url])).toEqual([
      ['Bare', null],
      ['About', 'https://news.example/stories/about'],
    ]);
  });

  it('never yields javascript: or data: links', () => {
    const feed = parseFeedText(
      `<rss version="2.0"><channel><title>x</title><item><title>a</title><link>javascript:alert(1)</link></item><item><title>b</title><link>data:text/html,hi</link></item></channel></rss>`,
      'https://x.example/feed',
      NOW,
    );
    expect(feed.items.map((item) => item.url)).toEqual([null, null]);
  });

  it('says an HTML page is not a feed, and refuses garbage with a reason', () => {
    expect(() => parseFeedText('<!doctype html><html><body>hi</body></html>', null, NOW)).toThrow(/HTML page/);
    expect(() => parseFeedText('<rss><channel><item><title>cut', null, NOW)).toThrow(FeedParseError);
    expect(() => parseFeedText('<rss><channel><title>x</channel></rss>', null, NOW)).toThrow(/not a valid RSS/);
  });

  it('keeps the complete items of a feed cut off mid-document', () => {
    const rssCut = '<rss version="2.0"><channel><title>Cut</title><item><title>One</title><link>https://c.example/1</link></item><item><title>Two</title><link>https://c.example/2</li';
    expect(parseFeedText(rssCut, null, NOW).items.map((item) => item.title)).toEqual(['One']);
    const atomCut = '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>1</id><title>E1</title><link href="https://a.example/1"/></entry><entry><id>2</id><tit';
    expect(parseFeedText(atomCut, null, NOW).items.map((item) => item.title)).toEqual(['E1']);
    expect(parseFeedText('<rss><channel><title>No items</title></channel></rs', null, NOW).title).toBe('No items');
  });

  it('reads an empty feed as an empty feed of its format, and RSS items without a channel', () => {
    expect(parseFeedText('<feed xmlns="http://www.w3.org/2005/Atom"></feed>', null, NOW)).toEqual({
      format: 'atom',
      title: null,
      link: null,
      items: [],
      hubs: [],
      self: null,
      hints: { ttlMs: null, updateEveryMs: null, skipHours: [], skipDays: [] },
    });
    expect(parseFeedText('<rss version="2.0"><channel></channel></rss>', null, NOW).format).toBe('rss');
    const bare = parseFeedText('<rss><item><title>Bare</title><link>https://b.example/1</link></item></rss>', null, NOW);
    expect(bare.items.map((item) => item.title)).toEqual(['Bare']);
  });

  it('ignores far-future and invalid dates', () => {
    const feed = parseFeedText(
      `<rss version="2.0"><channel><title>x</title><item><title>a</title><link>https://x.example/a</link><pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item><item><title>b</title><link>https://x.example/b</link><pubDate>yesterday-ish</pubDate></item></channel></rss>`,
      null,
      NOW,
    );
    expect(feed.items.map((item) => item.publishedAt)).toEqual([null, null]);
  });
});

describe('encodings', () => {
  it('decodes windows-1251 and Big5 declared in the XML declaration', () => {
    const cyrillic = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="windows-1251"?><rss version="2.0"><channel><title>'), Buffer.from([0xcd, 0xee, 0xe2, 0xee, 0xf1, 0xf2, 0xe8]), Buffer.from('</title></channel></rss>')]);
    expect(parseFeedText(decodeBytes(cyrillic), null, NOW).title).toBe('Новости');
    const big5 = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="Big5"?><rss version="2.0"><channel><title>'), Buffer.from([0xb7, 0x73, 0xbb, 0x44]), Buffer.from('</title></channel></rss>')]);
    expect(parseFeedText(decodeBytes(big5), null, NOW).title).toBe('新聞');
  });

  it('falls back to windows-1252 for undeclared bytes that are not UTF-8', () => {
    const latin = Buffer.concat([Buffer.from('<rss version="2.0"><channel><title>Not'), Buffer.from([0xed]), Buffer.from('cias</title></channel></rss>')]);
    expect(parseFeedText(decodeBytes(latin), null, NOW).title).toBe('Notícias');
  });

  it('reads undeclared UTF-8 with one bad byte as UTF-8, the bad byte alone replaced', () => {
    const title = 'Café naïve — “quoted” Київ';
    const items = Array.from({ length: 10 }, (_, n) => `<item><title>${title} ${n}</title></item>`).join('');
    const bytes = Buffer.concat([Buffer.from(`<?xml version="1.0"?><rss version="2.0"><channel><title>Lone [`), Buffer.from([0xed, 0xa0, 0xbd]), Buffer.from(`] here</title>${items}</channel></rss>`)]);
    const feed = parseFeedText(decodeBytes(bytes), null, NOW);
    expect(feed.items[0]!.title).toBe(`${title} 0`);
    expect(feed.title).toMatch(/^Lone \[\ufffd+\] here$/);
    // A legacy text with a few accidental sequences stays a legacy text.
    const latin = Buffer.concat([Buffer.from('<rss version="2.0"><channel><title>Not'), Buffer.from([0xed]), Buffer.from('cias '), Buffer.from([0xc3, 0xa9]), Buffer.from('</title></channel></rss>')]);
    expect(parseFeedText(decodeBytes(latin), null, NOW).title).toBe('Notícias Ã©');
  });

  it('turns C1 controls in UTF-8 (windows-1252 quotes a CMS stored as U+0093, U+0094) into the characters they stand for, wherever they fall', () => {
    const c1 = (code: number) => Buffer.from([0xc2, code]);
    // U+00A0 and U+00A9 share the lead byte C2 with the C1 controls, and stay what they are.
    const utf8 = (title: Buffer[], declaration = '') => Buffer.concat([Buffer.from(`${declaration}<rss version="2.0"><channel><title>`), ...title, Buffer.from('</title></channel></rss>')]);
    const quoted = [Buffer.from('\u00a0\u00a9 '), c1(0x93), Buffer.from('Hi'), c1(0x94), Buffer.from(' '), c1(0x80), c1(0x9f)];
    expect(decodeBytes(utf8(quoted))).toContain('\u00a0\u00a9 “Hi” €Ÿ');
    expect(decodeBytes(utf8(quoted, '<?xml version="1.0" encoding="UTF-8"?>'))).toContain('\u00a0\u00a9 “Hi” €Ÿ');
    expect(decodeBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(quoted)]))).toContain('“Hi”');
    expect(decodeBytes(utf8(quoted), 'utf-8')).toContain('“Hi”');
    expect(decodeBytes(utf8([Buffer.from('\u00a0\u00c2 plain')]))).toContain('\u00a0\u00c2 plain');
  });
});

describe.skipIf(!hasShared)('bug-report cases', () => {
  it('07: a description that is an escaped CDATA section gives its text as the summary', () => {
    const feed = parseFeedText(decodeBytes(readFileSync(join(SHARED, 'cases', '07-escaped-cdata-description', 'feed.xml'))), null, NOW);
    expect(feed.items[0]!.summary).toBe('Central bank keeps rates unchanged for a third month.');
  });
});

describe('long content HTML', () => {
  it.each([
    // The cut at 99 falls between the emoji's two halves, at 101 inside the reference, the tag or the comment.
    ['an emoji', `<p>${'a'.repeat(95)}\u{1F600}tail</p>`, 99, `<p>${'a'.repeat(95)}`],
    ['a character reference', `<p>${'a'.repeat(95)}&eacute;tail</p>`, 101, `<p>${'a'.repeat(95)}`],
    ['a tag', `<p>${'a'.repeat(90)}<a href="https://x.example/">tail</a></p>`, 101, `<p>${'a'.repeat(90)}`],
    ['a comment', `<p>${'a'.repeat(90)}<!-- a comment -->tail</p>`, 101, `<p>${'a'.repeat(90)}`],
    ['a flag', `<p>${'a'.repeat(95)}\u{1F1FA}\u{1F1F8}tail</p>`, 100, `<p>${'a'.repeat(95)}`],
    ['a family emoji', `<p>${'a'.repeat(95)}\u{1F468}\u200D\u{1F469}\u200D\u{1F467}tail</p>`, 101, `<p>${'a'.repeat(95)}`],
    ['a letter and its accent', `<p>${'a'.repeat(95)}e\u0301tail</p>`, 99, `<p>${'a'.repeat(95)}`],
    ['a tag with a > in a quoted value', `<p>${'a'.repeat(80)}<a title="x>y" href="https://x.example/">tail</a></p>`, 101, `<p>${'a'.repeat(80)}`],
  ] as const)('is cut before %s, never inside it', (_, html, max, cut) => expect(cutHtml(html, max)).toBe(cut));

  it('keeps text that only looks like a tag, and HTML that fits', () => {
    expect(cutHtml(`<p>1 < 2 and ${'a'.repeat(100)}`, 60)).toBe(`<p>1 < 2 and ${'a'.repeat(47)}`);
    expect(cutHtml('<p>short</p>', 100)).toBe('<p>short</p>');
  });

  it('caps plain-text content too, escaped into HTML, at a character boundary', () => {
    const text = `${'a & b '.repeat(40_000)}\u{1F468}\u200D\u{1F469}\u200D\u{1F467} end`;
    const feed = parseFeedText(`<rss version="2.0"><channel><title>T</title><item><title>Plain</title><description>${text.replace(/&/g, '&amp;')}</description></item></channel></rss>`, null, NOW);
    const html = feed.items[0]!.contentHtml!;
    expect(html.length).toBeLessThanOrEqual(200_000);
    expect(html.startsWith('a &amp; b a &amp; b')).toBe(true);
    expect(html).toMatch(/(?:&amp;|[ ab])$/);
  });

  it('gives an item content of at most 200,000 characters that is well formed, in RSS and JSON Feed alike', () => {
    const long = `<p>${'a'.repeat(199_996)}\u{1F600} and more</p>`;
    const rssFeed = parseFeedText(`<rss version="2.0"><channel><title>T</title><item><title>Long</title><description><![CDATA[${long}]]></description></item></channel></rss>`, null, NOW);
    const jsonFeed = parseFeedText(JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'T', items: [{ id: '1', content_html: long }] }), null, NOW);
    for (const feed of [rssFeed, jsonFeed]) {
      const html = feed.items[0]!.contentHtml!;
      expect(html.length).toBeLessThanOrEqual(200_000);
      expect(isWellFormed(html)).toBe(true);
      expect(html.startsWith('<p>aaa')).toBe(true);
    }
  });
});

describe('values that only look like markup', () => {
  const atom = (summary: string) =>
    parseFeedText(
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><id>e</id><title>E</title><link href="https://x.example/e"/><updated>2024-01-01T00:00:00Z</updated>${summary}</entry></feed>`,
      null,
      NOW,
    ).items[0]!;

  it('drops escaped CDATA markers inside a type="html" value from both the summary and the content', () => {
    const item = atom('<summary type="html">  &amp;lt;![CDATA[&lt;p&gt;Spaced &lt;b&gt;CDATA&lt;/b&gt; text.&lt;/p&gt;]]&amp;gt;  </summary>');
    expect(item.summary).toBe('Spaced CDATA text.');
    expect(item.contentHtml).toBe('<p>Spaced <b>CDATA</b> text.</p>');
  });

  it('keeps an unclosed <!-- as text, in a guessed description and in type="html"', () => {
    const rss = parseFeedText(
      `<rss version="2.0"><channel><title>T</title><item><title>B</title><link>https://x.example/b</link><description>&lt;!' is an odd token &amp; so is &lt;!-- not a comment</description></item></channel></rss>`,
      null,
      NOW,
    ).items[0]!;
    expect(rss.summary).toBe("<!' is an odd token & so is <!-- not a comment");
    const item = atom('<summary type="html">&lt;p&gt;A &amp;amp; B&lt;!-- hidden --&gt; then &lt;!-- open to the end&lt;/p&gt;</summary>');
    expect(item.summary).toBe('A & B then <!-- open to the end');
  });
});

describe('entities declared in a DOCTYPE', () => {
  it('expands small ones and drops the references of an entity bomb', () => {
    const lol = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('');
    const feed = parseFeedText(
      `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">${lol}<!ENTITY who "AT&amp;T">]><rss version="2.0"><channel><title>&who;</title><item><title>Entity &lol9;</title><link>https://x.example/a</link></item></channel></rss>`,
      null,
      NOW,
    );
    expect(feed.title).toBe('AT&T');
    expect(feed.items[0]!.title).toBe('Entity');
  });
});

describe.skipIf(!hasShared)('the rss-parser corpus', () => {
  const dir = hasShared ? corpusDir('feeds', 'rss-parser') : '';
  const files = hasShared ? readdirSync(dir).filter((name) => /\.(rss|atom|xml|json)$/.test(name)) : [];

  it.each(files)('%s parses, with absolute URLs and titles where the feed has them', (name) => {
    const text = decodeBytes(readFileSync(join(dir, name)));
    if (name === 'unrecognized.rss') {
      expect(() => parseFeedText(text, null, NOW)).toThrow(/not a feed/);
      return;
    }
    const feed = parseFeedText(text, null, NOW);
    for (const item of feed.items) {
      if (item.url) expect(item.url).toMatch(/^https?:\/\/[^/]+/);
      expect(item.title ?? item.url ?? item.id).toBeTruthy();
      if (item.title) expect(item.title).not.toMatch(/<[a-z]|&amp;|\uFFFD|\s{2}/i);
    }
    // Only missing-fields.atom publishes an entry with neither title nor link.
    const untitled = feed.items.filter((item) => !item.title || !item.url);
    if (name !== 'missing-fields.atom') expect(untitled).toEqual([]);
  });

  it("finds lead images in media RSS as publishers write it: the Guardian's untyped sizes, YouTube's groups", () => {
    const images = (name: string) => parseFeedText(readFileSync(join(dir, name), 'utf8'), null, NOW).items.map((item) => item.imageUrl);
    const guardian = images('guardian.rss');
    expect(guardian.length).toBeGreaterThan(10);
    for (const url of guardian) expect(url).toMatch(/^https:\/\/i\.guim\.co\.uk\/.+[?&]w=460&/);
    for (const url of images('atom-customfields.atom')) expect(url).toMatch(/^https:\/\/i\d\.ytimg\.com\/vi\/[\w-]+\/hqdefault\.jpg$/);
  });

  it('decodes the ISO-8859-1 feeds without replacement characters', () => {
    for (const name of ['encoding.rss', 'uolNoticias.rss']) {
      const feed = parseFeedText(decodeBytes(readFileSync(join(dir, name))), null, NOW);
      expect(JSON.stringify(feed)).not.toContain('\uFFFD');
    }
  });
});

describe('overlong item texts', () => {
  it('are cut between whole graphemes, so no item carries half an emoji', () => {
    for (const lead of [997, 998, 999]) {
      const title = `${'a'.repeat(lead)}${'🎉'.repeat(5)}`;
      const summary = `${'b'.repeat(lead * 4 + 2)}${'🇺🇦'.repeat(5)}`;
      const feed = parseFeedText(
        `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>${title}</title><link>https://news.example/a</link><description>${summary}</description></item></channel></rss>`,
        'https://news.example/feed.xml',
        NOW,
      );
      const item = feed.items[0]!;
      expect(isWellFormed(item.title!)).toBe(true);
      expect(item.title!.length).toBeLessThanOrEqual(1000);
      expect(item.title!.endsWith('…')).toBe(true);
      expect(isWellFormed(item.summary!)).toBe(true);
      expect(item.summary!.length).toBeLessThanOrEqual(4000);
      expect(item.summary!).toMatch(/^b+(🇺🇦)*…$/u);
    }
  });
});
