import { describe, expect, it } from 'vitest';
import { feedsFromOpml, importableUrl, opmlFromFeeds, OpmlError } from '../../src/sources/opml.js';

const SUBSCRIPTIONS = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="News" title="News">
      <outline text="Kyiv Independent" type="rss" xmlUrl="https://kyivindependent.com/feed/" htmlUrl="https://kyivindependent.com/"/>
      <outline text="World">
        <outline text="BBC World" title="BBC World" type="rss" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
      </outline>
    </outline>
    <outline text="A blog" type="rss" xmlUrl="https://blog.example/atom.xml"/>
    <outline text="Again" type="rss" xmlUrl="https://blog.example/atom.xml"/>
    <outline text="Not a feed" type="rss" xmlUrl="javascript:alert(1)"/>
    <outline text="Empty folder"/>
  </body>
</opml>`;

describe('OPML subscription lists (feedsmith)', () => {
  it('reads every feed outline at any depth, folders as categories, each URL once', () => {
    expect(feedsFromOpml(SUBSCRIPTIONS)).toEqual([
      { url: 'https://kyivindependent.com/feed/', title: 'Kyiv Independent', siteUrl: 'https://kyivindependent.com/', category: 'News' },
      { url: 'https://feeds.bbci.co.uk/news/world/rss.xml', title: 'BBC World', siteUrl: null, category: 'News/World' },
      { url: 'https://blog.example/atom.xml', title: 'A blog', siteUrl: null, category: null },
      { url: 'javascript:alert(1)', title: 'Not a feed', siteUrl: null, category: null },
    ]);
  });

  it('says which URLs an import may watch, in one form whatever their case or fragment, and why the others are skipped', () => {
    expect(importableUrl('HTTPS://Blog.Example/atom.xml#latest', false)).toEqual({ url: 'https://blog.example/atom.xml' });
    expect(importableUrl('javascript:alert(1)', false)).toEqual({ problem: 'not http or https' });
    expect(importableUrl('http://169.254.169.254/latest/', true)).toEqual({ problem: 'a link-local or cloud metadata address' });
    expect(importableUrl('http://10.0.0.5/rss', false)).toEqual({ problem: 'a private address' });
    expect(importableUrl('http://10.0.0.5/rss', true)).toEqual({ url: 'http://10.0.0.5/rss' });
  });

  it('round-trips: what it writes reads back the same, categories as nested folders', () => {
    const feeds = feedsFromOpml(SUBSCRIPTIONS).filter((feed) => 'url' in importableUrl(feed.url, false));
    const written = opmlFromFeeds(feeds, 'Herald feeds', new Date(Date.UTC(2026, 10, 30)));
    expect(written).toContain('<opml version="2.0">');
    expect(written).toMatch(/<outline text="News" title="News">\s*<outline text="World" title="World">/);
    const byUrl = (a: { url: string }, b: { url: string }) => a.url.localeCompare(b.url);
    expect(feedsFromOpml(written).sort(byUrl)).toEqual(feeds.sort(byUrl));
  });

  it('keeps a folder named with a slash (or a backslash) whole, on import and export', () => {
    const slashed = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Slashes</title></head><body>
  <outline text="Tech/Slash"><outline text="Slashdot" type="rss" xmlUrl="https://rss.slashdot.org/Slashdot/slashdotMain"/></outline>
  <outline text="Tech"><outline text="Slash"><outline text="Nested" type="rss" xmlUrl="https://nested.example/feed"/></outline></outline>
  <outline text="C:\\Windows"><outline text="Back" type="rss" xmlUrl="https://back.example/feed"/></outline>
</body></opml>`;
    const feeds = feedsFromOpml(slashed);
    expect(feeds.map((feed) => feed.category)).toEqual(['Tech\\/Slash', 'Tech/Slash', 'C:\\\\Windows']);
    const written = opmlFromFeeds(feeds, 'Herald feeds', new Date(Date.UTC(2026, 10, 30)));
    // One folder "Tech/Slash" beside a folder "Tech" holding "Slash", and "C:\Windows" whole.
    expect(written).toMatch(/<outline text="Tech\/Slash" title="Tech\/Slash">\s*<outline text="Slashdot"/);
    expect(written).toMatch(/<outline text="Tech" title="Tech">\s*<outline text="Slash" title="Slash">\s*<outline text="Nested"/);
    expect(written).toMatch(/<outline text="C:\\Windows" title="C:\\Windows">\s*<outline text="Back"/);
    expect(feedsFromOpml(written)).toEqual(feeds);
  });

  it('refuses what is not OPML', () => {
    expect(() => feedsFromOpml('<rss version="2.0"><channel></channel></rss>')).toThrow(OpmlError);
    expect(() => feedsFromOpml('not xml at all')).toThrow(OpmlError);
  });
});
