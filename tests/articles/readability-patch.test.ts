import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom-stock';
import { Readability as StockReadability } from 'readability-stock';
import { describe, expect, it } from 'vitest';
import { corpusDir, hasShared } from '../corpus.js';

// patches/@mozilla+readability+0.6.0.patch changes how much work Readability does, never what it
// finds: on the same document, the patched Readability must answer as the published one does.

const crafted =
  '<!doctype html><html lang="en"><head><title>A story</title></head><body>' +
  '<div class="header"><h1>A story</h1></div>' +
  '<div>   \n\t </div><section> <br> </section><div><span>\u00a0</span></div><h2>  </h2>' +
  '<p class="byline">By Jo Writer</p>' +
  `<p class="author-bio">${'A very long author biography. '.repeat(6)}</p>` +
  '<div style="display: none"><p>Hidden by display.</p></div><div style="visibility:hidden"><p>Hidden by visibility.</p></div>' +
  '<div style="color: red"><p>Shown with a style.</p></div>' +
  `<article>${'<p>A sentence of the story that is long enough to count as a paragraph of its text.</p>'.repeat(8)}</article>` +
  '</body></html>';

/** Everything Readability answers for a page, its content as HTML (the published serializer). */
function reading(Reader: typeof Readability, html: string) {
  const { document } = parseHTML(html);
  return new Reader(document as unknown as Document, { charThreshold: 300 }).parse();
}

describe('Readability as patched', () => {
  it('reads bylines, empty blocks and inline-styled elements as the published Readability does', () => {
    const patched = reading(Readability, crafted);
    expect(patched).toEqual(reading(StockReadability as unknown as typeof Readability, crafted));
    expect(patched?.byline).toBe('By Jo Writer');
    expect(patched?.textContent).toContain('Shown with a style.');
    expect(patched?.textContent).not.toContain('Hidden by');
  });

  it('is the patched Readability: fewer text reads (none for a byline check of a node that is no byline), no style read from an element without a style attribute', () => {
    /** Reads of the article paragraphs' textContent and style while Readability parses the page. */
    const reads = (Reader: typeof Readability) => {
      // Without a byline: Readability asks every node whether it is one.
      const { document } = parseHTML(crafted.replace('<p class="byline">By Jo Writer</p>', ''));
      const counts = { text: 0, style: 0 };
      for (const element of Array.from(document.querySelectorAll('article p'))) {
        const text = element.textContent;
        Object.defineProperty(element, 'textContent', { get: () => (counts.text++, text) });
        Object.defineProperty(element, 'style', { get: () => (counts.style++, { display: '', visibility: '' }) });
      }
      new Reader(document as unknown as Document, { charThreshold: 300 }).parse();
      return counts;
    };
    const patched = reads(Readability);
    const published = reads(StockReadability as unknown as typeof Readability);
    // The published Readability asks every paragraph for its text (byline check) besides scoring it, and for its style (visibility).
    expect(patched.text).toBeLessThan(published.text);
    expect(published.style).toBeGreaterThan(0);
    expect(patched.style).toBe(0);
  });

  // The story sits in an element whose class looks like a comment: the first attempt strips it as
  // unlikely, finds too little and starts again from the page as it was, without that rule.
  const retried =
    '<!doctype html><html lang="en"><head><title>A story</title></head><body><div class="nav">Home</div>' +
    `<div class="comment-story">${'<p>A sentence of the story that is long enough to count as a paragraph of its text.</p>'.repeat(6)}</div>` +
    '</body></html>';

  it('starts again from the page as it was when an attempt finds too little, as the published Readability does, without serialising the page', () => {
    /** What Readability answers, and how often it read the body's HTML. */
    const run = (Reader: typeof Readability) => {
      const { document } = parseHTML(retried);
      let serialised = 0;
      let restored = 0;
      const body = document.body;
      let owner: object | null = body;
      while (owner && !Object.getOwnPropertyDescriptor(owner, 'innerHTML')) owner = Object.getPrototypeOf(owner) as object | null;
      const innerHTML = Object.getOwnPropertyDescriptor(owner!, 'innerHTML');
      Object.defineProperty(body, 'innerHTML', { get: () => (serialised++, innerHTML!.get!.call(body)), set: (html: string) => (restored++, innerHTML!.set!.call(body, html)) });
      const answer = new Reader(document as unknown as Document, { charThreshold: 300 }).parse();
      return { answer, serialised, restored };
    };
    const patched = run(Readability);
    const published = run(StockReadability as unknown as typeof Readability);
    expect(patched.answer).toEqual(published.answer);
    expect(patched.answer?.textContent).toContain('A sentence of the story');
    // The published Readability serialised the page and, on its retry, parsed it back.
    expect(published.serialised).toBeGreaterThan(0);
    expect(published.restored).toBeGreaterThan(0);
    expect(patched.serialised).toBe(0);
  });

  it.skipIf(!hasShared)('reads corpus pages as the published Readability does', () => {
    // A page with a byline in its markup (aclu), one where Readability retries with fewer rules (medicalnewstoday), and a long one (wikipedia).
    for (const name of ['aclu', 'medicalnewstoday', 'wikipedia']) {
      const html = readFileSync(join(corpusDir('articles'), name, 'source.html'), 'utf8');
      expect(reading(Readability, html), name).toEqual(reading(StockReadability as unknown as typeof Readability, html));
    }
  });
});
