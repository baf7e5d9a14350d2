import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractArticle } from '../../src/articles/extract.js';
import { summarize } from '../../src/articles/summarize.js';
import { htmlToText } from '../../src/articles/text.js';
import { corpusDir, hasShared, listDirs } from '../corpus.js';
import { tokenF1 } from './f1.js';

const FURNITURE = ['Video of day', 'Follow us on', 'Ukraine Today', 'Show more news', 'Share on Twitter', 'Daily at 9am'];

describe('furniture removal', () => {
  it('removes widgets inside the body by wording and by shape', () => {
    const page = extractArticle(
      `<html><head><title>T</title></head><body><article><h1>T</h1>
      ${'<p>This is a long paragraph of real article text that readers came for, with enough words to count.</p>'.repeat(6)}
      <div><h3>Video of day</h3><iframe src="https://video.example/x"></iframe></div>
      <p>Follow us on Twitter, Facebook and Google News</p>
      <div class="social-share"><a href="#">Share</a></div>
      <div class="box"><h2>Newsletter</h2><p>Weekly picks</p><form><input type="email"><button>Go</button></form></div>
      <p><a href="/more">Show more news</a></p></article></body></html>`,
      'https://news.example/a',
    );
    expect(page.text).toContain('real article text');
    for (const phrase of ['Video of day', 'Follow us on', 'Share', 'Weekly picks', 'Show more news']) expect(page.text).not.toContain(phrase);
  });

  it('keeps hostile markup out of the text', () => {
    const page = extractArticle(
      `<html><body><article>${'<p>Plain words of the story go here, one sentence after another.</p>'.repeat(5)}<script>alert(1)</script><img src=x onerror=alert(2)><style>p{}</style></article></body></html>`,
      null,
    );
    expect(page.text).not.toMatch(/alert|onerror|p\{\}/);
  });
});

describe.skipIf(!hasShared)('the Kyiv rally seed page', () => {
  const html = hasShared ? readFileSync(corpusDir('seed', 'kyiv-rally.html'), 'utf8') : '';

  it('extracts the story without its furniture and leads the summary with the lead sentence', () => {
    const page = extractArticle(html, 'https://kyivindependent.com/supporters-of-kazakhstan-protestors-hold-rally-in-kyiv/');
    const summary = summarize(page.text);
    expect(page.title).toBe('Supporters of Kazakhstan protestors hold rally in Kyiv');
    expect(page.siteName).toBe('The Kyiv Independent');
    expect(page.publishedAt?.toISOString()).toBe('2022-01-10T21:56:00.000Z');
    expect(page.imageUrl).toBe('https://kyivindependent.com/content/images/2022/01/kazakhstan-rally-kyiv.jpg');
    expect(page.url).toBe('https://kyivindependent.com/supporters-of-kazakhstan-protestors-hold-rally-in-kyiv/');
    expect(page.text.split('\n\n')).toHaveLength(14);
    expect(summary.startsWith('Supporters of the on-going protests in Kazakhstan held a rally near the Kazakhstan Embassy in Kyiv on Jan. 10, ')).toBe(true);
    for (const phrase of FURNITURE) {
      expect(page.text).not.toContain(phrase);
      expect(summary).not.toContain(phrase);
    }
  });
});

describe.skipIf(!hasShared)('the Readability corpus', () => {
  const dir = hasShared ? corpusDir('articles') : '';
  const pages = hasShared ? listDirs(dir) : [];
  const scores: number[] = [];

  it.each(pages)('%s: expected title, token-F1 >= 0.80', (name) => {
    const read = (file: string) => readFileSync(join(dir, name, file), 'utf8');
    const expected = JSON.parse(read('expected-metadata.json')) as { title: string };
    const page = extractArticle(read('source.html'), 'http://fakehost/test/page.html');
    const score = tokenF1(page.text, htmlToText(read('expected.html'), true));
    scores.push(score);
    expect(page.title).toBe(expected.title.replace(/\s+/g, ' ').trim());
    expect(score).toBeGreaterThanOrEqual(0.8);
  });

  it('averages token-F1 >= 0.95', () => {
    expect(scores).toHaveLength(pages.length);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    console.log(`extraction token-F1 over ${scores.length} pages: mean ${mean.toFixed(4)}, min ${Math.min(...scores).toFixed(4)}`);
    expect(mean).toBeGreaterThanOrEqual(0.95);
  });
});
