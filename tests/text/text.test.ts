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

  it('gives plain text of markup one line long', () => {
    expect(plainText('<p>One</p>\n<p>two &amp;\tthree</p>')).toBe('One two & three');
  });
});
