import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { articleItems } from '../../bench/generate.js';
import { decodeBytes } from '../../src/sources/decode.js';
import { readPlainAtom } from '../../src/sources/fast-atom.js';
import { readPlainRdf } from '../../src/sources/fast-rdf.js';
import { readPlainRss } from '../../src/sources/fast-rss.js';
import { parseFeedText } from '../../src/sources/parse.js';
import { prepareXml } from '../../src/sources/prepare.js';
import { corpusDir, hasShared, SHARED } from '../corpus.js';

/**
 * The fast RSS and Atom readers must give exactly what feedsmith gives, or decline: every feed below is
 * parsed both ways (the whole of parseFeedText, mapping included) and the results must be deep-equal.
 */
const NOW = new Date('2026-01-01T00:00:00Z');
const FEED_URL = 'https://news.example/feeds/main.xml';

function bothWays(text: string): { fast: unknown; fallback: unknown; taken: boolean } {
  const run = (fastPath: boolean) => {
    try {
      return parseFeedText(text, FEED_URL, NOW, { fastPath });
    } catch (error) {
      return { threw: String(error) };
    }
  };
  const prepared = prepareXml(text.trimStart());
  return { fast: run(true), fallback: run(false), taken: readPlainRss(prepared) !== null || readPlainAtom(prepared) !== null || readPlainRdf(prepared) !== null };
}

function files(dir: string): Array<[string, string]> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => !/^LICENSE$|\.(?:json|md)$/.test(name))
    .map((name) => [name, decodeBytes(readFileSync(join(dir, name)))]);
}

const CONFORMANCE = fileURLToPath(new URL('../fixtures/feeds/conformance/', import.meta.url));
const CASES = join(SHARED, 'cases');

const rss = (items: string, { channel = '', namespaces = '', root = '' } = {}) =>
  `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"${root} xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"${namespaces}><channel><title>Edge &amp; cases</title><link>https://news.example/</link>${channel}${items}</channel></rss>`;

