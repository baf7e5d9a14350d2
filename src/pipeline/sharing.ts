import { createHash } from 'node:crypto';

/**
 * Which of the live workers polls a feed: rendezvous hashing. Every worker computes the same answer
 * from the same list, the feeds spread evenly, and when a worker joins or leaves only its share moves.
 */
export function feedOwner(feedId: string, workers: readonly string[]): string | undefined {
  let owner: string | undefined;
  let best = '';
  for (const worker of workers) {
    const score = createHash('sha1').update(worker).update('\n').update(feedId).digest('hex');
    if (score > best) {
      best = score;
      owner = worker;
    }
  }
  return owner;
}
