import sbd from 'sbd';
import { cutToFit } from '../text/cut.js';

export interface SummaryLimits {
  maxSentences: number;
  maxChars: number;
}

export const DISCORD_SUMMARY: SummaryLimits = { maxSentences: 3, maxChars: 500 };

/**
 * Spans a sentence never ends inside, though they hold full stops: markdown links (their text may hold
 * a whole sentence), URLs and bare domains (`BBC.CO.UK/news`), e-mail addresses and numbers (`3.5`,
 * `1,234.56`). A URL's closing punctuation is not part of it: "… at https://example.com/a. Next" ends.
 */
const UNBREAKABLE = new RegExp(
  [
    String.raw`!?\[[^\[\]]{0,500}\]\([^()\s]{0,2000}\)`, // markdown link or image
    String.raw`(?:https?://|www\.)[^\s<>"]*[^\s<>".,;:!?'»”’)\]]`, // URL, without its closing punctuation
    String.raw`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`, // e-mail address
    String.raw`[\p{L}\p{N}_-]+(?:[.,][\p{L}\p{N}_-]+)+`, // number, bare domain, file name
  ].join('|'),
  'gu',
);

/** Where the {@link UNBREAKABLE} spans of `text` start and end (UTF-16 offsets, end exclusive). */
function unbreakableSpans(text: string): Array<readonly [number, number]> {
  return [...text.matchAll(UNBREAKABLE)].map((match) => [match.index, match.index + match[0].length] as const);
}

/**
 * Sentences of one paragraph, whitespace collapsed. sbd finds the boundaries (it knows abbreviations
 * such as "Jan.", "U.S.", "Dr." and "a.m."); a boundary it puts inside a URL, an e-mail address, a
 * number or a markdown link is dropped, and every character of the paragraph is kept.
 */
export function splitSentences(paragraph: string): string[] {
  const text = paragraph.replace(/\s+/g, ' ').trim();
  const found = sbd.sentences(text, { newline_boundaries: false, preserve_whitespace: false });
  const spans = unbreakableSpans(text);
  // Boundaries as offsets into `text`: sbd may drop the full stop it split at, so its strings are not kept.
  const starts = [0];
  let cursor = 0;
  for (const sentence of found.slice(1)) {
    const at = text.indexOf(sentence.trim().slice(0, 24), cursor + 1);
    if (at < 0) continue;
    if (!spans.some(([start, end]) => start < at && at < end)) starts.push(at);
    cursor = at;
  }
  return starts
    .map((start, index) => text.slice(start, starts[index + 1]))
    // sbd knows Latin punctuation only; CJK full stops end sentences too.
    .flatMap((sentence) => sentence.split(/(?<=[。！？])/u))
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

/** Datelines, captions, bylines and labels: short lines that do not end like a sentence. */
function isLeadNoise(paragraph: string): boolean {
  if (paragraph.length >= 80) return false;
  return !/[.!?…"”’»)]$/.test(paragraph) || /^(by|photo|image|credit|updated|published)\b/i.test(paragraph);
}

/**
 * An extractive, deterministic summary: the article's lead sentences in order, as many as fit.
 * It ends at a sentence boundary; only when the first sentence alone is longer than `maxChars`
 * (UTF-16 code units) is it cut by {@link cutToFit}: at a word boundary, or between graphemes of a
 * word longer than half of `maxChars` (so the lead is never reduced to its first short word), never
 * inside a URL, an e-mail address or a number, with "…".
 */
export function summarize(text: string, limits: SummaryLimits = DISCORD_SUMMARY): string {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 0);
  // Datelines, labels and subheadings between the lead's paragraphs are not sentences of it either.
  const sentences = paragraphs.filter((p) => !isLeadNoise(p));
  const body = sentences.length > 0 ? sentences : paragraphs;

  const chosen: string[] = [];
  let length = 0;
  outer: for (const paragraph of body) {
    for (const sentence of splitSentences(paragraph)) {
      const added = (chosen.length > 0 ? 1 : 0) + sentence.length;
      if (chosen.length >= limits.maxSentences || length + added > limits.maxChars) break outer;
      chosen.push(sentence);
      length += added;
    }
  }
  if (chosen.length > 0) return chosen.join(' ');
  const first = body[0] ?? '';
  // Never cut inside a URL, an address or a number: a half link reads as a broken one.
  const spans = unbreakableSpans(first);
  return cutToFit(first, (candidate) => candidate.length <= limits.maxChars && !spans.some(([start, end]) => start < candidate.length - 1 && candidate.length - 1 < end));
}

/**
 * The longest run of whole lead sentences that `fits`, else the summary cut by {@link cutToFit} after
 * its last whole word that fits (between graphemes of a word longer than half of what fits), with
 * "…"; '' when not even one grapheme fits. `fits` lets each target measure its own way (X weighs
 * characters; Discord counts them).
 */
export function fitSummary(summary: string, fits: (candidate: string) => boolean): string {
  if (fits(summary)) return summary;
  let fitted = '';
  for (const sentence of splitSentences(summary)) {
    const next = fitted ? `${fitted} ${sentence}` : sentence;
    if (!fits(next)) break;
    fitted = next;
  }
  return fitted || cutToFit(summary, fits);
}
