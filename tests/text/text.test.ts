import { describe, expect, it } from 'vitest';
import { collapseWhitespace, plainText } from '../../src/text/text.js';

describe('collapseWhitespace', () => {
  it.each([
    ['Already clean text', 'Already clean text'],
    ['  leading and trailing  ', 'leading and trailing'],
    ['double  space', 'double space'],
    ['tab\there', 'tab here'],
    ['line\nbreak\r\nand\rmore', 'line break and more'],
    ['no\u00a0break space', 'no break space'],
    ['zero\u200bwidth', 'zerowidth'],
    ['soft\u00adhyphen', 'softhyphen'],
    ['bidi \u202eoverride\u202c', 'bidi override'],
    ['\ufeffmarked', 'marked'],
    ['control\u0007bell', 'controlbell'],
    ['emoji 👩‍💻 joiner', 'emoji 👩‍💻 joiner'],
    [' ', ''],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(collapseWhitespace(input)).toBe(expected);
  });

  // A text that needs no collapsing is returned as it is, without the replaces (a speed change no result
  // can show): whatever the fast path lets through must be what the full path would give. A space added
  // at the end always takes the full path, so both paths are compared on every UTF-16 code unit, alone,
  // doubled, and at the start, inside and at the end of a text.
  it('gives the same text whether or not a text takes the fast path, for every character', () => {
    const differing: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      for (const text of [`a${c}b`, `${c}ab`, `ab${c}`, `a${c}${c}b`, c]) {
        if (collapseWhitespace(text) !== collapseWhitespace(`${text} `)) differing.push(`U+${code.toString(16).padStart(4, '0')} in ${JSON.stringify(text)}`);
      }
    }
    expect(differing).toEqual([]);
  });

  it('gives plain text of markup one line long', () => {
    expect(plainText('<p>One</p>\n<p>two &amp;\tthree</p>')).toBe('One two & three');
  });
});