/** Inputs the fast reader takes: each one a kind of value it must read exactly as feedsmith does. */
const TAKEN: Record<string, string> = {
  'CDATA and entities': rss(`<item><title><![CDATA[Big <b>news</b>]]> &amp;amp; &nbsp;more&#x21;</title><link> /a/1 </link><description>Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt; <![CDATA[<p>Raw & real</p>]]></description></item>`),
  'HTML markup in a title and description': rss(`<item><title>Markup <em>inside</em> a title</title><description><p>One <a href="/x">link</a><br/></p><img src="i.png"/></description><guid>m1</guid></item>`),
  'comments inside text': rss(`<item><title>Before<!-- hidden --> after</title><description><!-- only a comment --></description><link>https://news.example/c</link></item>`),
  'xml:base on the root and the item, relative links': rss(`<item xml:base="/section/"><title>Based</title><link>story.html</link><description>&lt;a href="rel/x.html"&gt;x&lt;/a&gt; &lt;img src="../i.png"&gt;</description></item>`, { root: ' xml:base="https://base.example/root/"' }),
  'multiple enclosures, the image second': rss(`<item><title>Enclosures</title><enclosure url="https://cdn.example/a.mp3" type="audio/mpeg" length="1"/><enclosure url="https://cdn.example/b.jpg?x=1&amp;y=2" type="image/jpeg"/><enclosure/></item>`),
  'missing and repeated dates': rss(`<item><title>No date</title></item><item><title>Two dates</title><pubDate></pubDate><pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate><dc:date>2025-06-09T10:00:00Z</dc:date></item><item><title>Dublin Core date</title><dc:date>not a date</dc:date><dc:date>2025-06-08T10:00:00+02:00</dc:date></item>`),
  'empty first title hides the second': rss(`<item><title></title><title>Second</title><dc:title>From DC</dc:title><link>https://news.example/t</link></item>`),
  'guids and permalinks': rss(`<item><guid isPermaLink="false">https://news.example/not-a-link</guid><title>Not a link</title></item><item><guid isPermaLink="false">tag:1</guid></item><item><guid isPermaLink=" TRUE ">https://news.example/p</guid></item><item><guid isPermaLink="maybe">/rel</guid></item><item><guid isPermaLink="true"></guid><title>Empty guid</title></item>`),
  'authors in every form': rss(`<item><title>A</title><author>desk@news.example (Jane Doe)</author></item><item><title>B</title><author>Jane Doe</author></item><item><title>C</title><author>desk@news.example</author><dc:creator>Creator</dc:creator></item><item><title>D</title><author></author><author>Second &lt;s@news.example&gt;</author></item><item><title>E</title><itunes:author>Podcaster</itunes:author></item>`),
  'categories and subjects': rss(`<item><title>Cats</title><category domain="x">World</category><category domain="y"/><category>World</category><category><![CDATA[Tech &amp; Science]]></category><dc:subject>Politics</dc:subject></item>`),
  'content:encoded wins for content, description for summary': rss(`<item><title>Content</title><description>Short summary.</description><content:encoded><![CDATA[<p>Full <img src="/full.png"> body</p>]]></content:encoded></item><item><title>Only content</title><content:encoded>&lt;p&gt;Escaped body&lt;/p&gt;</content:encoded></item>`),
  'Media RSS images and texts': rss(`<item><title>Media</title><media:content url="https://cdn.example/small.jpg" medium="image" width="200"><media:thumbnail url="https://cdn.example/t1.jpg"/><media:credit>Someone</media:credit></media:content><media:content url="https://cdn.example/big.jpg" type="image/jpeg" width="1200"/><media:content url="https://cdn.example/v.mp4"/><media:thumbnail url="https://cdn.example/t2.jpg"/></item><item><media:title type="html">&lt;b&gt;Media&lt;/b&gt; title</media:title><media:description>Media description</media:description><media:content><media:thumbnail url="/rel-thumb.jpg"/></media:content></item>`),
  'iTunes image, summary and Atom updated': rss(`<item><title>Episode</title><itunes:image href="https://cdn.example/cover.jpg"/><itunes:summary>Episode summary</itunes:summary><itunes:duration>10:00</itunes:duration><atom:updated>2025-06-01T00:00:00Z</atom:updated><atom:link rel="related" href="https://x.example/"/></item>`),
  'item Atom links, a bare guid': rss(`<item><title>A</title><guid>12345</guid><atom:link href="/stories/atom"/></item><item><title>B</title><link></link><atom:link rel="enclosure" href="/b.mp3"/><atom:link rel="alternate" href="https://news.example/b"/></item>`),
  'channel hints and push links': rss(`<item><title>Hinted</title></item>`, { channel: `<ttl> 60 </ttl><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency><atom:link rel="hub" href="https://hub.example/"/><atom:link rel="self" href="/feeds/self.xml"/><atom:link>https://text.example/</atom:link><image><url>https://news.example/logo.png</url><title>Logo</title></image>` }),
  'channel title from Dublin Core, elements after the items': `<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><dc:title>DC title</dc:title><item><title>One</title></item><link>https://late.example/</link><ttl>abc</ttl></channel></rss>`,
  'upper-case and self-closing elements': `<rss version="2.0"><channel><Title>Cased</Title><item><Title>Upper</Title><LINK>https://news.example/u</LINK><description/><pubDate>2025-06-01</pubDate></item></channel></rss>`,
  'unknown namespaces and elements are passed over': rss(`<item><title>Extra</title><slash:comments>3</slash:comments><wfw:commentRss>https://x.example/c</wfw:commentRss><feedburner:origLink>https://orig.example/</feedburner:origLink><comments>https://x.example/c</comments><source url="https://src.example/">Source</source></item>`, { namespaces: ' xmlns:slash="http://purl.org/rss/1.0/modules/slash/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"' }),
  'a generated feed': articleItems(20),
  'CR LF and lone CR line ends': rss(`<item><title>Two\r\nlines</title><description>&lt;pre&gt;one\r\ntwo\rthree&lt;/pre&gt;</description><link>https://news.example/crlf</link></item>`).replace(/></g, '>\r\n<'),
  'FeedBurner’s atom10 prefix for Atom links': rss(`<item><title>T</title></item>`, { channel: `<atom10:link xmlns:atom10="http://www.w3.org/2005/Atom" rel="self" href="https://feeds.example/self"/><atom10:link xmlns:atom10="http://www.w3.org/2005/Atom" rel="hub" href="https://hub.example/"/>` }),
};

const atom = (entries: string, { feed = '', namespaces = '', root = '' } = {}) =>
  `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"${root} xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"${namespaces}><title type="text">Atom &amp; edges</title><link rel="alternate" href="https://atom.example/"/><link rel="self" href="/feed.atom"/>${feed}${entries}</feed>`;

