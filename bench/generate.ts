/**
 * A generated RSS 2.0 feed of `count` news items numbered from `first` (newest last), for benchmarks.
 * `prefix` makes guids and titles unique per feed; item links are `<pages>/<n>.html`.
 */
export function articleItems(count: number, { first = 0, prefix = 'item', pages = 'https://news.example/item' } = {}): string {
  const items = Array.from({ length: count }, (_, i) => {
    const n = first + i;
    const date = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toUTCString();
    return `<item><title>${prefix} ${n}: council approves the budget &amp; a new bridge</title><link>${pages}/${n}.html</link>
<guid isPermaLink="false">${prefix}-${n}</guid><pubDate>${date}</pubDate><dc:creator>Reporter ${n % 7}</dc:creator>
<description><![CDATA[<p>The city council voted on Monday to approve the budget for story ${n}. The new bridge will open in spring, officials said.</p>]]></description>
<category>City</category></item>`;
  }).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Bench News</title><link>https://news.example/</link>${items}</channel></rss>`;
}
