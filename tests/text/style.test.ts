import { describe, expect, it } from 'vitest';
import { styleHides } from '../../src/text/style.js';
import { htmlToText } from '../../src/text/text.js';

describe('styleHides: an inline style read as a browser reads it', () => {
  it.each([
    'display:none',
    'DISPLAY : NONE;',
    'display:none !important',
    'display: none!IMPORTANT',
    '/*x*/display:none',
    'display:/* a comment */none',
    'color: red; visibility: hidden',
    'garbage; display:none',
    'display:none; garbage',
    'background: url("a;b"); display: none',
    'display:none !important; display:block',
    'display:block; display:none',
    'display:n\\one',
    'display:\\6e one',
    'visibility: collapse',
    'content-visibility: hidden',
  ])('hides: %s', (style) => expect(styleHides(style)).toBe(true));

  it.each([
    '',
    'display: block',
    'display:none; display:block',
    'display: nonesuch',
    'content: "display:none"',
    '{x}display:none',
    '"unclosed; display:none',
    'visibility: visible',
    '/* display:none */ color: red',
    'display:\u00a0none',
  ])('shows: %s', (style) => expect(styleHides(style)).toBe(false));
});

describe('feed HTML text leaves out what its publisher hides', () => {
  it('drops hidden elements, by attribute or by any hiding inline style', () => {
    const html =
      '<p>Shown one.</p><div hidden>Hidden by attribute.</div><p style="display:none !important">Hidden, important.</p>' +
      '<p style="/*x*/display:none">Hidden after a comment.</p><p style="display:none;display:block">Shown two.</p>' +
      '<p aria-hidden="TRUE">Hidden from screen readers.</p><p style="visibility:collapse">Collapsed.</p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>';
    expect(htmlToText(html, false)).toBe('Shown one. Shown two. 漢kan');
  });
});
