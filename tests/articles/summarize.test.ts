import { describe, expect, it } from 'vitest';
import { fitSummary, splitSentences, summarize } from '../../src/articles/summarize.js';

describe('splitSentences', () => {
  it('survives abbreviations, times and quotes', () => {
    expect(splitSentences('A rally was held on Jan. 10 in Kyiv. Dr. Smith met the U.S. envoy at 9 a.m. Monday. “We will stay,” she said. It ended.')).toEqual([
      'A rally was held on Jan. 10 in Kyiv.',
      'Dr. Smith met the U.S. envoy at 9 a.m. Monday.',
      '“We will stay,” she said.',
      'It ended.',
    ]);
  });

  it('never breaks inside a URL, an e-mail address, a number or a markdown link', () => {
    const paragraph =
      'The ministry said so on Mil.Gov.UA today. Its report is at https://example.com/Report.Final.html?v=2.5 now. ' +
      'Ask Press.Office@Example.ORG for the data. Growth was 3.5 percent, or 1,234.56 euros. ' +
      'See [Why? Because! The full story.](https://example.com/a.b) for more. Read it at BBC.CO.UK/news. It ended.';
    expect(splitSentences(paragraph)).toEqual([
      'The ministry said so on Mil.Gov.UA today.',
      'Its report is at https://example.com/Report.Final.html?v=2.5 now.',
      'Ask Press.Office@Example.ORG for the data.',
      'Growth was 3.5 percent, or 1,234.56 euros.',
      'See [Why? Because! The full story.](https://example.com/a.b) for more.',
      'Read it at BBC.CO.UK/news.',
      'It ended.',
    ]);
  });

  it('ends a sentence after a URL that closes it, and keeps every character', () => {
    expect(splitSentences('Details: https://example.com/a.  Next\n one.')).toEqual(['Details: https://example.com/a.', 'Next one.']);
  });
});

describe('summarize', () => {
  const text = [
    'Updated 5 minutes ago',
    'The first sentence is the lead of the story and says what happened. The second sentence adds detail.',
    'A third sentence comes from the next paragraph. A fourth would be too many.',
  ].join('\n\n');

  it('leads with the lead, skips datelines, stops at three sentences', () => {
    expect(summarize(text)).toBe(
      'The first sentence is the lead of the story and says what happened. The second sentence adds detail. A third sentence comes from the next paragraph.',
    );
  });

  it('skips datelines and labels between the lead paragraphs too', () => {
    const text = 'The lead sentence says what happened on Monday.\n\nImage\n\nSept. 25, 2018\n\nThe second paragraph adds the detail.';
    expect(summarize(text)).toBe('The lead sentence says what happened on Monday. The second paragraph adds the detail.');
  });

  it('never ends mid-sentence when a sentence fits', () => {
    const summary = summarize(text, { maxSentences: 5, maxChars: 110 });
    expect(summary).toBe('The first sentence is the lead of the story and says what happened. The second sentence adds detail.');
  });

  it('cuts a single overlong sentence at a word boundary with an ellipsis', () => {
    const summary = summarize(`${'word '.repeat(200)}end.`, { maxSentences: 3, maxChars: 50 });
    expect(summary.length).toBeLessThanOrEqual(50);
    expect(summary).toMatch(/^(word )+word…$/);
  });

  it('never ends inside a word or a grapheme when the first sentence is too long', () => {
    const text = 'Die Bürgerinnen und Bürger der Stadtgemeinde haben am Sonntag über die Verkehrsberuhigungsmaßnahmen abgestimmt und';
    for (let maxChars = 20; maxChars < text.length; maxChars++) {
      const summary = summarize(text, { maxSentences: 3, maxChars });
      expect(summary.length).toBeLessThanOrEqual(maxChars);
      expect(text.startsWith(summary.slice(0, -1))).toBe(true);
      expect(text[summary.length - 1]).toMatch(/[ ]/);
    }
    // Japanese has no spaces: the cut falls between its words (UAX #29 dictionary words).
    const japanese = '東京都心で記録的な大雨が降り、交通機関に大きな影響が出ています、'.repeat(10);
    const words = new Set([...new Intl.Segmenter('ja', { granularity: 'word' }).segment(japanese)].map((part) => part.index));
    for (let maxChars = 20; maxChars < 60; maxChars++) {
      const summary = summarize(japanese, { maxSentences: 3, maxChars });
      expect(summary.length).toBeLessThanOrEqual(maxChars);
      expect(words.has(summary.length - 1), summary).toBe(true);
    }
    const emoji = summarize(`${'🎉'.repeat(300)}`, { maxSentences: 3, maxChars: 101 });
    expect(emoji).toBe(`${'🎉'.repeat(50)}…`);
  });

  it('cuts a word longer than half the room between graphemes rather than keeping only the word before it', () => {
    const long = 'Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsbeitragsbemessungsgrenze'.repeat(6);
    const text = `The ${long} rose sharply and ${'word '.repeat(100)}\n\nThe second paragraph.`;
    expect(summarize(text)).toBe(`${text.slice(0, 499)}…`);
    // Decomposed umlauts: the cut never parts a letter from its combining mark.
    const decomposed = `Der ${'Verkehrsberuhigungsma\u0308ßnahmen'.repeat(8)} wurden beschlossen`;
    for (let maxChars = 60; maxChars < 100; maxChars++) {
      const summary = summarize(decomposed, { maxSentences: 3, maxChars });
      expect(summary.length).toBeGreaterThanOrEqual(maxChars - 1);
      expect(summary.length).toBeLessThanOrEqual(maxChars);
      expect(decomposed.startsWith(summary.slice(0, -1))).toBe(true);
      expect(decomposed[summary.length - 1]).not.toBe('\u0308');
    }
    expect(fitSummary(`The ${long} rose.`, (candidate) => candidate.length <= 100)).toBe(`The ${long.slice(0, 95)}…`);
  });

  it('never ends inside a URL when the first sentence is too long', () => {
    const summary = summarize(`Officials published the list at https://example.com/${'x'.repeat(600)} today.`, { maxSentences: 3, maxChars: 100 });
    expect(summary).toBe('Officials published the list at…');
  });

  it('is deterministic', () => {
    expect(summarize(text)).toBe(summarize(text));
  });
});

describe('fitSummary', () => {
  it('keeps whole sentences that fit, else words with an ellipsis, else graphemes', () => {
    const fitsIn = (n: number) => (s: string) => s.length <= n;
    expect(fitSummary('One two. Three four.', fitsIn(100))).toBe('One two. Three four.');
    expect(fitSummary('One two. Three four.', fitsIn(12))).toBe('One two.');
    expect(fitSummary('One two three four.', fitsIn(10))).toBe('One two…');
    expect(fitSummary('Onetwothreefour.', fitsIn(3))).toBe('On…');
    expect(fitSummary('Onetwothreefour.', fitsIn(0))).toBe('');
  });
});

describe('fitSummary without spaces', () => {
  it('cuts Chinese and Japanese text between words; shortens one overlong word rather than dropping it', () => {
    expect(fitSummary('東京都心で記録的な大雨が降りました', (s) => s.length <= 6)).toBe('東京都心で…');
    expect(fitSummary('Supercalifragilistic', (s) => s.length <= 6)).toBe('Super…');
    expect(fitSummary('🎉'.repeat(10), (s) => s.length <= 6)).toBe('🎉🎉…');
  });
});
