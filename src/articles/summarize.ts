import sbd from 'sbd';
import { TRAILING_PUNCTUATION, truncateWords } from './text.js';

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

const SPACELESS_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Words, or characters (graphemes) for text written without spaces (Chinese, Japanese, …). */
function cutUnits(text: string): { units: string[]; joiner: string } {
  if (!SPACELESS_SCRIPT.test(text)) return { units: text.split(' '), joiner: ' ' };
  return { units: [...graphemes.segment(text)].map((part) => part.segment), joiner: '' };
}

/** Datelines, captions, bylines and labels: short lines that do not end like a sentence. */
function isLeadNoise(paragraph: string): boolean {
  if (paragraph.length >= 80) return false;
  return !/[.!?…"”’»)]$/.test(paragraph) || /^(by|photo|image|credit|updated|published)\b/i.test(paragraph);
}

/**
 * An extractive, deterministic summary: the article's lead sentences in order, as many as fit.
 * It ends at a sentence boundary; only when the first sentence alone is longer than `maxChars`
 * is it cut at a word boundary with "…".
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
  return truncateWords(first, limits.maxChars);
}

/**
 * The longest run of whole lead sentences that `fits`, else as many words of the first sentence as
 * fit, followed by "…"; '' when not even one word fits. `fits` lets each target measure its own way
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
  if (fitted) return fitted;
  const { units, joiner } = cutUnits(summary);
  let kept = '';
  for (const unit of units) {
    const next = kept ? `${kept}${joiner}${unit}` : unit;
    if (!fits(`${next.replace(TRAILING_PUNCTUATION, '')}…`)) break;
    kept = next;
  }
  return kept ? `${kept.replace(TRAILING_PUNCTUATION, '')}…` : '';
}
