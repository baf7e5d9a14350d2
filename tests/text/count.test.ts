import { describe, expect, it } from 'vitest';
import { counted } from '../../src/text/count.js';

describe('counted', () => {
  it.each([
    [0, 'item', undefined, '0 items'],
    [1, 'item', undefined, '1 item'],
    [2, 'item', undefined, '2 items'],
    [1, 'story', 'stories', '1 story'],
    [3, 'story', 'stories', '3 stories'],
  ])('%i %s', (count, noun, plural, expected) => {
    expect(counted(count, noun, plural)).toBe(expected);
  });
});
