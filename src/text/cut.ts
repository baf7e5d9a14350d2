/**
 * Cutting text to a limit without breaking what a reader sees as one character.
 *
 * Every cut falls between grapheme clusters (Unicode UAX #29, through `Intl.Segmenter`): never inside
 * a surrogate pair, an emoji with modifiers, a ZWJ sequence, a flag or a letter with combining marks.
 * Where it can, a cut falls between words (UAX #29 word boundaries, which also split Chinese and
 * Japanese into words), so a shortened text never ends inside a word.
 */

/** Appended to every text that was cut. */
export const ELLIPSIS = '…';

/** Spaces and punctuation that must not stand before the ellipsis (Latin and CJK): JavaScript's `\s` and `,;:.、，。-–—`. */
const TRAILING = new Set([...',;:.、，。-–—\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff'].map((char) => char.charCodeAt(0)));

/** Whether a UTF-16 code unit is one of the spaces and punctuation that must not stand before the ellipsis. */
function isTrailing(code: number): boolean {
  return TRAILING.has(code) || (code >= 0x2000 && code <= 0x200a);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const words = new Intl.Segmenter(undefined, { granularity: 'word' });

/** `kept` followed by the ellipsis, without spaces or punctuation before it (unless that is all there is). */
function ellipsize(kept: string): string {
  // A backward scan, not a regular expression anchored at the end: that one is tried from every position (quadratic on a long run of spaces).
  let end = kept.length;
  while (end > 0 && isTrailing(kept.charCodeAt(end - 1))) end--;
  return `${end > 0 ? kept.slice(0, end) : kept}${ELLIPSIS}`;
}

const isPrintableAscii = (code: number) => code >= 0x20 && code <= 0x7e;

/**
 * An offset at or before `offset` where one grapheme cluster surely ends and the next starts afresh:
 * between two printable ASCII characters (no UAX #29 rule joins those), else 0. Segmenting from
 * there gives the same boundaries as segmenting the whole text.
 */
function freshStartBefore(text: string, offset: number): number {
  for (let i = Math.min(offset, text.length - 1); i > 0; i--) {
    if (isPrintableAscii(text.charCodeAt(i)) && isPrintableAscii(text.charCodeAt(i - 1))) return i;
  }
  return 0;
}

/**
 * Offsets (UTF-16 code units) in [from, limit], `from` > 0 included, where a grapheme cluster ends, in
 * order. Only the text from `from` to two code units past `limit` is segmented (whether a cluster ends
 * at an offset depends on what comes before it and on the one code point after it), so the cost grows
 * with the limit, not with the text.
 */
function graphemeEnds(text: string, from: number, limit: number): number[] {
  const ends = from > 0 ? [from] : [];
  for (const { index } of graphemes.segment(text.slice(from, limit + 2))) {
    if (from + index > limit) break;
    if (index > 0) ends.push(from + index);
  }
  return ends;
}

/**
 * The last offset at or before `at` (UTF-16 code units) where a grapheme cluster ends, so a cut there
 * splits no character (an emoji sequence, a letter and its accents); `at` itself when one ends there,
 * the text's length when `at` is past it. Segments only from the nearest fresh start before `at`.
 */
export function graphemeBoundary(text: string, at: number): number {
  if (at >= text.length) return text.length;
  return graphemeEnds(text, freshStartBefore(text, at), at).at(-1) ?? 0;
}

/**
 * Offsets in (from, limit] where a cut keeps whole words: after a word, or before something that is
 * not a word (so "@here", "#tag" or "$AAPL" are not cut after their sign). Word boundaries look a
 * few characters ahead, hence the margin.
 */
function wordEnds(text: string, from: number, limit: number): Set<number> {
  const ends = new Set<number>();
  let previousIsWord = false;
  for (const { index, isWordLike } of words.segment(text.slice(from, limit + 32))) {
    if (from + index > limit) break;
    if (index > 0 && (previousIsWord || !isWordLike)) ends.add(from + index);
    previousIsWord = isWordLike ?? false;
  }
  return ends;
}

/** The longest length `n` (code units, 0 ≤ n < text.length) for which `accepts(n)` holds, or -1; galloping then binary search, so the lengths tried stay within twice the answer. */
function longestAccepted(length: number, accepts: (n: number) => boolean): number {
  let good = -1;
  let bad = length;
  for (let n = 16; n < length; n *= 2) {
    if (!accepts(n)) {
      bad = n;
      break;
    }
    good = n;
  }
  let low = good + 1;
  let high = bad - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (accepts(middle)) {
      good = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return good;
}

/** Code units before `rough` segmented first: a word cut nearly always falls within a few words of it. */
const NEAR_WINDOW = 96;
/** Word ends this close to where segmenting started are not trusted (word rules look a few characters back). */
const NEAR_MARGIN = 32;

/**
 * The cut {@link cutToFit} makes, found by segmenting only the last NEAR_WINDOW code units before
 * `rough` (a long text cut to a few thousand characters would otherwise be segmented over half its
 * length); null when the answer may lie outside that window, and the whole computation is needed.
 */
function nearCut(text: string, fits: (candidate: string) => boolean, cutAt: (end: number) => string, rough: number): string | null {
  const half = freshStartBefore(text, Math.max(0, (rough >>> 1) - 16));
  const from = freshStartBefore(text, Math.max(0, rough - NEAR_WINDOW));
  if (from <= half + NEAR_MARGIN) return null;
  const ends = graphemeEnds(text, from, rough);
  const best = ends.findLastIndex((end) => fits(cutAt(end)));
  if (best < 0) return null;
  const longest = ends[best]!;
  const wordSafe = wordEnds(text, from, longest);
  for (let i = best; i >= 0 && ends[i]! >= from + NEAR_MARGIN && ends[i]! * 2 >= longest; i--) {
    if (wordSafe.has(ends[i]!) && fits(cutAt(ends[i]!))) return cutAt(ends[i]!);
  }
  return null;
}

/**
 * Cuts `text` to the longest beginning that `fits`, followed by "…".
 *
 * Takes the text and a predicate that measures a candidate (so each target counts its own way: UTF-16
 * code units for Discord, twitter-text's weighted length for X, the escaped length for markdown).
 * The predicate should be monotonic (a shorter beginning fits when a longer one does); where it is
 * not, the result still fits but may be shorter than it could be.
 * Returns `text` unchanged when it fits; otherwise a beginning that ends between whole graphemes,
 * at the last word boundary when that keeps at least half of what fits, else mid-word (so a text of
 * emoji, or one that opens with a short word and then one longer than half the room, is shortened,
 * never reduced to that short word); no spaces or punctuation stand before the "…". Returns '' only when not even one grapheme and "…"
 * fit. Never throws.
 */
export function cutToFit(text: string, fits: (candidate: string) => boolean): string {
  if (fits(text)) return text;
  const cutAt = (end: number) => ellipsize(text.slice(0, end));
  // First on raw code units (cheap), then back to the nearest grapheme end, then to a word end.
  const rough = longestAccepted(text.length, (n) => n === 0 || fits(cutAt(n)));
  const lastFitting = (ends: number[]) => ends.findLastIndex((end) => fits(cutAt(end)));
  const near = nearCut(text, fits, cutAt, rough);
  if (near !== null) return near;
  // Only the part a word cut may reach back to (half of what fits) is segmented, unless that finds nothing.
  let from = freshStartBefore(text, Math.max(0, (rough >>> 1) - 16));
  let ends = graphemeEnds(text, from, rough);
  let best = lastFitting(ends);
  if (best < 0 && from > 0) {
    from = 0;
    ends = graphemeEnds(text, from, rough);
    best = lastFitting(ends);
  }
  if (best < 0) return '';
  const longest = ends[best]!;
  const wordSafe = wordEnds(text, from, longest);
  let wordEnd: number | null = null;
  for (let i = best; i >= 0 && ends[i]! * 2 >= longest; i--) {
    if (wordSafe.has(ends[i]!) && fits(cutAt(ends[i]!))) {
      wordEnd = ends[i]!;
      break;
    }
  }
  return cutAt(wordEnd ?? longest);
}

/**
 * Cuts `text` to at most `maxLength` UTF-16 code units (JavaScript's `length`, what Discord's
 * documented limits count), "…" included, by the rules of {@link cutToFit}. Never throws.
 */
export function cutText(text: string, maxLength: number): string {
  return cutToFit(text, (candidate) => candidate.length <= maxLength);
}

/** Code units past the longest beginning tried that cutting still reads (word boundaries look ahead; see wordEnds). */
const LOOK_AHEAD = 32;

/**
 * Whether `beginning` (a beginning of some longer text) already decides {@link cutText}`(text, maxLength)`:
 * then cutting `beginning` itself gives the same result as cutting any text that starts with it, so a
 * caller producing text piece by piece (HTML to plain text) may stop. True when it holds the first
 * length cutting tries and is refused (the first of 16, 32, 64… above `maxLength`), with something
 * other than spaces or punctuation from `maxLength - 1` on before it (so that length is refused
 * whatever follows), and LOOK_AHEAD code units more.
 */
export function decidesCut(beginning: string, maxLength: number): boolean {
  let refused = 16;
  while (refused <= maxLength) refused *= 2;
  if (beginning.length < refused + LOOK_AHEAD) return false;
  for (let i = Math.max(0, maxLength - 1); i < refused; i++) if (!isTrailing(beginning.charCodeAt(i))) return true;
  return false;
}
