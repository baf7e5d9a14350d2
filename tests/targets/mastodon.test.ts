import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryOptions } from '../../src/deliveries/options.js';
import { DeliveryError, type SendContext } from '../../src/deliveries/target.js';
import { createLogger } from '../../src/ops/logger.js';
import { createHttpClient } from '../../src/sources/http.js';
import type { Article } from '../../src/articles/article.js';
import { createMastodonTarget, idempotencyKey } from '../../src/targets/mastodon/publisher.js';
import { hashtagsFor, renderMastodonStatus, statusLength } from '../../src/targets/mastodon/render.js';
import { mastodonEntrySchema, mastodonRoute } from '../../src/targets/mastodon/settings.js';
import { ConfigError, parseConfig } from '../../src/config/config.js';
import { configuredKinds, TARGET_KINDS } from '../../src/targets/index.js';
import { readMastodonEnv } from '../../src/targets/mastodon/env.js';
import { FeedRegistry } from '../../src/pipeline/registry.js';
import { FakeMastodon, mastodonLength } from '../fakes/mastodon.js';
import { close, createServer, listen } from '../fakes/http.js';
import { article as baseArticle } from '../builders.js';
import { isWellFormed } from '../unicode.js';

const TOKEN = 'mastodon-access-token-0123456789';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(3000, 7)]);
const quiet = () => createLogger({ level: 'silent', secrets: [], stream: new Writable({ write: (_chunk, _encoding, done) => done() }) });

/** This file's article: the shared builder with a newsroom's URL, title and summary. */
const article = (overrides: Partial<Article> = {}): Article =>
  baseArticle({
    id: 'feed:item-1',
    feedId: 'feed',
    url: 'https://www.riverside-courier.com/2026/11/30/council-approves-night-buses-for-the-whole-city?utm_source=rss&ref=frontpage',
    title: 'Council approves night buses',
    summary: 'The council voted on Monday. Buses start in March. Riders welcomed the news.',
    author: null,
    siteName: 'Riverside Courier',
    imageUrl: null,
    publishedAt: Date.UTC(2026, 10, 30),
    firstSeenAt: Date.UTC(2026, 10, 30),
    categories: ['Transport', 'City news', 'transport', '2026'],
    ...overrides,
  });

function context(kindOptions?: Record<string, unknown>, unknownOutcome = false): SendContext {
  const options: DeliveryOptions = { template: null, style: { name: 'Feed', color: 0 }, priority: 0, ...(kindOptions ? { kindOptions } : {}) };
  return { address: '', unknownOutcome, options };
}

const route = (entry: unknown) => mastodonEntrySchema.parse(entry).kindOptions;

