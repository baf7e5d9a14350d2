import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { contentElementText, contentText, type ContentElement } from '../../src/articles/furniture.js';

// Readability hands over its article element (serializer option); its text must be what the same
// content reads as HTML, with captions, skipped elements and block boundaries treated alike.
const CONTENT = [
  '<h2>Council &amp; mayor agree</h2>',
  '<p>The vote was <b>7&ndash;2</b>,<br>after a long night.</p>',
  '<figure><img src="a.jpg"><figcaption>The council chamber. Photo: A. Person</figcaption></figure>',
  '<p>Residents <span data-herald-caption="">Credit: Agency</span>welcomed it.</p>',
  '<ul><li>One</li><li>Two <i>items</i></li></ul>',
  '<div><div>Nested</div>block <noscript>hidden</noscript>text</div>',
  '<p>Share this article</p>',
  '<blockquote><p>Quoted   words</p></blockquote>',
].join('\n');

describe('contentElementText', () => {
  it('reads an element of the parsed page as contentText reads its HTML', () => {
    const { document } = parseHTML(`<!doctype html><html><head><title>t</title></head><body><div id="story">${CONTENT}</div></body></html>`);
    const element = document.querySelector('#story') as unknown as ContentElement;
    const text = contentElementText(element);
    expect(text).toBe(contentText(CONTENT));
    expect(text).toBe('Council & mayor agree\n\nThe vote was 7–2,\n\nafter a long night.\n\nResidents welcomed it.\n\nOne\n\nTwo items\n\nNested\n\nblock text\n\nQuoted words');
  });

  it('reads nothing from no element', () => {
    expect(contentElementText(null)).toBe('');
  });
});
