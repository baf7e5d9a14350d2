// One extractor over the whole Readability corpus, in its own process: pages/s, peak memory, quality.
import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';
import { extractArticle } from '../src/articles/extract.js';
import { summarize } from '../src/articles/summarize.js';
import { htmlToText } from '../src/articles/text.js';
import { tokenF1 } from '../tests/articles/f1.js';
import { corpusPages } from './lib.js';

const impl = process.argv[2];
const rounds = Number(process.argv[3] ?? 3);
const pages = corpusPages();
const quiet = new VirtualConsole();

function herald(html: string): string {
  const page = extractArticle(html, 'http://fakehost/test/page.html');
  summarize(page.text);
  return page.text;
}

function jsdomReadability(html: string): string {
  const dom = new JSDOM(html, { url: 'http://fakehost/test/page.html', virtualConsole: quiet });
  const article = new Readability(dom.window.document).parse();
  const text = article?.content ? htmlToText(article.content, true) : '';
  summarize(text);
  dom.window.close();
  return text;
}

const extract = impl === 'jsdom' ? jsdomReadability : herald;
const scores = pages.map((page) => tokenF1(extract(page.html), htmlToText(page.expected, true)));
const started = performance.now();
for (let round = 0; round < rounds; round++) for (const page of pages) extract(page.html);
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    impl,
    pagesPerSecond: (rounds * pages.length) / seconds,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    meanF1: scores.reduce((a, b) => a + b, 0) / scores.length,
    minF1: Math.min(...scores),
  }),
);