describe('Mastodon status text', () => {
  const limits = { maxCharacters: 500, charactersPerUrl: 23 };

  it('counts graphemes, and every URL as 23 however long', () => {
    expect(statusLength('abc', 23)).toBe(3);
    expect(statusLength('👩‍👩‍👧‍👦🇺🇦é', 23)).toBe(3);
    expect(statusLength(`see ${'https://news.com/' + 'a'.repeat(300)} now`, 23)).toBe(4 + 23 + 4);
    // A link of an unknown top-level domain counts in full, and never less than a URL.
    expect(statusLength('https://news.example/a', 23)).toBe(23);
    expect(statusLength(`https://news.example/${'a'.repeat(100)}`, 23)).toBe(121);
    expect(statusLength('日本語のニュース', 23)).toBe(8);
  });

  it('gives title, summary, link and hashtags from the categories', () => {
    const text = renderMastodonStatus(article(), { spoiler: null, limits });
    expect(text).toBe(`Council approves night buses\n\nThe council voted on Monday. Buses start in March. Riders welcomed the news.\n\n${article().url}\n\n#Transport #CityNews`);
    expect(hashtagsFor(['covid-19', 'Україна', 'World News', '2026', '___'])).toEqual(['#covid19', '#Україна', '#WorldNews']);
  });

  it('fits the instance limit with CJK, emoji and long URLs, the content warning counted, cut between graphemes', () => {
    const cases = [
      article({ title: '東京で新しい路線が開業。'.repeat(20), summary: '市は月曜日に発表した。'.repeat(80) }),
      article({ title: '👩‍👩‍👧‍👦🇺🇦'.repeat(120), summary: '🇺🇦👍🏽 '.repeat(400) }),
      article({ url: `https://www.courier.co.uk/${'long-path/'.repeat(200)}`, summary: 'Word '.repeat(300) }),
    ];
    for (const maxCharacters of [500, 300, 11_000]) {
      for (const spoiler of [null, 'Politics ⚠️']) {
        for (const item of cases) {
          const text = renderMastodonStatus(item, { spoiler, limits: { maxCharacters, charactersPerUrl: 23 } });
          const length = mastodonLength(text, 23) + (spoiler ? [...new Intl.Segmenter().segment(spoiler)].length : 0);
          expect(length).toBeLessThanOrEqual(maxCharacters);
          expect(isWellFormed(text)).toBe(true);
          expect(text).toContain(item.url);
          // A cut never leaves half an emoji sequence: every flag and family stays whole.
          expect(text.replace(/👩‍👩‍👧‍👦|🇺🇦|👍🏽/gu, '')).not.toMatch(/\p{Regional_Indicator}|\p{Emoji_Modifier}|\u200D/u);
        }
      }
    }
  });

  it('a long title is cut with "…", not dropped, and hashtags give way first', () => {
    const text = renderMastodonStatus(article({ title: 'Night buses '.repeat(60), summary: '' }), { spoiler: null, limits: { maxCharacters: 100, charactersPerUrl: 23 } });
    const [title, url] = text.split('\n\n');
    expect(title).toMatch(/^Night buses .*…$/);
    expect(url).toBe(article().url);
    expect(text).not.toContain('#');
  });

  it('mentions no account the feed merely names', () => {
    const text = renderMastodonStatus(article({ title: 'Statement by @mayor', summary: 'Asked @press@news.social for comment; mail desk@news.example.' }), { spoiler: null, limits });
    expect(text).toContain('@\u200Bmayor');
    expect(text).toContain('@\u200Bpress@news.social');
    expect(text).toContain('desk@news.example');
  });
});