/** Atom inputs the fast reader takes. */
const TAKEN_ATOM: Record<string, string> = {
  'text constructs of every type': atom(`<entry><id> tag:1 </id><title type="html">Big &lt;b&gt;news&lt;/b&gt; &amp;amp; more</title><summary type="text">Plain &lt;summary&gt;</summary><content type="html">&lt;p&gt;Body &lt;img src="/i.png"&gt;&lt;/p&gt;</content><link href="/a/1"/><updated>2025-06-01T00:00:00Z</updated></entry><entry><title><![CDATA[CDATA <em>title</em>]]></title><content>Plain content</content><link rel="alternate" type="text/html" href="https://atom.example/2"/><published>2025-06-02T10:00:00+02:00</published></entry>`),
  'links: alternate, enclosure image, related, text only': atom(`<entry><title>Links</title><link rel="related" href="https://x.example/r"/><link rel="enclosure" type="image/jpeg" href="https://cdn.example/e.jpg"/><link>https://text.example/ignored</link><link type="text/html" href="https://atom.example/alt"/><link rel="alternate" href="https://atom.example/second"/></entry>`),
  'authors: empty, uri only, name': atom(`<entry><title>People</title><author></author><author><uri>https://p.example/</uri></author><author><name>Jane</name><email>j@example.com</email></author></entry><entry><title>Url</title><author><url>https://u.example/</url><name></name><name>Second</name></author><author><name>Next</name></author></entry>`),
  'categories, label before term': atom(`<entry><title>Cats</title><category term="t1" label="Label 1"/><category term="t2"/><category scheme="s"/><category term="t2">text</category></entry>`),
  'xml:base on the feed, an entry and its content': atom(`<entry xml:base="/section/"><title>Based</title><link href="story.html"/><content type="html" xml:base="deeper/">&lt;a href="x.html"&gt;x&lt;/a&gt;</content></entry>`, { root: ' xml:base="https://base.example/root/"' }),
  'empty first title and dates, repeated elements': atom(`<entry><title></title><title>Second</title><id>first</id><id>second</id><updated>not a date</updated><published>2025-06-03T00:00:00Z</published><dc:creator>Creator</dc:creator><dc:date>2025-06-04T00:00:00Z</dc:date></entry>`),
  'Media RSS images and texts': atom(`<entry><title>Media</title><media:thumbnail url="https://cdn.example/t.jpg"/><media:content url="https://cdn.example/big.jpg" medium="image" width="800"><media:thumbnail url="https://cdn.example/t2.jpg"/></media:content><media:description>Media description</media:description></entry>`),
  'base64 content and unknown elements passed over': atom(`<entry><title>B64</title><content type="application/octet-stream">PHA+aGk8L3A+</content><gd:image src="x"/><thr:total>3</thr:total><rights type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">R</div></rights><source><title>Elsewhere</title></source></entry>`, { namespaces: ' xmlns:gd="http://schemas.google.com/g/2005" xmlns:thr="http://purl.org/syndication/thread/1.0"' }),
  'hub and self links, FeedBurner atom10 prefix': atom(`<entry><title>T</title></entry>`, { feed: `<link rel="hub" href="https://hub.example/"/><atom10:link xmlns:atom10="http://www.w3.org/2005/Atom" rel="hub" href="https://hub2.example/"/>` }),
  'CR LF line ends': atom(`<entry><title>Two\r\nlines</title><content type="html">&lt;pre&gt;a\r\nb&lt;/pre&gt;</content></entry>`).replace(/></g, '>\r\n<'),
  'no entries, title from Dublin Core': `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>DC title</dc:title><link href="https://atom.example/"/></feed>`,
};

