import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/deliveries/outbox.js';
import { DeliveryError } from '../../src/deliveries/target.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { createLogger } from '../../src/ops/logger.js';
import { createHttpClient, type HttpClient } from '../../src/sources/http.js';
import type { Article } from '../../src/articles/article.js';
import { readBlueskyEnv } from '../../src/targets/bluesky/env.js';
import { createBlueskyTarget } from '../../src/targets/bluesky/publisher.js';
import { graphemeLength, renderBlueskyPost, shownLink } from '../../src/targets/bluesky/render.js';
import { blueskySession, type BlueskySession } from '../../src/targets/bluesky/session.js';
import { blueskySettingsSchema } from '../../src/targets/bluesky/settings.js';
import { postRecordKey, TID_PATTERN } from '../../src/targets/bluesky/tid.js';
import { cidOf, FakeBluesky } from '../fakes/bluesky.js';
import { FeedServer } from '../fakes/feed-server.js';
import { configuredKinds, kindNamed } from '../../src/targets/index.js';
import { graphemes, isWellFormed } from '../unicode.js';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);
const FAMILY = '👨‍👩‍👧‍👦';
const FLAG = '🇺🇦';
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

function article(overrides: Partial<Article> = {}): Article {
  return {
    id: 'a1',
    feedId: 'city',
    url: 'https://news.example/2026/11/30/council-approves-night-buses?ref=rss',
    title: 'Council approves night buses',
    summary: 'The council voted on Monday. Buses start in March. Riders welcomed the news.',
    author: null,
    siteName: 'Riverside Courier',
    imageUrl: null,
    publishedAt: null,
    firstSeenAt: Date.UTC(2026, 10, 30, 12, 0, 0),
    ...overrides,
  };
}

/** The link facet's text, read back through its UTF-8 byte offsets, as a Bluesky app does. */
function facetText(post: { text: string; facets: Array<{ index: { byteStart: number; byteEnd: number } }> }): string {
  const { byteStart, byteEnd } = post.facets[0]!.index;
  return FakeBluesky.byteSlice(post.text, byteStart, byteEnd);
}

