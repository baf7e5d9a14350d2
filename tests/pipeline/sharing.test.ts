import { describe, expect, it } from 'vitest';
import { feedOwner } from '../../src/pipeline/sharing.js';

const FEEDS = Array.from({ length: 3000 }, (_, i) => `feed-${i}`);

function shares(workers: string[]): Map<string, string[]> {
  const byWorker = new Map(workers.map((w) => [w, [] as string[]]));
  for (const feed of FEEDS) byWorker.get(feedOwner(feed, workers)!)!.push(feed);
  return byWorker;
}

describe('sharing feeds among live workers', () => {
  it('gives every feed one owner, the same whatever order the list is in', () => {
    expect(feedOwner('news', [])).toBeUndefined();
    expect(feedOwner('news', ['a'])).toBe('a');
    for (const feed of FEEDS.slice(0, 200)) expect(feedOwner(feed, ['a', 'b', 'c'])).toBe(feedOwner(feed, ['c', 'a', 'b']));
  });

  it('spreads the feeds evenly', () => {
    for (const share of shares(['host-1:10:aa', 'host-1:11:bb', 'host-2:10:cc']).values()) {
      expect(share.length).toBeGreaterThan(900);
      expect(share.length).toBeLessThan(1100);
    }
  });

  it('moves only the newcomer’s share when a worker joins, and only the leaver’s when one leaves', () => {
    const three = ['w1', 'w2', 'w3'];
    const before = new Map(FEEDS.map((feed) => [feed, feedOwner(feed, three)]));
    const moved = FEEDS.filter((feed) => feedOwner(feed, [...three, 'w4']) !== before.get(feed));
    expect(moved.every((feed) => feedOwner(feed, [...three, 'w4']) === 'w4')).toBe(true);
    expect(moved.length).toBeGreaterThan(600);
    const afterLeave = FEEDS.filter((feed) => feedOwner(feed, ['w1', 'w3']) !== before.get(feed));
    expect(afterLeave.every((feed) => before.get(feed) === 'w2')).toBe(true);
  });
});