/** Atom inputs the fast reader must leave to feedsmith. */
const DECLINED_ATOM: Record<string, string> = {
  'XHTML content': atom(`<entry><title>T</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi</p></div></content></entry>`),
  'an XHTML title': atom(`<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Hi</div></title></entry>`),
  'Atom 0.3': `<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old</title><entry><title>E</title><issued>2004-01-01T00:00:00Z</issued></entry></feed>`,
  'Atom 0.3 dates in an Atom 1.0 entry': atom(`<entry><title>T</title><modified>2025-01-01T00:00:00Z</modified></entry>`),
  'no Atom namespace on the root': `<feed><title>T</title><entry><title>E</title></entry></feed>`,
  'prefixed Atom elements': `<atom:feed xmlns:atom="http://www.w3.org/2005/Atom"><atom:title>T</atom:title><atom:entry><atom:title>E</atom:title></atom:entry></atom:feed>`,
  'a prefix bound to Dublin Core under another name': atom(`<entry><title>T</title><foo:creator>Who</foo:creator></entry>`, { namespaces: ' xmlns:foo="http://purl.org/dc/elements/1.1/"' }),
  'an entry with nothing Herald reads': atom(`<entry><rights>R</rights></entry>`),
  'a link with neither href, rel nor type': atom(`<entry><title>T</title><link hreflang="en"/></entry>`),
  'Media RSS groups': atom(`<entry><title>T</title><media:group><media:content url="https://cdn.example/a.jpg"/></media:group></entry>`),
  'markup that does not nest': atom(`<entry><title>T</title><content type="html"><p>one<br>two</p></content></entry>`),
};

/** Inputs the fast reader must leave to feedsmith. */
const DECLINED: Record<string, string> = {
  'a prefix bound to Dublin Core under another name': rss(`<item><title>T</title><foo:creator>Who</foo:creator></item>`, { namespaces: ' xmlns:foo="http://purl.org/dc/elements/1.1/"' }),
  'dc bound to DCMI Terms': `<rss version="2.0" xmlns:dc="http://purl.org/dc/terms/"><channel><title>T</title><item><title>I</title><dc:title>X</dc:title></item></channel></rss>`,
  'a default namespace on rss': `<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><title>T</title><item><title>I</title></item></channel></rss>`,
  'markup that does not nest': rss(`<item><title>T</title><description><p>one<br>two</p></description></item>`),
  'a close tag that matches nothing': rss(`<item><title>T</title></b></item>`),
  'a cut-off document': rss(`<item><title>T</title></item>`).slice(0, -20),
  'items outside the channel': `<rss version="2.0"><channel><title>T</title></channel><item><title>I</title></item></rss>`,
  'an item with nothing Herald reads': rss(`<item><comments>https://x.example/c</comments></item>`),
  'an item whose elements are all empty': rss(`<item><title></title><enclosure/><media:thumbnail/></item><item><title>Kept</title></item>`),
  'Media RSS groups': rss(`<item><title>T</title><media:group><media:content url="https://cdn.example/a.jpg"/></media:group></item>`),
  'DCMI Terms in an item': rss(`<item><title>T</title><dcterms:modified>2025-01-01</dcterms:modified></item>`, { namespaces: ' xmlns:dcterms="http://purl.org/dc/terms/"' }),
  'skipHours': rss(`<item><title>T</title></item>`, { channel: '<skipHours><hour>1</hour></skipHours>' }),
  'an unquoted attribute': rss(`<item><title>T</title><guid isPermaLink=false>g</guid></item>`),
};

const rdf = (items: string, { channel = '', namespaces = '', toc = '' } = {}) =>
  `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:syn="http://purl.org/rss/1.0/modules/syndication/" xmlns:media="http://search.yahoo.com/mrss/"${namespaces}><channel rdf:about="https://news.example/"><title>RDF &amp; co</title><link>https://news.example/</link>${channel}${toc ? `<items><rdf:Seq>${toc}</rdf:Seq></items>` : ''}</channel>${items}</rdf:RDF>`;
const li = (...resources: string[]) => resources.map((resource) => `<rdf:li rdf:resource="${resource}"/>`).join('');

