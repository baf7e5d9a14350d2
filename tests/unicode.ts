/** Unicode checks shared by the tests of cutting. */

/** True when `text` survives UTF-8 encoding: no UTF-16 surrogate without its partner. */
export function isWellFormed(text: string): boolean {
  return Buffer.from(text, 'utf8').toString('utf8') === text;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The grapheme clusters of `text` (UAX #29), in order. */
export function graphemes(text: string): string[] {
  return [...segmenter.segment(text)].map((part) => part.segment);
}