describe('Mastodon target against a fake instance (masto.js)', () => {
  let mastodon: FakeMastodon;
  let images: ReturnType<typeof createServer>;
  let imageBase: string;
  const http = createHttpClient({ userAgent: 'herald-test', allowPrivateNetwork: true });

  beforeAll(async () => {
    images = createServer((req, res) => {
      if (req.url === '/lead.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not an image</html>');
    });
    imageBase = `http://127.0.0.1:${await listen(images)}`;
  });
  afterAll(async () => {
    await close(images);
    await http.close();
  });
  beforeEach(async () => {
    mastodon = new FakeMastodon(TOKEN);
    await mastodon.start();
  });
  afterEach(async () => {
    await mastodon.stop();
  });

  const target = (token = TOKEN) => createMastodonTarget({ url: mastodon.url, token, httpFor: () => http, log: quiet() });

  it('posts a status within the limit the instance gives, with the route’s visibility, warning and language', async () => {
    mastodon.maxCharacters = 140;
    const long = article({ summary: 'A sentence about the buses. '.repeat(30) });
    const { remoteId } = await target().send(long, context(route({ visibility: 'unlisted', spoiler: 'Local politics', language: 'en' })));
    expect(mastodon.tooLong).toEqual([]);
    expect(mastodon.statuses).toHaveLength(1);
    const [status] = mastodon.statuses;
    expect(remoteId).toBe(`${status!.id} ${mastodon.url}/@herald/${status!.id}`);
    expect(status).toMatchObject({ visibility: 'unlisted', spoilerText: 'Local politics', language: 'en' });
    expect(status!.text).toContain(long.url);
    expect(mastodonLength(status!.text, 23) + 'Local politics'.length).toBeLessThanOrEqual(140);
    expect(mastodonLength(status!.text, 23) + 'Local politics'.length).toBeGreaterThan(100);
  });

  it('sends an Idempotency-Key from article and account: a resend returns the same status, not a second one', async () => {
    const first = await target().send(article(), context());
    const again = await target().send(article(), context(undefined, true));
    expect(again.remoteId).toBe(first.remoteId);
    expect(mastodon.statusRequests).toBe(2);
    expect(mastodon.statuses).toHaveLength(1);
    expect(mastodon.statuses[0]!.idempotencyKey).toBe(idempotencyKey('feed:item-1', `127.0.0.1:${mastodon.port}/${mastodon.accountId}`));
    expect(idempotencyKey('feed:item-1', 'other.social/1')).not.toBe(mastodon.statuses[0]!.idempotencyKey);
    await target().send(article({ id: 'feed:item-2' }), context());
    expect(mastodon.statuses).toHaveLength(2);
  });

  it('a lost answer is an unknown outcome; the resend finds the status already made', async () => {
    mastodon.injected.push({ drop: true });
    const error = await target().send(article(), context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).kind).toBe('unknown');
    expect(mastodon.statuses).toHaveLength(1);
    const { remoteId } = await target().send(article(), context(undefined, true));
    expect(remoteId?.split(' ')[0]).toBe(mastodon.statuses[0]!.id);
    expect(mastodon.statuses).toHaveLength(1);
  });

  it('uploads the lead image with the title as description, and posts without an image that is not one', async () => {
    await target().send(article({ imageUrl: `${imageBase}/lead.png` }), context());
    expect(mastodon.media).toEqual([expect.objectContaining({ type: 'image/png', bytes: PNG.length, description: 'Council approves night buses' })]);
    expect(mastodon.statuses[0]!.mediaIds).toEqual([mastodon.media[0]!.id]);
    await target().send(article({ id: 'feed:item-2', imageUrl: `${imageBase}/page.html` }), context());
    expect(mastodon.media).toHaveLength(1);
    expect(mastodon.statuses[1]!.mediaIds).toEqual([]);
    await target().send(article({ id: 'feed:item-3', imageUrl: `${imageBase}/lead.png` }), context(route({ images: false })));
    expect(mastodon.statuses[2]!.mediaIds).toEqual([]);
  }, 20_000);

  it('an image larger than the instance accepts is not fetched whole nor uploaded', async () => {
    mastodon.imageSizeLimit = 1000;
    await target().send(article({ imageUrl: `${imageBase}/lead.png` }), context());
    expect(mastodon.media).toEqual([]);
    expect(mastodon.statuses).toHaveLength(1);
  });

  it('edits the status when the publisher edits the article', async () => {
    const posted = target();
    const { remoteId } = await posted.send(article(), context());
    await posted.edit!(article({ title: 'Council approves night buses for all districts', revision: 2 }), { ...context(), remoteId: remoteId! });
    expect(mastodon.statuses).toHaveLength(1);
    expect(mastodon.statuses[0]!.text).toMatch(/^Council approves night buses for all districts\n\n/);
    expect(mastodon.statuses[0]!.history).toHaveLength(1);
    const gone = await posted.edit!(article(), { ...context(), remoteId: '1' }).catch((e: unknown) => e);
    expect((gone as DeliveryError).kind).toBe('permanent');
  });

  it('records the status’s web address, which /why and the dashboard link (messageUrl); an edit still finds the status', async () => {
    const posted = target();
    const { remoteId } = await posted.send(article(), context());
    const kind = configuredKinds({ MASTODON_URL: mastodon.url, MASTODON_TOKEN: TOKEN }).get('mastodon')!;
    expect(kind.messageUrl!('', remoteId!)).toBe(`${mastodon.url}/@herald/${mastodon.statuses[0]!.id}`);
    await posted.edit!(article({ title: 'Night buses approved', revision: 2 }), { ...context(), remoteId: remoteId! });
    expect(mastodon.statuses[0]!.history).toHaveLength(1);
    // A status recorded by its id alone (before Herald kept the address) has no link.
    expect(kind.messageUrl!('', mastodon.statuses[0]!.id)).toBeNull();
  });

  it('a 429 waits until X-RateLimit-Reset', async () => {
    const reset = new Date(Date.now() + 90_000);
    mastodon.injected.push({ status: 429, body: { error: 'Too many requests' }, headers: { 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset.toISOString() } });
    const error = (await target().send(article(), context()).catch((e: unknown) => e)) as DeliveryError;
    expect(error.kind).toBe('retry');
    expect(error.retryAt).toBe(Math.floor(reset.getTime() / 1000) * 1000 + (reset.getTime() % 1000));
    expect(mastodon.statuses).toEqual([]);
  });

  it('a refused token holds statuses with one clear error', async () => {
    const refused = target('a-revoked-token-0000000');
    const error = (await refused.send(article(), context()).catch((e: unknown) => e)) as DeliveryError;
    expect(error.kind).toBe('held');
    expect(error.message).toContain('MASTODON_TOKEN');
    expect(await refused.ready!()).toMatchObject({ kind: 'wait', reason: error.message });
  });

  it('reads MASTODON_URL and MASTODON_TOKEN together, or neither', () => {
    expect(readMastodonEnv({})).toBeNull();
    expect(readMastodonEnv({ MASTODON_URL: 'https://mastodon.social/', MASTODON_TOKEN: ' t0ken ' })).toEqual({ url: 'https://mastodon.social', token: 't0ken' });
    expect(() => readMastodonEnv({ MASTODON_TOKEN: 't0ken' })).toThrow(new ConfigError('environment: MASTODON_URL and MASTODON_TOKEN must be set together'));
    expect(() => readMastodonEnv({ MASTODON_URL: 'mastodon.social', MASTODON_TOKEN: 't0ken' })).toThrow(/MASTODON_URL: expected the instance's address/);
    expect([...configuredKinds({ MASTODON_URL: 'https://mastodon.social', MASTODON_TOKEN: 't0ken' }).keys()]).toEqual(['mastodon']);
  });

  it('carries a route’s options to its deliveries', async () => {
    const config = parseConfig({ feeds: [{ id: 'a', url: 'x' }], routes: [{ feeds: ['a'], to: [{ mastodon: { visibility: 'unlisted', language: 'uk' } }] }] }, 'herald.yaml', TARGET_KINDS);
    const registry = new FeedRegistry(config, {} as never);
    expect(registry.deliveriesFor('a')).toEqual([
      { target: 'mastodon', options: expect.objectContaining({ kindOptions: { visibility: 'unlisted', spoiler: null, language: 'uk', images: true } }) },
    ]);
  });

  it('reads the route entry: defaults, and refuses unknown visibilities', () => {
    expect(route({})).toEqual({ visibility: 'public', spoiler: null, language: null, images: true });
    expect(route(null)).toEqual({ visibility: 'public', spoiler: null, language: null, images: true });
    expect(mastodonEntrySchema.safeParse({ visibility: 'everyone' }).success).toBe(false);
    expect(mastodonEntrySchema.safeParse({ language: 'English' }).success).toBe(false);
    // Options read back from a delivery row are checked: what this release did not write gives the defaults.
    expect(mastodonRoute({ visibility: 'unlisted', spoiler: null, language: 'en', images: false })).toEqual({ visibility: 'unlisted', spoiler: null, language: 'en', images: false });
    expect(mastodonRoute({ visibility: 'everyone' })).toEqual({ visibility: 'public', spoiler: null, language: null, images: true });
    expect(mastodonRoute(undefined)).toEqual({ visibility: 'public', spoiler: null, language: null, images: true });
  });
});
