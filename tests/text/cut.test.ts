import { describe, expect, it } from 'vitest';
import { cutText, cutToFit } from '../../src/text/cut.js';
import { graphemes, isWellFormed } from '../unicode.js';

describe('cutText', () => {
  it('returns a text that fits unchanged', () => {
    expect(cutText('Council approves night buses', 28)).toBe('Council approves night buses');
  });

  it('cuts at the last word, without punctuation before the ellipsis', () => {
    expect(cutText('One two, three four', 10)).toBe('One two…');
    expect(cutText('Council approves night buses', 20)).toBe('Council approves…');
  });

  // Every kind of multi-unit grapheme, straddling every possible limit.
  const clusters = {
    'surrogate pair': '🎉',
    'skin tone modifier': '👍🏽',
    'ZWJ family': '👨‍👩‍👧‍👦',
    'flag (regional indicators)': '🇺🇦',
    'tag sequence flag': '🏴󠁧󠁢󠁳󠁣󠁴󠁿',
    'keycap': '1️⃣',
    'combining marks': 'é̃',
  };
  for (const [kind, cluster] of Object.entries(clusters)) {
    it(`never splits a ${kind}, whatever the limit`, () => {
      const text = `${'あ'.repeat(5)}${cluster.repeat(4)}`;
      for (let max = 2; max < text.length; max++) {
        const cut = cutText(text, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(cut.endsWith('…')).toBe(true);
        expect(isWellFormed(cut)).toBe(true);
        const kept = graphemes(cut.slice(0, -1));
        expect(kept.every((part) => part === 'あ' || part === cluster)).toBe(true);
      }
    });
  }

  it('shortens a text of only emoji or without spaces, never drops it', () => {
    expect(cutText('🎉'.repeat(200), 256)).toBe(`${'🎉'.repeat(127)}…`);
    expect(cutText('Supercalifragilistic', 6)).toBe('Super…');
    expect(cutText('x'.repeat(300), 256)).toBe(`${'x'.repeat(255)}…`);
  });

  it('cuts Japanese between words (UAX #29 dictionary words), not inside one', () => {
    expect(cutText('東京都心で記録的な大雨が降りました', 8)).toBe('東京都心で記録…');
  });

  it('does not leave a lone @, # or $ before the ellipsis', () => {
    expect(cutText('Read more from the council at @here and #news', 33)).toBe('Read more from the council at…');
  });

  it('keeps at least half of what fits: a long word is cut mid-word rather than falling back to one short word', () => {
    const cut = cutText(`Breaking: ${'x'.repeat(300)}`, 100);
    expect(cut).toHaveLength(100);
  });

  it('keeps a text of punctuation only', () => {
    expect(cutText('.'.repeat(300), 10)).toBe(`${'.'.repeat(9)}…`);
  });

  it('returns an empty string only when nothing fits', () => {
    expect(cutText('🎉🎉🎉', 2)).toBe('');
    expect(cutText('🎉🎉🎉', 3)).toBe('🎉…');
  });
});

describe('cutToFit', () => {
  it('measures with the predicate it is given', () => {
    const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
    const cut = cutToFit('naïve café au lait', (candidate) => bytes(candidate) <= 12);
    expect(cut).toBe('naïve…');
  });
});

/**
 * The rule cutText documents, computed the slow way over the whole text: the last grapheme end that
 * fits, or the last word end at or before it that fits and keeps at least half. cutText segments only
 * near the cut; it must choose the same place.
 */
function cutBySegmentingAll(text: string, max: number): string {
  if (text.length <= max) return text;
  const cutAt = (end: number) => {
    const kept = text.slice(0, end);
    let trimmed = kept.length;
    while (trimmed > 0 && /[\s,;:.、，。\-–—]/u.test(kept[trimmed - 1]!)) trimmed--;
    return `${kept.slice(0, trimmed) || kept}…`;
  };
  const fits = (end: number) => cutAt(end).length <= max;
  const ends = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.index).filter((i) => i > 0);
  const wordSafe = new Set<number>();
  let previousIsWord = false;
  for (const { index, isWordLike } of new Intl.Segmenter(undefined, { granularity: 'word' }).segment(text)) {
    if (index > 0 && (previousIsWord || !isWordLike)) wordSafe.add(index);
    previousIsWord = isWordLike ?? false;
  }
  const best = ends.findLastIndex(fits);
  if (best < 0) return '';
  const longest = ends[best]!;
  for (let i = best; i >= 0 && ends[i]! * 2 >= longest; i--) if (wordSafe.has(ends[i]!) && fits(ends[i]!)) return cutAt(ends[i]!);
  return cutAt(longest);
}

describe('cutText on long texts', () => {
  const pieces = ['council', 'approves', 'the', 'budget,', 'night-buses', 'café', 'naïve', 'e\u0301', '👩‍👩‍👧', '🇫🇷', '👍🏽', '東京都の', '予算案を', '可決した。', 'Москва', '3.14', "don't", '@here', '#tag', '—', '  ', '\n', 'x'.repeat(90)];
  // A fixed pseudo-random sequence, so a failure is reproducible.
  let seed = 17;
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const texts = Array.from({ length: 30 }, () => Array.from({ length: 150 + next(100) }, () => pieces[next(pieces.length)]).join(next(3) === 0 ? '' : ' '));

  it('cuts where segmenting the whole text would', () => {
    for (const text of texts) for (const max of [text.length - 1 - next(40), 300 + next(text.length - 300)]) expect(cutText(text, max)).toBe(cutBySegmentingAll(text, max));
  });
});
