import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { PageTooDeepError, parsePage } from '../../src/articles/prune.js';

const nested = (depth: number) => `<html><body>${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}</body></html>`;
const tooDeep = (html: string, maxDepth: number) => {
  try {
    parsePage(html, maxDepth);
    return false;
  } catch (error) {
    if (error instanceof PageTooDeepError) return true;
    throw error;
  }
};
type Tree = { tagName: string; children: ArrayLike<Tree> };
/** An element tree: tag names with their nesting. */
const shape = (element: Tree): string => `${element.tagName}(${Array.from(element.children, shape).join(',')})`;
/** The page's element tree as linkedom's own parser builds it. */
const tree = (html: string) => shape(parseHTML(html).document.documentElement);

describe('parsePage', () => {
  it('leaves out scripts, styles, comments, SVG and form controls, and keeps JSON-LD, e-mail fields and the text', () => {
    const page =
      '<!doctype html><html><head><script>var a = "</div>";</script><style>p{}</style><title>T &amp; U</title></head>' +
      '<body><div class="a"><p>one<!-- note --><button>x</button> two &lt;three&gt;</p><svg><title>icon</title></svg>' +
      '<input type=text><input TYPE="Email" name=e><script type="application/ld+json">{"datePublished":"2024-01-02"}</script>' +
      '<iframe src="https://ads.example/"></iframe><noscript><img src=a></noscript><select><option>1</select>end</div></body></html>';
    const document = parsePage(page);
    expect(document.documentElement.outerHTML).toBe(
      parseHTML(
        '<html><head><title>T &amp; U</title></head><body><div class="a"><p>one two &lt;three&gt;</p>' +
          '<input type="Email" name="e"><script type="application/ld+json">{"datePublished":"2024-01-02"}</script>end</div></body></html>',
      ).document.documentElement.outerHTML,
    );
    // Text cut by a left-out element or by character references is one text node, as the page reads it.
    expect(Array.from(document.querySelector('p')!.childNodes, (node) => node.textContent)).toEqual(['one two <three>']);
  });

  it('leaves out navigation, asides, footers, hidden elements and unlikely roles, with all they hold', () => {
    const page =
      '<html><body><nav><a href="/">Home</a></nav><header><h1>Title</h1></header><div role="navigation"><a>Menu</a></div>' +
      '<article><p>Story.</p><p hidden>Hidden.</p><p aria-hidden="true">Not read aloud.</p><p style="color: red; display:none">Styled away.</p>' +
      '<p style="display:none !important">Important away.</p><p style="/*x*/display:none">Commented away.</p>' +
      '<div style="visibility: hidden">Invisible.</div><div role="dialog" aria-modal="true">Modal.</div><div role="complementary">Box.</div>' +
      '<span aria-hidden="true" class="mwe-math-fallback-image-inline">x²</span><p style="display: block">Shown.</p></article>' +
      '<aside>Related.</aside><footer>Imprint.</footer></body></html>';
    expect(parsePage(page).body.textContent).toBe('TitleStory.x²Shown.');
  });

  it('keeps only the attributes something reads, and every attribute of pictures and media', () => {
    const document = parsePage(
      '<html lang="en"><body><div class="story" id="s1" data-track="x" onclick="go()" style="color:red" title="tip" aria-label="story">' +
        '<a href="/next" rel="author" target="_blank" data-id="7">By Ann</a><img src="a.jpg" data-src="big.jpg" width="10" loading="lazy"></div></body></html>',
    );
    // In the page's order, as linkedom's own parser would have set them.
    expect(document.documentElement.outerHTML).toBe(
      '<html lang="en"><body><div class="story" id="s1"><a href="/next" rel="author">By Ann</a>' +
        '<img src="a.jpg" data-src="big.jpg" width="10" loading="lazy"></div></body></html>',
    );
  });

  it('leaves the elements it keeps nested as linkedom nests them, where end tags are missing or implied', () => {
    for (const page of [
      '<div><p>a<button>b</div><p>c',
      '<ul><li>one<li>two<script>x</script><li>three</ul><table><tr><td>1<td><select><option>2</table>',
      '<p>x<noscript><p>y</noscript>z<div>w',
      '<section><style>s{}</style><article><h1>t</h1><p>u<template><p>v</template></article>',
    ]) {
      const page_ = `<html><body>${page}</body></html>`;
      const keptTree = tree(page_).replace(/(BUTTON|SCRIPT|SELECT|NOSCRIPT|TEMPLATE|STYLE)\([^()]*(\([^()]*\)[^()]*)*\),?/g, '').replace(/,\)/g, ')');
      expect(shape(parsePage(page_).documentElement)).toBe(keptTree);
    }
  });

  it('counts nesting as a parser opens and closes elements', () => {
    expect(tooDeep(nested(50), 60)).toBe(false);
    expect(tooDeep(nested(1200), 400)).toBe(true);
  });

  it('does not count void elements or siblings as nesting', () => {
    const wide = `<html><body>${'<p>one<br><img src="x"><input></p>'.repeat(10_000)}</body></html>`;
    expect(tooDeep(wide, 10)).toBe(false);
  });

  it('counts unclosed elements, which a tree builder would nest too', () => {
    expect(tooDeep(`<html><body>${'<div>'.repeat(500)}`, 400)).toBe(true);
  });
});
