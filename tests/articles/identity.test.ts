import { describe, expect, it } from 'vitest';
import { canonicalUrl, itemKey, storyId } from '../../src/articles/identity.js';
import { safeHttpUrl } from '../../src/text/url.js';

describe('canonicalUrl', () => {
  it('drops tracking parameters and the fragment, keeps the rest in a stable order', () => {
    expect(canonicalUrl('https://News.Example/a?utm_source=rss&b=2&fbclid=x&a=1&gclid=y&xtor=RSS-1#top')).toBe('https://news.example/a?a=1&b=2');
    expect(canonicalUrl('https://news.example/a?utm_medium=feed')).toBe('https://news.example/a');
    expect(canonicalUrl('http://news.example:80/a')).toBe('http://news.example/a');
  });

  it('refuses what is not an http(s) URL', () => {
    expect(canonicalUrl('javascript:alert(1)')).toBeNull();
    expect(canonicalUrl('data:text/html,x')).toBeNull();
    expect(canonicalUrl('not a url')).toBeNull();
    expect(safeHttpUrl('JAVASCRIPT:alert(1)')).toBeNull();
    expect(safeHttpUrl('/a', 'https://x.example/b/')).toBe('https://x.example/a');
  });
});

describe('itemKey', () => {
  it('prefers the guid, else the canonical link', () => {
    expect(itemKey({ id: ' guid-1 ', url: 'https://x.example/a' })).toBe('guid-1');
    expect(itemKey({ id: null, url: 'https://x.example/a?utm_source=t#c' })).toBe('https://x.example/a');
    expect(itemKey({ id: null, url: null })).toBeNull();
  });

  it('gives the same key when only a tracking parameter was added', () => {
    const before = itemKey({ id: 'https://x.example/a', url: 'https://x.example/a' });
    const after = itemKey({ id: 'https://x.example/a?utm_campaign=z', url: 'https://x.example/a?utm_campaign=z' });
    expect(after).toBe(before);
  });

  it('story ids are short, stable and distinct', () => {
    expect(storyId('https://x.example/a')).toBe(storyId('https://x.example/a'));
    expect(storyId('https://x.example/a')).not.toBe(storyId('https://x.example/b'));
    expect(storyId('https://x.example/a')).toHaveLength(16);
  });
});