describe('Bluesky post rendering', () => {
  it('writes title, summary and the shortened link, with a link facet over the link’s UTF-8 bytes and a card', () => {
    const post = renderBlueskyPost(article());
    expect(post.text).toBe('Council approves night buses\n\nThe council voted on Monday. Buses start in March. Riders welcomed the news.\n\nnews.example/2026/11/30…');
    expect(facetText(post)).toBe('news.example/2026/11/30…');
    expect(post.facets[0]!.features).toEqual([{ $type: 'app.bsky.richtext.facet#link', uri: article().url }]);
    expect(post.card).toEqual({ uri: article().url, title: 'Council approves night buses', description: article().summary });
  });

  it('counts facet offsets in UTF-8 bytes, not UTF-16 units, after CJK, emoji and ZWJ sequences', () => {
    const post = renderBlueskyPost(article({ title: `東京の夜行バス ${FAMILY}${FLAG} が決定`, summary: `Café ünïcödé ${FAMILY} 😀 text.` }));
    expect(facetText(post)).toBe('news.example/2026/11/30…');
    const { byteStart, byteEnd } = post.facets[0]!.index;
    expect(byteEnd).toBe(bytes(post.text));
    expect(byteStart).toBeGreaterThan(post.text.indexOf('news.example')); // bytes outnumber UTF-16 units here
  });

  it('keeps at most 300 graphemes: emoji, ZWJ sequences and flags count one each and are never split', () => {
    const post = renderBlueskyPost(article({ title: `${FAMILY}${FLAG}`.repeat(200), summary: `${FAMILY} `.repeat(200) }));
    expect(graphemeLength(post.text)).toBeLessThanOrEqual(300);
    expect(isWellFormed(post.text)).toBe(true);
    const title = post.text.split('\n\n')[0]!;
    expect(title.endsWith('…')).toBe(true);
    expect(graphemes(title.slice(0, -1)).every((g) => g === FAMILY || g === FLAG)).toBe(true);
    // 300 family emoji would be 7,500 bytes: the 3,000-byte limit binds first.
    expect(bytes(post.text)).toBeLessThanOrEqual(3000);
    expect(facetText(post)).toBe('news.example/2026/11/30…');
  });

  it('fills up to 300 graphemes of CJK (each one grapheme, three bytes)', () => {
    const post = renderBlueskyPost(article({ title: '市議会が深夜バスを承認', summary: '市議会は月曜日に採決した。'.repeat(60) }));
    expect(graphemeLength(post.text)).toBeLessThanOrEqual(300);
    expect(graphemeLength(post.text)).toBeGreaterThan(250);
    expect(post.text.split('\n\n')[1]!.endsWith('。')).toBe(true); // whole sentences
  });

  it('shows a long URL shortened while the facet and the card keep all of it', () => {
    const url = `https://news.example/${'very-long-slug-'.repeat(40)}?utm_source=rss&id=${'9'.repeat(50)}`;
    const post = renderBlueskyPost(article({ url }));
    expect(shownLink(url)).toBe('news.example/very-long…');
    expect(post.facets[0]!.features[0]!.uri).toBe(url);
    expect(post.card.uri).toBe(url);
    expect(post.text).toContain('Riders welcomed the news.');
    expect(shownLink('https://news.example/')).toBe('news.example');
    expect(shownLink('not a url')).toBe('not a url');
  });

  it('cuts the card to 300 graphemes of title and 1,000 of description, between graphemes', () => {
    const post = renderBlueskyPost(article({ title: FAMILY.repeat(400), summary: `${FLAG}`.repeat(1200) }));
    expect(graphemeLength(post.card.title)).toBeLessThanOrEqual(300);
    expect(graphemeLength(post.card.description)).toBeLessThanOrEqual(1000);
    expect(isWellFormed(post.card.title) && isWellFormed(post.card.description)).toBe(true);
  });

  it('has settings: up to three language tags, thumbnails on by default', () => {
    expect(blueskySettingsSchema.parse(undefined)).toEqual({ langs: [], thumbnails: true });
    expect(blueskySettingsSchema.parse({ langs: ['en', 'pt-BR'] }).langs).toEqual(['en', 'pt-BR']);
    expect(blueskySettingsSchema.safeParse({ langs: ['english language'] }).success).toBe(false);
    expect(blueskySettingsSchema.safeParse({ langs: ['en', 'de', 'fr', 'uk'] }).success).toBe(false);
  });
});

