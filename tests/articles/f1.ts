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
