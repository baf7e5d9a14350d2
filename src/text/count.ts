/**
 * A count with its noun in the right number: `counted(1, 'item')` → "1 item", `counted(3, 'item')`
 * → "3 items". English nouns that take a plain -s only; pass `plural` for the others.
 */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}
