import { describe, expect, it } from 'vitest';
import { nestingExceeds } from '../../src/articles/depth.js';

const nested = (depth: number) => `<html><body>${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}</body></html>`;

describe('nestingExceeds', () => {
  it('counts elements as a parser opens and closes them', () => {
    expect(nestingExceeds(nested(50), 60)).toBe(false);
    expect(nestingExceeds(nested(1200), 400)).toBe(true);
  });

  it('does not count void elements or siblings as nesting', () => {
    const wide = `<html><body>${'<p>one<br><img src="x"><input></p>'.repeat(10_000)}</body></html>`;
    expect(nestingExceeds(wide, 10)).toBe(false);
  });

  it('counts unclosed elements, which a tree builder would nest too', () => {
    expect(nestingExceeds(`<html><body>${'<div>'.repeat(500)}`, 400)).toBe(true);
  });
});
