/** A generated RSS feed of `count` news items, for benchmarks. */
export function articleItems(count: number, prefix = 'item', base = 'https://news.example'): string {
  const items = Array.from({ length: count }, (_, n) => {
    const date = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toUTCString();
    return `<item><title>${prefix} ${n}: council approves the budget &amp; a new bridge</title><link>${base}/${prefix}/${n}.html</link>
<guid isPermaLink="false">${prefix}-${n}</guid><pubDate>${date}</pubDate><dc:creator>Reporter ${n % 7}</dc:creator>
<description><![CDATA[<p>The city council voted on Monday to approve the budget for story ${n}. The new bridge will open in spring, officials said.</p>]]></description>
<category>City</category></item>`;
  }).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Bench News</title><link>${base}/</link>${items}</channel></rss>`;
}
