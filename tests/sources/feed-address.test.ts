import { describe, expect, it } from 'vitest';
import { feedAddressProblem } from '../../src/sources/addresses.js';
import { feedUrlKey } from '../../src/text/url.js';

describe('feed address rules shared by /feeds add and import', () => {
  it('refuses link-local and metadata addresses whatever the setting, private ones unless allowed', () => {
    expect(feedAddressProblem('http://169.254.169.254/latest/', true)).toMatch(/link-local/);
    expect(feedAddressProblem('http://[::ffff:169.254.169.254]/', true)).toMatch(/link-local/);
    expect(feedAddressProblem('http://10.0.0.5/feed', false)).toMatch(/private/);
    expect(feedAddressProblem('http://10.0.0.5/feed', true)).toBeNull();
    expect(feedAddressProblem('javascript:alert(1)', true)).toMatch(/http/);
    expect(feedAddressProblem('https://example.com/f1.xml', false)).toBeNull();
  });
  it('finds duplicates whatever the fragment or the case of scheme and host', () => {
    expect(feedUrlKey('HTTPS://Example.COM/f1.xml#x')).toBe('https://example.com/f1.xml');
    expect(feedUrlKey('javascript:alert(1)')).toBeNull();
  });
});