describe('Bluesky environment', () => {
  it('reads handle and app password together, the service with its default, the password as a secret', () => {
    expect(readBlueskyEnv({})).toBeNull();
    expect(readBlueskyEnv({ BLUESKY_HANDLE: ' @news.example.com ', BLUESKY_APP_PASSWORD: 'abcd-efgh-ijkl-mnop' })).toEqual({ handle: 'news.example.com', appPassword: 'abcd-efgh-ijkl-mnop', service: 'https://bsky.social' });
    expect(readBlueskyEnv({ BLUESKY_HANDLE: 'a.test', BLUESKY_APP_PASSWORD: 'p', BLUESKY_SERVICE: 'http://127.0.0.1:9' })?.service).toBe('http://127.0.0.1:9');
    expect(() => readBlueskyEnv({ BLUESKY_HANDLE: 'a.test' })).toThrow('environment: BLUESKY_HANDLE and BLUESKY_APP_PASSWORD must be set together');
    expect(() => readBlueskyEnv({ BLUESKY_HANDLE: 'a.test', BLUESKY_APP_PASSWORD: 'p', BLUESKY_SERVICE: 'bsky.social' })).toThrow('environment: BLUESKY_SERVICE');
    expect(readBlueskyEnv({ BLUESKY_HANDLE: 'did:plc:abc123', BLUESKY_APP_PASSWORD: 'p' })?.handle).toBe('did:plc:abc123');
  });

  it('refuses a handle that is not a domain name, and a service that would carry the app password in clear', () => {
    for (const handle of ['news example.com', '@@bad.example', 'javascript:alert(1)', 'localhost', 'news.example.123']) {
      expect(() => readBlueskyEnv({ BLUESKY_HANDLE: handle, BLUESKY_APP_PASSWORD: 'p' }), handle).toThrow('environment: BLUESKY_HANDLE: expected a handle');
    }
    expect(() => readBlueskyEnv({ BLUESKY_HANDLE: 'a.test', BLUESKY_APP_PASSWORD: 'p', BLUESKY_SERVICE: 'http://bsky.example' })).toThrow('expected an https URL');
    expect(readBlueskyEnv({ BLUESKY_HANDLE: 'a.test', BLUESKY_APP_PASSWORD: 'p', BLUESKY_SERVICE: 'http://localhost:2583' })?.service).toBe('http://localhost:2583');
    let message = '';
    try {
      readBlueskyEnv({ BLUESKY_HANDLE: 'a.test', BLUESKY_APP_PASSWORD: 'p', BLUESKY_SERVICE: 'htps://user:SECRETSVC@host.example' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('BLUESKY_SERVICE');
    expect(message).not.toContain('SECRETSVC');
    expect([...configuredKinds({ BLUESKY_HANDLE: 'a.test', BLUESKY_APP_PASSWORD: 'p' }).keys()]).toEqual(['bluesky']);
    expect(kindNamed('bluesky')!.env.filter((variable) => variable.secret).map((variable) => variable.name)).toEqual(['BLUESKY_APP_PASSWORD']);
    expect(kindNamed('bluesky')).toMatchObject({ idempotent: true, canEdit: false });
  });
});

describe('Bluesky record keys', () => {
  const S32 = '234567abcdefghijklmnopqrstuvwxyz';
  const decode = (text: string) => [...text].reduce((value, char) => value * 32n + BigInt(S32.indexOf(char)), 0n);

  it('is a valid TID derived from the article and the account only', () => {
    const seen = Date.UTC(2026, 10, 30, 12, 0, 0);
    const key = postRecordKey('did:plc:one', 'a1', seen);
    expect(key).toMatch(TID_PATTERN);
    expect(key).toHaveLength(13);
    expect(postRecordKey('did:plc:one', 'a1', seen)).toBe(key);
    expect(postRecordKey('did:plc:two', 'a1', seen)).not.toBe(key);
    expect(postRecordKey('did:plc:one', 'a2', seen)).not.toBe(key);
    // 53 bits of microseconds: within the minute before Herald first saw the article.
    const micros = decode(key) >> 10n;
    expect(micros).toBeLessThanOrEqual(BigInt(seen) * 1000n);
    expect(micros).toBeGreaterThan(BigInt(seen - 60_000) * 1000n);
  });

  it('tells apart many articles first seen in the same millisecond', () => {
    const keys = new Set(Array.from({ length: 2000 }, (_, i) => postRecordKey('did:plc:one', `article-${i}`, 1_700_000_000_000)));
    expect(keys.size).toBe(2000);
  });
});

describe('Bluesky target against a fake PDS', () => {
  const HANDLE = 'herald.test';
  const PASSWORD = 'abcd-efgh-ijkl-mnop';
  let pds: FakeBluesky;
  let images: FeedServer;
  let http: HttpClient;
  let meta: Map<string, string>;
  let lines: Array<{ level: number; msg: string; [key: string]: unknown }>;
  let settings = { langs: ['en'], thumbnails: true };

  const store = () => ({ getMeta: async (key: string) => meta.get(key) ?? null, setMeta: async (key: string, value: string) => void meta.set(key, value) });
  const log = () =>
    createLogger({
      level: 'debug',
      secrets: [PASSWORD],
      stream: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
          done();
        },
      }),
    });
  const context = (unknownOutcome = false) => ({ address: '', unknownOutcome, options: { template: null, style: { name: 'City', color: 0 }, priority: 0 } });

  function build(password = PASSWORD): { session: BlueskySession; target: ReturnType<typeof createBlueskyTarget> } {
    const logger = log();
    const session = blueskySession({ account: { handle: HANDLE, appPassword: password, service: pds.url }, store: store(), log: logger });
    return { session, target: createBlueskyTarget({ session, httpFor: () => http, log: logger, settings: () => settings }) };
  }

  beforeEach(async () => {
    pds = new FakeBluesky(HANDLE, PASSWORD);
    images = new FeedServer();
    await Promise.all([pds.start(), images.start()]);
    images.set('/lead.png', { body: PNG, contentType: 'image/png' });
    images.set('/huge.png', { body: Buffer.concat([PNG, Buffer.alloc(1_000_001)]), contentType: 'image/png' });
    images.set('/page.png', { body: '<html>not an image</html>', contentType: 'image/png' });
    http = createHttpClient({ userAgent: 'Herald-test', allowPrivateNetwork: true });
    meta = new Map();
    lines = [];
    settings = { langs: ['en'], thumbnails: true };
  });

  afterEach(async () => {
    await http.close();
    await Promise.all([pds.stop(), images.stop()]);
  });

  it('posts text, link facet, link card with an uploaded thumbnail and langs, with a TID record key', async () => {
    const { target } = build();
    const posted = article({ imageUrl: images.url('/lead.png') });
    const { remoteId } = await target.send(posted, context());
    expect(pds.posts).toHaveLength(1);
    const [post] = pds.posts;
    expect(remoteId).toBe(post!.uri);
    expect(post!.rkey).toBe(postRecordKey(pds.did, posted.id, posted.firstSeenAt));
    expect(post!.value.text).toBe(renderBlueskyPost(posted).text);
    expect(facetText({ text: post!.value.text, facets: post!.value.facets as never })).toBe('news.example/2026/11/30…');
    expect(post!.value.langs).toEqual(['en']);
    expect(post!.value.embed).toMatchObject({ $type: 'app.bsky.embed.external', external: { uri: posted.url, title: posted.title, description: posted.summary, thumb: { mimeType: 'image/png', size: PNG.length } } });
    expect(pds.blobs).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
  });

  it('posts without a thumbnail when the image is too large or not an image, and without langs when none are set', async () => {
    settings = { langs: [], thumbnails: true };
    const { target } = build();
    await target.send(article({ id: 'big', imageUrl: images.url('/huge.png') }), context());
    await target.send(article({ id: 'html', imageUrl: images.url('/page.png') }), context());
    expect(pds.posts).toHaveLength(2);
    expect(pds.posts.every((post) => post.value.embed?.external?.thumb === undefined && post.value.langs === undefined)).toBe(true);
    expect(pds.blobs).toEqual([]);
    expect(lines.filter((line) => line.msg === 'link card thumbnail not attached; posting without it')).toHaveLength(2);
  });

  it('logs in once, stores the session, and resumes it after a restart with a refresh instead of a new login', async () => {
    const first = build();
    await first.target.send(article({ id: 'a1' }), context());
    await first.target.send(article({ id: 'a2' }), context());
    expect(pds.logins).toBe(1);
    expect(JSON.parse(meta.get('bluesky.session')!).session.refreshJwt).toMatch(/^refresh-1-/);

    const second = build();
    await second.target.send(article({ id: 'a3' }), context());
    expect(pds.logins).toBe(1);
    expect(pds.refreshes).toBe(1);
    expect(JSON.parse(meta.get('bluesky.session')!).session.refreshJwt).toMatch(/^refresh-2-/);
    expect(pds.posts.map((post) => post.auth)).toEqual([expect.stringMatching(/^access-1-/), expect.stringMatching(/^access-1-/), expect.stringMatching(/^access-2-/)]);
  });

  it('two processes sharing the database: a session one of them rotated is taken from the store, never a new login', async () => {
    const one = build();
    const two = build();
    await one.target.send(article({ id: 'a1' }), context());
    await two.target.send(article({ id: 'a2' }), context()); // resumes the stored session: its refresh rotates the tokens
    await one.target.send(article({ id: 'a3' }), context()); // refused, its refresh token spent: resumes what two stored
    await two.target.send(article({ id: 'a4' }), context());
    expect(pds.posts).toHaveLength(4);
    expect(pds.logins).toBe(1);
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('refreshes an expired access token and repeats the post, storing the new tokens', async () => {
    const { target } = build();
    await target.send(article({ id: 'a1' }), context());
    pds.expireAccessToken();
    await target.send(article({ id: 'a2' }), context());
    expect(pds.posts).toHaveLength(2);
    expect(pds.logins).toBe(1);
    expect(pds.refreshes).toBe(1);
    expect(pds.refusedAuth).toEqual(['com.atproto.repo.createRecord']);
    expect(JSON.parse(meta.get('bluesky.session')!).session.accessJwt).toMatch(/^access-2-/);
  });

  it('a second create of the same article is refused by the server and counts as posted, with the first record’s uri', async () => {
    const { target } = build();
    const first = await target.send(article(), context());
    const again = await target.send(article(), context());
    expect(pds.createRequests).toBe(2);
    expect(pds.posts).toHaveLength(1);
    expect(again.remoteId).toBe(first.remoteId);
    expect(lines.some((line) => line.msg === 'Bluesky post already there' && line.cid === pds.posts[0]!.cid)).toBe(true);
  });

  it('a key held by another article’s post (two articles deriving one key) is passed over, never taken for this article’s post', async () => {
    const { target } = build();
    const mine = article();
    const rkey = postRecordKey(pds.did, mine.id, mine.firstSeenAt);
    const other = { text: 'Another story', createdAt: new Date().toISOString(), embed: { $type: 'app.bsky.embed.external', external: { uri: 'https://news.example/another', title: 'Another', description: '' } } };
    pds.posts.push({ uri: `at://${pds.did}/app.bsky.feed.post/${rkey}`, cid: cidOf(Buffer.from(JSON.stringify(other))), rkey, value: other, auth: 'earlier' });
    const { remoteId } = await target.send(mine, context());
    expect(pds.posts).toHaveLength(2);
    const posted = pds.posts.find((post) => post.uri === remoteId)!;
    expect(posted.rkey).not.toBe(rkey);
    expect(posted.value.embed?.external?.uri).toBe(mine.url);
    // A resend after an unknown outcome finds it at its second key: nothing is posted twice.
    const again = await target.send(mine, context(true));
    expect(again.remoteId).toBe(remoteId);
    expect(pds.posts).toHaveLength(2);
  });

  it('an answer lost after the write: the record is found by its key, and a resend posts nothing twice', async () => {
    const { target } = build();
    pds.dropCreateAnswers = true;
    const lost = await target.send(article({ imageUrl: images.url('/lead.png') }), context());
    expect(pds.posts).toHaveLength(1);
    expect(lost.remoteId).toBe(pds.posts[0]!.uri);
    pds.dropCreateAnswers = false;
    const { remoteId } = await target.send(article({ imageUrl: images.url('/lead.png') }), context(true));
    expect(pds.posts).toHaveLength(1);
    expect(remoteId).toBe(pds.posts[0]!.uri);
    expect(pds.createRequests).toBe(1); // after an unknown outcome the key is looked up first
    expect(pds.blobs).toHaveLength(1); // no second upload for a post already out
  });

  it('a PDS that cannot be reached gives an unknown outcome (the outbox resends: the key keeps it once)', async () => {
    const { target } = build();
    await target.send(article({ id: 'a1' }), context());
    pds.unreachable = true;
    const failed = await target.send(article({ id: 'a2' }), context()).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(DeliveryError);
    expect((failed as DeliveryError).kind).toBe('unknown');
    pds.unreachable = false;
    await target.send(article({ id: 'a2' }), context(true));
    expect(pds.posts).toHaveLength(2);
  });

  it('a refused app password pauses Bluesky with one clear error, and nothing is posted', async () => {
    const { target } = build('wrong-password');
    for (let i = 0; i < 3; i++) {
      const ready = await target.ready!();
      if (ready.kind === 'send') await target.send(article({ id: `a${i}` }), context()).catch(() => undefined);
    }
    const errors = lines.filter((line) => line.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toContain('Bluesky refused the login of herald.test (401 AuthenticationRequired');
    expect(errors[0]!.msg).toContain('App passwords');
    expect(errors[0]!.msg).toContain('BLUESKY_APP_PASSWORD');
    expect(pds.logins).toBe(1);
    expect(pds.posts).toEqual([]);
    expect(await target.ready!()).toMatchObject({ kind: 'wait', reason: errors[0]!.msg });
  });

  it('the first delivery after a refused login spends none of its attempts (the credentials are at fault, not the delivery)', async () => {
    const { target } = build('wrong-password');
    const deliveries = await openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-bluesky-')), 'test.db'));
    const outbox = new Outbox({ store: deliveries, targets: new Map([['bluesky', { target, idempotent: true, canEdit: false }]]), retry: { maxAttempts: 1, baseMs: 1_000, maxMs: 60_000 }, log: log(), owner: 'one' });
    try {
      await deliveries.addArticle(article({ id: 'a1' }), { key: 'a1', contentHash: null }, [{ target: 'bluesky', options: context().options }], Date.now());
      await outbox.drain();
      // With one attempt allowed, a charged attempt would have failed the delivery for good.
      const [waiting] = (await deliveries.unfinishedFor('bluesky')).map((job) => job.delivery);
      expect(waiting).toMatchObject({ status: 'pending', attempts: 0, lastError: expect.stringContaining('Bluesky refused the login of herald.test') });
      expect(await deliveries.deliveryCounts()).toMatchObject({ failed: 0, pending: 1 });
      expect(pds.logins).toBe(1);
    } finally {
      await outbox.stop();
      await deliveries.close();
    }
  });

  it('a deleted app password (refresh and login refused) pauses Bluesky with one error', async () => {
    const { target, session } = build();
    await target.send(article({ id: 'a1' }), context());
    pds.revokeAppPassword();
    pds.expireAccessToken();
    const failed = await target.send(article({ id: 'a2' }), context()).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(DeliveryError);
    expect(session.paused()).toContain('Bluesky refused the login');
    expect(lines.filter((line) => line.level >= 50)).toHaveLength(1);
    expect(pds.logins).toBe(2); // the first, and one try with the password after the refresh was refused
    expect(pds.posts).toHaveLength(1);
  });

  it('waits for ratelimit-reset when none remain, and a 429 retries at the reset, never failing the post', async () => {
    const { target } = build();
    const reset = Math.floor(Date.now() / 1000) + 120;
    pds.rateLimit = { limit: 5000, remaining: 0, reset: () => reset };
    await target.send(article({ id: 'a1' }), context());
    expect(await target.ready!()).toEqual({ kind: 'wait', until: reset * 1000, reason: expect.stringContaining('Bluesky rate limit') });

    const later = build();
    pds.rateLimit = { limit: 5000, remaining: 10, reset: () => reset };
    await later.target.send(article({ id: 'a2' }), context()); // logs the new session in
    pds.injected.push({ status: 429, body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }, headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) } });
    const limited = await later.target.send(article({ id: 'a3' }), context()).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(DeliveryError);
    expect(limited).toMatchObject({ kind: 'retry', retryAt: reset * 1000 });
    expect(pds.posts).toHaveLength(2);
  });

  it('a login window with none left holds no post: only the posting limits do', async () => {
    pds.loginRateLimit = { limit: 300, remaining: 0, reset: () => Math.floor(Date.now() / 1000) + 86_400 };
    const { target } = build();
    await target.send(article({ id: 'a1' }), context());
    expect(await target.ready!()).toEqual({ kind: 'send' });
  });
});
