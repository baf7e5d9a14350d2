import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { charsetOf, decodeBytes } from '../../src/sources/decode.js';
import { feedToJson } from '../../src/sources/feed.js';
import { parseFeedText } from '../../src/sources/parse.js';

/**
 * Feed conformance: one small feed per kind of input (encodings, Atom text constructs and content modes,
 * xml:base, Dublin Core fallbacks, DOCTYPEs, CDATA, repeated elements, JSON Feed, dates), each with the
 * values `inspect feed --json` must print for it. `contentType` and `url` stand for what the HTTP fetch
 * reported (the Content-Type header and the URL after redirects).
 */
const DIR = fileURLToPath(new URL('../fixtures/feeds/conformance/', import.meta.url));
const NOW = new Date('2026-01-01T00:00:00Z');

interface Fixture {
  contentType?: string;
  url?: string;
  expect: Record<string, unknown>;
}

const fixtures = JSON.parse(readFileSync(`${DIR}expected.json`, 'utf8')) as Record<string, Fixture>;

describe('feed conformance fixtures', () => {
  it.each(Object.entries(fixtures))('%s', (name, fixture) => {
    const text = decodeBytes(readFileSync(`${DIR}${name}`), charsetOf(fixture.contentType));
    const json = feedToJson(name, parseFeedText(text, fixture.url ?? null, NOW));
    expect(json).toMatchObject(fixture.expect);
  });
});
