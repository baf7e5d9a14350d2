import { parseHTML } from 'linkedom';
import { parseHTML as stockParseHTML } from 'linkedom-stock';
import { describe, expect, it } from 'vitest';

// patches/linkedom+0.18.15.patch changes how linkedom finds things, never what it finds: the patched
// linkedom must answer as the published one does.
const page =
  '<!doctype html><html><head><title>t</title><meta name="a" content="b"></head><body>' +
  '<DIV class=" x  y x">one<P>two</P><template><p>inside a template</p></template><Section><h2>h</h2><p class="">p</p></Section></DIV>' +
  '<span>s</span><custom-tag>c</custom-tag><svg><title>icon</title></svg></body></html>';
const selectors = ['*', 'p', 'P', 'div, section ,H2', 'custom-tag', 'title', 'svg title', 'meta[content]', 'p:not(.x)', 'h1'];

/** The same questions to a document: tag names found per selector, and every element's className. */
function answers(document: ReturnType<typeof parseHTML>['document']) {
  // Readability makes elements with upper-case names (_setNodeTag): they match a tag selector as well.
  document.body.appendChild(document.createElement('P'));
  return {
    found: selectors.map((selector) => Array.from(document.querySelectorAll(selector), (element) => element.tagName).join(' ')),
    first: selectors.map((selector) => document.querySelector(selector)?.tagName ?? null),
    inBody: Array.from(document.body.querySelectorAll('p,span'), (element) => element.tagName),
    classNames: Array.from(document.querySelectorAll('*'), (element) => element.className),
  };
}

describe('linkedom as patched', () => {
  it('finds the elements and class names the published linkedom finds', () => {
    const patched = answers(parseHTML(page).document);
    expect(patched).toEqual(answers(stockParseHTML(page).document as unknown as ReturnType<typeof parseHTML>['document']));
    expect(patched.found[3]).toBe('DIV SECTION H2');
    expect(patched.classNames).toContain('x y');
  });
});
