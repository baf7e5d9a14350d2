import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { articleItems } from '../../bench/generate.js';
import { decodeBytes } from '../../src/sources/decode.js';
import { readPlainRss } from '../../src/sources/fast-rss.js';
import { parseFeedText } from '../../src/sources/parse.js';
import { prepareXml } from '../../src/sources/prepare.js';
import { corpusDir, hasShared, SHARED } from '../corpus.js';

/**
 * The fast RSS reader must give exactly what feedsmith gives, or decline: every feed below is parsed
 * both ways (the whole of parseFeedText, mapping included) and the results must be deep-equal.
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
  return { fast: run(true), fallback: run(false), taken: readPlainRss(prepareXml(text.trimStart())) !== null };
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
  'channel hints and push links': rss(`<item><title>Hinted</title></item>`, { channel: `<ttl> 60 </ttl><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency><atom:link rel="hub" href="https://hub.example/"/><atom:link rel="self" href="/feeds/self.xml"/><atom:link>https://text.example/</atom:link><image><url>https://news.example/logo.png</url><title>Logo</title></image>` }),
  'channel title from Dublin Core, elements after the items': `<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><dc:title>DC title</dc:title><item><title>One</title></item><link>https://late.example/</link><ttl>abc</ttl></channel></rss>`,
  'upper-case and self-closing elements': `<rss version="2.0"><channel><Title>Cased</Title><item><Title>Upper</Title><LINK>https://news.example/u</LINK><description/><pubDate>2025-06-01</pubDate></item></channel></rss>`,
  'unknown namespaces and elements are passed over': rss(`<item><title>Extra</title><slash:comments>3</slash:comments><wfw:commentRss>https://x.example/c</wfw:commentRss><feedburner:origLink>https://orig.example/</feedburner:origLink><comments>https://x.example/c</comments><source url="https://src.example/">Source</source></item>`, { namespaces: ' xmlns:slash="http://purl.org/rss/1.0/modules/slash/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"' }),
  'a generated feed': articleItems(20),
};

/** Inputs the fast reader must leave to feedsmith. */
const DECLINED: Record<string, string> = {
  'RDF': `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel><title>R</title></channel><item><title>I</title></item></rdf:RDF>`,
  'Atom': `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><title>E</title></entry></feed>`,
  'a prefix bound to Dublin Core under another name': rss(`<item><title>T</title><foo:creator>Who</foo:creator></item>`, { namespaces: ' xmlns:foo="http://purl.org/dc/elements/1.1/"' }),
  'dc bound to DCMI Terms': `<rss version="2.0" xmlns:dc="http://purl.org/dc/terms/"><channel><title>T</title><item><title>I</title><dc:title>X</dc:title></item></channel></rss>`,
  'a default namespace on rss': `<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><title>T</title><item><title>I</title></item></channel></rss>`,
  'markup that does not nest': rss(`<item><title>T</title><description><p>one<br>two</p></description></item>`),
  'a close tag that matches nothing': rss(`<item><title>T</title></b></item>`),
  'a cut-off document': rss(`<item><title>T</title></item>`).slice(0, -20),
  'items outside the channel': `<rss version="2.0"><channel><title>T</title></channel><item><title>I</title></item></rss>`,
  'an item with nothing Herald reads': rss(`<item><comments>https://x.example/c</comments></item>`),
  'Media RSS groups': rss(`<item><title>T</title><media:group><media:content url="https://cdn.example/a.jpg"/></media:group></item>`),
  'DCMI Terms in an item': rss(`<item><title>T</title><dcterms:modified>2025-01-01</dcterms:modified></item>`, { namespaces: ' xmlns:dcterms="http://purl.org/dc/terms/"' }),
  'skipHours': rss(`<item><title>T</title></item>`, { channel: '<skipHours><hour>1</hour></skipHours>' }),
  'an unquoted attribute': rss(`<item><title>T</title><guid isPermaLink=false>g</guid></item>`),
};

describe('fast RSS reader: identical to feedsmith or declined', () => {
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

  it('gives feedsmith’s result for every conformance fixture, and takes the plain RSS ones', () => {
    let taken = 0;
    for (const [name, text] of files(CONFORMANCE)) {
      const result = bothWays(text);
      expect(result.fast, name).toEqual(result.fallback);
      if (result.taken) taken++;
    }
    expect(taken).toBeGreaterThan(20);
  });

  it.skipIf(!hasShared)('gives feedsmith’s result for every corpus feed and bug-report case, and takes most corpus RSS bytes', () => {
    let rssBytes = 0;
    let takenBytes = 0;
    const inputs = [...files(corpusDir('feeds', 'rss-parser')), ...readdirSync(CASES).flatMap((dir) => files(join(CASES, dir)).filter(([name]) => name.endsWith('.xml')))];
    expect(inputs.length).toBeGreaterThan(30);
    for (const [name, text] of inputs) {
      const result = bothWays(text);
      expect(result.fast, name).toEqual(result.fallback);
      if (name.endsWith('.rss')) rssBytes += text.length;
      if (result.taken) takenBytes += text.length;
    }
    expect(takenBytes / rssBytes).toBeGreaterThan(0.6);
  });
});
