import { describe, expect, it } from 'vitest';
import { cutText } from '../../src/text/cut.js';
import { collapseWhitespace, plainText, plainTextCut } from '../../src/text/text.js';

describe('collapseWhitespace', () => {
  it.each([
    ['Lone \ud800 high and \udc00 low', 'Lone \ufffd high and \ufffd low'],
    ['An emoji \u{1F600} stays whole', 'An emoji \u{1F600} stays whole'],
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

describe('plainTextCut', () => {
  /** A deterministic pseudo-random generator (mulberry32), so a failure can be replayed. */
  function random(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const pieces = ['council ', 'approves', ' ', '  \n\t ', ', ', '...', '—', ' - ', '。', '東京都心で', '👩‍💻', 'e\u0301', '&amp;', '&nbsp;', '&#8230;', '<p>', '</p>', '<br>', '<b>', '</b>', '<script>skip me</script>', '<a href="/x">link</a>', '\u200b', 'x'.repeat(40)];

  it('gives what cutting the whole plain text gives, on long and short HTML with runs of spaces and punctuation', () => {
    const next = random(17);
    for (let round = 0; round < 400; round++) {
      const max = [1, 10, 16, 100, 256, 1_000, 4_000][round % 7]!;
      const count = Math.floor(next() * (round % 3 === 0 ? 3_000 : 300));
      let html = '';
      for (let i = 0; i < count; i++) {
        const piece = pieces[Math.floor(next() * pieces.length)]!;
        // Now and then a long run of one piece: a line of dashes or dots where the cut falls.
        html += next() < 0.02 ? piece.repeat(Math.floor(next() * 600)) : piece;
      }
      const whole = plainText(html);
      expect(plainTextCut(html, max), `round ${round}`).toBe(whole === null ? null : cutText(whole, max));
    }
  });

  it('gives what cutting gives when punctuation fills the place of the cut and beyond', () => {
    for (const filler of ['-', '.', ' ', '、']) {
      const html = `<p>${'word '.repeat(50)}${filler.repeat(400)}</p><p>${'tail '.repeat(2_000)}</p>`;
      expect(plainTextCut(html, 256)).toBe(cutText(plainText(html)!, 256));
    }
    expect(plainTextCut('<p> </p>', 10)).toBeNull();
    expect(plainTextCut('plain &lt;text&gt;', 100)).toBe('plain <text>');
  });
});