/** RSS 1.0 inputs the fast RDF reader takes, each with feedsmith's result. */
const TAKEN_RDF: Record<string, string> = {
  'items with Dublin Core, content and media': rdf(`<item rdf:about="https://news.example/1"><title>One &amp; <b>only</b></title><link> /a/1 </link><description><![CDATA[<p>Body <img src="/i.png"></p>]]></description><dc:creator>Jane</dc:creator><dc:date>2025-06-09T10:00:00Z</dc:date><dc:subject>World</dc:subject><dc:subject>Tech</dc:subject></item><item rdf:about="https://news.example/2"><dc:title>DC title</dc:title><dc:description>DC description</dc:description><content:encoded>&lt;p&gt;Full&lt;/p&gt;</content:encoded><media:content url="https://cdn.example/a.jpg" medium="image"><media:thumbnail url="https://cdn.example/t.jpg"/></media:content></item>`, { toc: li('https://news.example/1', 'https://news.example/2') }),
  'no table of contents, an item known by its about alone': rdf(`<item><title>No about</title></item><item rdf:about="https://news.example/only-about"></item>`),
  'syndication under syn:, Dublin Core title and an empty first title': rdf(`<item rdf:about="https://news.example/3"><title></title><title>Second</title></item>`, { channel: '<syn:updatePeriod>hourly</syn:updatePeriod><syn:updateFrequency>2</syn:updateFrequency><dc:title>DC channel</dc:title>' }),
  'DCMI Terms dates, titles and descriptions, repeated and empty, others passed over': rdf(`<item rdf:about="https://news.example/1"><dcterms:title>Terms title</dcterms:title><dcterms:description>Terms <![CDATA[<b>description</b>]]></dcterms:description><dcterms:issued></dcterms:issued><dcterms:issued>2025-06-01T10:00:00Z</dcterms:issued><dcterms:modified>2025-06-02T10:00:00Z</dcterms:modified><dcterms:rights>R</dcterms:rights></item><item rdf:about="https://news.example/2"><title>Two</title><dcterms:created>not a date</dcterms:created><dcterms:created>2025-06-03T10:00:00Z</dcterms:created><dcterms:date>2025-06-04T10:00:00Z</dcterms:date></item><item rdf:about="https://news.example/3"><title>Three</title><dcterms:date>2025-06-05</dcterms:date><dc:date>2025-06-06</dc:date></item>`, { namespaces: ' xmlns:dcterms="http://purl.org/dc/terms/"', channel: '<dcterms:title>Terms channel</dcterms:title><dcterms:modified>2025-06-01</dcterms:modified>' }),
  'DCMI Terms under another prefix, the channel titled by them alone': `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:terms="https://dublincore.org/documents/dcmi-terms/"><channel rdf:about="https://news.example/"><terms:title>Only terms</terms:title></channel><item rdf:about="https://news.example/t"><title>T</title><terms:issued>2025-06-01T00:00:00Z</terms:issued></item></rdf:RDF>`,
  'a resource without its prefix on an element Herald does not read': rdf(`<item rdf:about="https://news.example/e"><title>E</title><enc:enclosure resource="https://cdn.example/e.jpg" type="image/jpeg"/><taxo:topics><rdf:Bag><rdf:li resource="https://topics.example/t"/></rdf:Bag></taxo:topics></item>`, { namespaces: ' xmlns:enc="http://purl.oclc.org/net/rss_2.0/enc#" xmlns:taxo="http://purl.org/rss/1.0/modules/taxonomy/"', toc: li('https://news.example/e') }),
  'an image and a text input beside the items': rdf(`<image rdf:about="https://news.example/logo.png"><url>https://news.example/logo.png</url></image><item rdf:about="https://news.example/4"><title>Four</title></item><textinput rdf:about="https://news.example/s"><title>Search</title></textinput>`, { toc: li('https://news.example/4') }),
};

/** RSS 1.0 inputs the fast RDF reader must leave to feedsmith. */
const DECLINED_RDF: Record<string, string> = {
  'a table of contents in another order': rdf(`<item rdf:about="https://news.example/1"><title>1</title></item><item rdf:about="https://news.example/2"><title>2</title></item>`, { toc: li('https://news.example/2', 'https://news.example/1') }),
  'a table of contents listing fewer items': rdf(`<item rdf:about="https://news.example/1"><title>1</title></item><item rdf:about="https://news.example/2"><title>2</title></item>`, { toc: li('https://news.example/2') }),
  'an about without its prefix': rdf(`<item about="https://news.example/1"><title>1</title></item>`),
  'a table of contents resource without its prefix': rdf(`<item rdf:about="https://news.example/1"><title>1</title></item>`, { toc: '<rdf:li resource="https://news.example/1"/>' }),
  'RDF under another prefix': `<r:RDF xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel><title>R</title></channel><item><title>I</title></item></r:RDF>`,
  'RSS 1.0 elements under a prefix': `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rss="http://purl.org/rss/1.0/"><rss:channel><rss:title>R</rss:title></rss:channel><rss:item><rss:title>I</rss:title></rss:item></rdf:RDF>`,
  'two channels': rdf(`<channel><title>Again</title></channel><item><title>I</title></item>`),
  'an item with nothing Herald reads': rdf(`<item><slash:comments>3</slash:comments></item>`, { namespaces: ' xmlns:slash="http://purl.org/rss/1.0/modules/slash/"' }),
};

