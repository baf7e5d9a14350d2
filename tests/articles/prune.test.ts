import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { PageTooDeepError, prunePage } from '../../src/articles/prune.js';

const nested = (depth: number) => `<html><body>${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}</body></html>`;
const tooDeep = (html: string, maxDepth: number) => {
  try {
    prunePage(html, maxDepth);
    return false;
  } catch (error) {
    if (error instanceof PageTooDeepError) return true;
    throw error;
  }
};
/** The page's element tree as a parser builds it: tag names with their nesting. */
const tree = (html: string) => {
  const { document } = parseHTML(html);
  const walk = (element: Element): string => `${element.tagName}(${[...element.children].map(walk).join(',')})`;
  return walk(document.documentElement);
};

describe('prunePage', () => {
  it('cuts scripts, styles, comments, SVG and form controls, and keeps JSON-LD, e-mail fields and the text byte for byte', () => {
    const page =
      '<!doctype html><html><head><script>var a = "</div>";</script><style>p{}</style><title>T &amp; U</title></head>' +
      '<body><div class="a"><p>one<!-- note --><button>x</button> two &nbsp;three</p><svg><title>icon</title></svg>' +
      '<input type=text><input TYPE="Email" name=e><script type="application/ld+json">{"datePublished":"2024-01-02"}</script>' +
      '<iframe src="https://ads.example/"></iframe><noscript><img src=a></noscript><select><option>1</select>end</div></body></html>';
    expect(prunePage(page)).toBe(
      '<!doctype html><html><head><title>T &amp; U</title></head><body><div class="a"><p>one two &nbsp;three</p>' +
        '<input TYPE="Email" name=e><script type="application/ld+json">{"datePublished":"2024-01-02"}</script>end</div></body></html>',
    );
  });

  it('leaves the elements it keeps nested as they were, where end tags are missing or implied', () => {
    for (const page of [
      '<div><p>a<button>b</div><p>c',
      '<ul><li>one<li>two<script>x</script><li>three</ul><table><tr><td>1<td><select><option>2</table>',
      '<p>x<noscript><p>y</noscript>z<div>w',
      '<section><style>s{}</style><article><h1>t</h1><p>u<template><p>v</template></article>',
    ]) {
      const pruned = prunePage(page);
      expect(pruned).not.toMatch(/<(script|style|button|select|noscript|template)/);
      const keptTree = tree(page).replace(/(BUTTON|SCRIPT|SELECT|NOSCRIPT|TEMPLATE|STYLE)\([^()]*(\([^()]*\)[^()]*)*\),?/g, '').replace(/,\)/g, ')');
      expect(tree(pruned)).toBe(keptTree);
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
