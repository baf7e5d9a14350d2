function tokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Token-level F1 of bag-of-words overlap, as the core issue measures extraction. */
export function tokenF1(got: string, want: string): number {
  const wanted = new Map<string, number>();
  for (const token of tokens(want)) wanted.set(token, (wanted.get(token) ?? 0) + 1);
  const gotTokens = tokens(got);
  let common = 0;
  for (const token of gotTokens) {
    const left = wanted.get(token) ?? 0;
    if (left > 0) {
      common++;
      wanted.set(token, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / gotTokens.length;
  const recall = common / tokens(want).length;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * Elements a page's own markup names as captions (figcaption, or "caption" in the class or id), for
 * htmlToText's `skip`. The corpus references are Readability's output, captions included; Herald
 * leaves captions and credits out of the text (they opened summaries), so it is scored against the
 * references without them as well as against them as they are.
 */
export function isCaption(name: string, attributes: Readonly<Record<string, string>>): boolean {
  return name === 'figcaption' || /caption/i.test(`${attributes.class ?? ''} ${attributes.id ?? ''}`);
}