describe('fast RSS and Atom readers: identical to feedsmith or declined', () => {
  it.each(Object.entries(TAKEN))('takes %s, with feedsmith’s result', (_name, text) => {
    const { fast, fallback, taken } = bothWays(text);
    expect(taken).toBe(true);
    expect(fast).toEqual(fallback);
    expect(fast).not.toHaveProperty('threw');
  });

  it.each(Object.entries(DECLINED))('declines %s', (_name, text) => {
    const { fast, fallback, taken } = bothWays(text);
    expect(taken).toBe(false);
    expect(fast).toEqual(fallback);
  });

  it.each(Object.entries(TAKEN_ATOM))('takes Atom: %s, with feedsmith’s result', (_name, text) => {
    const { fast, fallback, taken } = bothWays(text);
    expect(taken).toBe(true);
    expect(fast).toEqual(fallback);
    expect(fast).not.toHaveProperty('threw');
  });

  it.each(Object.entries(DECLINED_ATOM))('declines Atom: %s', (_name, text) => {
    const { fast, fallback, taken } = bothWays(text);
    expect(taken).toBe(false);
    expect(fast).toEqual(fallback);
  });

  it.each(Object.entries(TAKEN_RDF))('takes RSS 1.0: %s, with feedsmith’s result', (_name, text) => {
    const { fast, fallback, taken } = bothWays(text);
    expect(taken).toBe(true);
    expect(fast).toEqual(fallback);
    expect(fast).toHaveProperty('format', 'rdf');
  });

  it.each(Object.entries(DECLINED_RDF))('declines RSS 1.0: %s', (_name, text) => {
    const { fast, fallback, taken } = bothWays(text);
    expect(taken).toBe(false);
    expect(fast).toEqual(fallback);
  });

  it('reads RSS 1.0 dates given as DCMI Terms (dcterms:issued, created, modified) on the fast path', () => {
    const text = readFileSync(join(CONFORMANCE, 'dc-rdf-fallbacks.xml'), 'utf8');
    expect(readPlainRdf(prepareXml(text))?.feed.items?.[0]?.dcterms).toEqual({ issued: ['2024-05-01T00:00:00Z'], modified: ['2024-05-02T00:00:00Z'] });
    const { items } = parseFeedText(text, FEED_URL, NOW);
    expect(items.map((item) => [item.publishedAt?.toISOString(), item.updatedAt?.toISOString()])).toEqual([
      ['2024-05-01T00:00:00.000Z', '2024-05-02T00:00:00.000Z'],
      ['2024-05-03T00:00:00.000Z', undefined],
    ]);
  });

  it.skipIf(!hasShared)('takes craigslist’s RSS 1.0 (dcterms:issued on every item) on the fast path', () => {
    const text = decodeBytes(readFileSync(join(corpusDir('feeds', 'rss-parser'), 'craigslist.rss')));
    const items = readPlainRdf(prepareXml(text.trimStart()))?.feed.items ?? [];
    expect(items.length).toBeGreaterThan(20);
    expect(items.every((item) => item.dcterms?.issued?.length === 1)).toBe(true);
  });

  it('gives feedsmith’s result for every conformance fixture, and takes the plain RSS and Atom ones', () => {
    let taken = 0;
    for (const [name, text] of files(CONFORMANCE)) {
      const result = bothWays(text);
      expect(result.fast, name).toEqual(result.fallback);
      if (result.taken) taken++;
    }
    expect(taken).toBeGreaterThan(20);
  });

  it.skipIf(!hasShared)('gives feedsmith’s result for every corpus feed and bug-report case, and takes most corpus RSS, Atom and RSS 1.0 bytes', () => {
    let feedBytes = 0;
    let takenBytes = 0;
    const inputs = [...files(corpusDir('feeds', 'rss-parser')), ...readdirSync(CASES).flatMap((dir) => files(join(CASES, dir)).filter(([name]) => name.endsWith('.xml')))];
    expect(inputs.length).toBeGreaterThan(30);
    for (const [name, text] of inputs) {
      const result = bothWays(text);
      expect(result.fast, name).toEqual(result.fallback);
      const format = (result.fallback as { format?: string }).format;
      if (format === 'rss' || format === 'atom' || format === 'rdf') feedBytes += text.length;
      if (result.taken) takenBytes += text.length;
    }
    expect(takenBytes / feedBytes).toBeGreaterThan(0.9);
  });
});
