import { describe, expect, it } from 'vitest';
import { decodeBase64Elements, expandDoctype, firstValidDates, resolveLinkBases } from '../../src/sources/prepare.js';

describe('expandDoctype', () => {
  it('expands internal entities, nested ones too, and removes the DOCTYPE', () => {
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY org 'AT&amp;T'>\n<!ENTITY full "&org; news">\n]>\n<rss><title>&full; &amp; &org;</title></rss>`;
    expect(expandDoctype(xml)).toBe('<?xml version="1.0"?>\n\n<rss><title>AT&amp;T news &amp; AT&amp;T</title></rss>');
  });

  it('drops a DOCTYPE with external parameter entities without fetching or expanding anything', () => {
    const xml = `<!DOCTYPE rdf:RDF [\n<!ENTITY % HTMLlat1 PUBLIC "-//W3C//ENTITIES Latin 1 for XHTML//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent">\n%HTMLlat1;\n<!ENTITY ext SYSTEM "file:///etc/passwd">\n]><rdf:RDF>&ext;</rdf:RDF>`;
    expect(expandDoctype(xml)).toBe('<rdf:RDF>&ext;</rdf:RDF>');
  });

  it('removes references to the billion laughs instead of expanding them or leaving them raw', () => {
    const lol = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('');
    const xml = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${lol}]><rss><title>Entity &lol9;&lol4; &lol2;</title></rss>`;
    const expanded = expandDoctype(xml);
    expect(expanded).toBe(`<?xml version="1.0"?><rss><title>Entity  ${'lol'.repeat(100)}</title></rss>`);
  });

  it('keeps references to names the DOCTYPE does not declare, inside declared entities too', () => {
    const xml = '<!DOCTYPE rss [<!ENTITY brand "Acme&nbsp;Co">]><rss><title>&brand; &mdash; &unknown;</title></rss>';
    expect(expandDoctype(xml)).toBe('<rss><title>Acme&nbsp;Co &mdash; &unknown;</title></rss>');
  });

  it('caps the total expansion of one document', () => {
    const xml = `<!DOCTYPE x [<!ENTITY k "${'k'.repeat(1_000)}">]><x>${'&k;'.repeat(5_000)}</x>`;
    expect(expandDoctype(xml).length).toBeLessThanOrEqual(1_000_000 + 5_000 * 3 + 10);
  });

  it('ignores a DOCTYPE-looking text inside the document', () => {
    const xml = '<rss><description>&lt;!DOCTYPE x [&lt;!ENTITY a "b"&gt;]&gt; <![CDATA[<!DOCTYPE y>]]></description></rss>';
    expect(expandDoctype(xml)).toBe(xml);
  });
});

describe('decodeBase64Elements', () => {
  it('decodes Atom 0.3 mode="base64" text and marks it escaped', () => {
    const xml = '<entry><title mode="base64">\n  RXhhbXBsZSA8Yj5BdG9tPC9iPg==\n</title><content type="text/html" mode=\'base64\'>PHA+w6k8L3A+</content></entry>';
    expect(decodeBase64Elements(xml)).toBe('<entry><title mode="escaped">Example &lt;b&gt;Atom&lt;/b&gt;</title><content type="text/html" mode="escaped">&lt;p&gt;é&lt;/p&gt;</content></entry>');
  });
});

describe('resolveLinkBases', () => {
  it('resolves a link href against its own absolute xml:base', () => {
    expect(resolveLinkBases('<link href="two.html?a=1&amp;b=2" xml:base="https://o.example/dir/"/><link xml:base="rel/" href="x"/>')).toBe(
      '<link href="https://o.example/dir/two.html?a=1&amp;b=2" xml:base="https://o.example/dir/"/><link xml:base="rel/" href="rel/x"/>',
    );
  });

  it('resolves a link href against its own relative xml:base, leaving the result relative to the enclosing bases', () => {
    const cases: Array<[string, string, string]> = [
      ['l/', 'x.html', 'l/x.html'],
      ['../e/', 'x', '../e/x'],
      ['../../a/', '../b', '../../b'],
      ['/c/', 'y', '/c/y'],
      ['//cdn.example/p/', 'q', '//cdn.example/p/q'],
      ['l/x', '?a=1&amp;b=2#f', 'l/x?a=1&amp;b=2#f'],
      ['l/', 'https://abs.example/z', 'https://abs.example/z'],
    ];
    for (const [base, href, expected] of cases) {
      expect(resolveLinkBases(`<link xml:base="${base}" href="${href}"/>`)).toBe(`<link xml:base="${base}" href="${expected}"/>`);
    }
  });
});

describe('firstValidDates', () => {
  it('keeps the first valid one of repeated date elements in each item', () => {
    const xml = '<rss><item><pubDate>soon</pubDate><pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate></item><item><pubDate>Wed, 11 Jun 2003 04:00:00 GMT</pubDate><pubDate>Thu, 12 Jun 2003 04:00:00 GMT</pubDate></item></rss>';
    expect(firstValidDates(xml)).toBe('<rss><item><pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate></item><item><pubDate>Wed, 11 Jun 2003 04:00:00 GMT</pubDate></item></rss>');
  });

  it('leaves an entry whose source has its own updated alone', () => {
    const xml = '<feed><entry><source><updated>2001-01-01T00:00:00Z</updated></source><updated>2002-01-01T00:00:00Z</updated></entry></feed>';
    expect(firstValidDates(xml)).toBe(xml);
  });
});
