import { parseHTML } from 'linkedom';
import { parseHTML as stockParseHTML } from 'linkedom-stock';
import { describe, expect, it } from 'vitest';

// patches/linkedom+0.18.15.patch changes how linkedom finds things, never what it finds: the patched
// linkedom must answer as the published one does, and must be the patched one (patch-package ran at
// install): it reads no class list for an element without a class, and matches a list of tag names
// without asking each element for its document (css-select's adapter does, per element), nor does
// getElementsByTagName for every element whose name differs. Its fourth
// change, listener maps made on first use, shows only in parse time and memory (bench/).
const page =
  '<!doctype html><html><head><title>t</title><meta name="a" content="b"></head><body>' +
  '<DIV class=" x  y x">one<P>two</P><template><p>inside a template</p></template><Section><h2>h</h2><p class="">p</p></Section></DIV>' +
  '<span>s</span><custom-tag>c</custom-tag><svg><title>icon</title></svg></body></html>';
const selectors = ['*', 'p', 'P', 'div, section ,H2', 'custom-tag', 'title', 'svg title', 'meta[content]', 'p:not(.x)', 'h1'];
const tagNames = ['*', 'p', 'P', 'DIV', 'Section', 'section', 'custom-tag', 'CUSTOM-TAG', 'title', 'h1'];

/** The same questions to a document: tag names found per selector, and every element's className. */
function answers(document: ReturnType<typeof parseHTML>['document']) {
  // Readability makes elements with upper-case names (_setNodeTag): they match a tag selector as well.
  document.body.appendChild(document.createElement('P'));
  return {
    found: selectors.map((selector) => Array.from(document.querySelectorAll(selector), (element) => element.tagName).join(' ')),
    first: selectors.map((selector) => document.querySelector(selector)?.tagName ?? null),
    inBody: Array.from(document.body.querySelectorAll('p,span'), (element) => element.tagName),
    byTagName: tagNames.map((name) => Array.from(document.getElementsByTagName(name), (element) => element.tagName).join(' ')),
    inBodyByTagName: Array.from(document.body.getElementsByTagName('p'), (element) => element.tagName),
    classNames: Array.from(document.querySelectorAll('*'), (element) => element.className),
  };
}

describe('linkedom as patched', () => {
  it('finds the elements (by selector and by tag name) and class names the published linkedom finds', () => {
    const patched = answers(parseHTML(page).document);
    expect(patched).toEqual(answers(stockParseHTML(page).document as unknown as ReturnType<typeof parseHTML>['document']));
    expect(patched.found[3]).toBe('DIV SECTION H2');
    expect(patched.classNames).toContain('x y');
    expect(patched.byTagName[1]).toBe('P P P');
  });

  /** Whether an element holds its class list (linkedom keeps it under a symbol, null until made). */
  const hasClassList = (element: object) => {
    const key = Object.getOwnPropertySymbols(element).find((symbol) => symbol.description === 'classList');
    return key !== undefined && (element as Record<symbol, unknown>)[key] != null;
  };

  it('reads the className of an element without a class attribute without making its class list', () => {
    for (const parse of [parseHTML, stockParseHTML]) {
      const element = parse('<p>no class</p>').document.querySelector('p')!;
      expect(hasClassList(element)).toBe(false);
      expect(element.className).toBe('');
      // The published linkedom makes a class list for each element whose className is read.
      expect(hasClassList(element)).toBe(parse !== parseHTML);
    }
  });

  it('matches a list of tag names by the elements’ names alone, without reading each one’s document', () => {
    for (const parse of [parseHTML, stockParseHTML]) {
      const { document } = parse('<div><p>one</p><span>two</span></div>');
      const span = document.querySelector('span')!;
      let reads = 0;
      const owner = span.ownerDocument;
      Object.defineProperty(span, 'ownerDocument', { get: () => (reads++, owner) });
      const found = Array.from(document.querySelectorAll('p, span'));
      const readsWhileMatching = reads;
      expect(found.map((element) => element.tagName)).toEqual(['P', 'SPAN']);
      // The published linkedom compiles the selector with css-select, whose adapter asks every element whether its document ignores case.
      expect(readsWhileMatching > 0).toBe(parse !== parseHTML);
    }
  });

  it('compares each tag name once in getElementsByTagName, not every element’s', () => {
    for (const parse of [parseHTML, stockParseHTML]) {
      const { document } = parse('<div><p>one</p><span>two</span><span>three</span></div>');
      let reads = 0;
      for (const span of Array.from(document.querySelectorAll('span'))) {
        const owner = span.ownerDocument;
        Object.defineProperty(span, 'ownerDocument', { get: () => (reads++, owner) });
      }
      expect(Array.from(document.getElementsByTagName('p'), (element) => element.textContent)).toEqual(['one']);
      // The published linkedom upper-cases the name of every element that is not a p, through its document.
      expect(reads).toBe(parse === parseHTML ? 1 : 2);
    }
  });
});
