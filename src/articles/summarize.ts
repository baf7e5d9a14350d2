import sbd from 'sbd';
import { cutText, cutToFit } from '../text/cut.js';

export interface SummaryLimits {
  maxSentences: number;
  maxChars: number;
}

export const DISCORD_SUMMARY: SummaryLimits = { maxSentences: 3, maxChars: 500 };

/** Sentences of one paragraph; sbd knows abbreviations such as "Jan.", "U.S.", "Dr." and "a.m.". */
export function splitSentences(paragraph: string): string[] {
  return sbd
    .sentences(paragraph, { newline_boundaries: false, preserve_whitespace: false })
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
 * (UTF-16 code units) is it cut by {@link cutText}: at a word boundary, with "…".
 */
export function summarize(text: string, limits: SummaryLimits = DISCORD_SUMMARY): string {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 0);
  const firstReal = paragraphs.findIndex((p) => !isLeadNoise(p));
  const body = firstReal >= 0 ? paragraphs.slice(firstReal) : paragraphs;

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
  return cutText(first, limits.maxChars);
}

/**
 * The longest run of whole lead sentences that `fits`, else the summary cut by {@link cutToFit}
 * (whole words, or whole graphemes when one word is too long, and "…"); '' when not even one grapheme fits. `fits` lets each target measure its own way
 * (X weighs characters; Discord counts them).
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
