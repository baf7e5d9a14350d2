import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { FakeX } from '../fakes/x.js';
import { heraldEnv, HeraldProcess, spawnHerald, tempDir, writeConfig } from './herald-process.js';

const OAUTH1 = { appKey: 'x-app-key-1', appSecret: 'x-app-secret-1', accessToken: 'x-access-token-1', accessSecret: 'x-access-secret-1' };
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);
const BASE = Date.UTC(2026, 10, 25, 6, 0, 0);

function page(title: string, image: string): string {
  return `<!doctype html><html lang="en"><head><title>${title}</title><meta property="og:image" content="${image}"></head><body><article><h1>${title}</h1>
<p>${title} begins with a lead sentence that says what happened today.</p><p>Another paragraph with detail.</p></article></body></html>`;
}

describe('the X publisher (OAuth 1.0a): caps, images, duplicates, rate limits', () => {
  const x = new FakeX(OAUTH1);
  // Discord only answers /status here: no route posts to it.
  const discord = new FakeDiscord('x-caps-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ', ['555555555555555555']);
  const feeds = new FeedServer();
  const dir = tempDir('x');
  const items: TestItem[] = [];
  let herald: HeraldProcess;

  function story(n: number, image: string): TestItem {
    feeds.setPage(`/x/${n}.html`, page(`X story ${n}`, image));
    return { guid: `x-${n}`, title: `X story ${n}`, link: feeds.url(`/x/${n}.html`), pubDate: new Date(BASE + n * 60_000) };
  }

  function start(): HeraldProcess {
    const config = writeConfig(dir, {
      feeds: [{ id: 'wire', url: feeds.url('/wire.xml'), every: '1s' }],
      routes: [{ feeds: ['wire'], x: true }],
      x: { maxPostsPerDay: 2, images: true },
      deliveries: { retryBase: '200ms' },
    });
    herald = new HeraldProcess(['run'], heraldEnv({ dir, config, x, discord }));
    return herald;
  }

  beforeAll(async () => {
    await Promise.all([x.start(), discord.start(), feeds.start()]);
    feeds.set('/img/ok.png', { body: PNG, contentType: 'image/png' });
    feeds.setPage('/img/not-an-image.png', '<html>nope</html>');
    feeds.setFeed('/wire.xml', rss('Wire', items));
    start();
    await waitFor('the first polls', () => feeds.count('/wire.xml') >= 2);
  });

  afterAll(async () => {
    herald.kill('SIGKILL');
    await Promise.all([x.stop(), discord.stop(), feeds.stop()]);
  });

  it('within the daily cap posts the newest two of three, with a signed request and the lead image, and skips the oldest with a reason', async () => {
    const reset = Math.floor(Date.now() / 1000) + 2;
    x.injected.push({ status: 429, headers: { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) } });
    items.push(story(1, feeds.url('/img/ok.png')), story(2, feeds.url('/img/not-an-image.png')), story(3, feeds.url('/img/ok.png')));
    feeds.setFeed('/wire.xml', rss('Wire', items));
    await waitFor('two posts', () => x.tweets.length >= 2, 30_000);
    expect(x.rejectedAuth).toEqual([]);
    expect(x.tweets.map((t) => t.text.split('\n\n')[0])).toEqual(['X story 2', 'X story 3']);
    // The 429 was waited out until x-rate-limit-reset.
    expect(x.tweets[0]!.at).toBeGreaterThanOrEqual(reset * 1000);
    // Story 2's "image" is HTML: posted without media. Story 3 carries its image, with alt text.
    expect(x.tweets[0]!.mediaIds).toEqual([]);
    expect(x.tweets[1]!.mediaIds).toHaveLength(1);
    const upload = x.uploads.find((u) => u.id === x.tweets[1]!.mediaIds[0])!;
    expect(upload).toMatchObject({ mediaType: 'image/png', bytes: PNG.length, altText: 'X story 3', finalized: true });
    // Logged on each attempt at story 2 (the 429 made it two), never for story 3.
    const imageProblems = herald.logged('lead image not attached; posting without it');
    expect(imageProblems.length).toBeGreaterThan(0);
    expect(imageProblems.every((line) => line.image === feeds.url('/img/not-an-image.png'))).toBe(true);
    const skipped = herald.logged('X post skipped');
    expect(skipped).toHaveLength(1);
    expect(String(skipped[0]!.reason)).toContain('daily cap of 2 X posts');
  });

  it('keeps the day count across a restart: a new story waits for the next day', async () => {
    herald.kill('SIGTERM');
    expect((await herald.exited).code).toBe(0);
    start();
    items.push(story(4, feeds.url('/img/ok.png')));
    feeds.setFeed('/wire.xml', rss('Wire', items));
    const waiting = await herald.waitForLog('delivery waits');
    expect(String(waiting.reason)).toContain('daily cap of 2 X posts');
    expect(new Date(String(waiting.until)).getTime()).toBe(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1));
    expect(x.tweets).toHaveLength(2);
    const port = (await herald.waitForLog('health and metrics listening')).port as number;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('herald_x_posts_left{window="day"} 0');
    await herald.waitForLog('discord gateway ready');
    const status = await discord.runCommand('status');
    const waitingField = status.embeds![0]!.fields!.find((field) => field.name === 'Waiting');
    expect(waitingField?.value).toBe(`x: ${String(waiting.reason)}, next try <t:${Math.ceil(new Date(String(waiting.until)).getTime() / 1000)}:R>`);
  });
});

describe('duplicate content', () => {
  const x = new FakeX(OAUTH1);
  const feeds = new FeedServer();
  let herald: HeraldProcess;

  beforeAll(async () => {
    await Promise.all([x.start(), feeds.start()]);
  });
  afterAll(async () => {
    herald.kill('SIGKILL');
    await Promise.all([x.stop(), feeds.stop()]);
  });

  it("counts X's duplicate-content refusal as posted", async () => {
    const dir = tempDir('xdup');
    const link = feeds.url('/d/1.html');
    feeds.setPage('/d/1.html', page('Duplicate story', ''));
    feeds.setFeed('/d.xml', rss('D', [{ guid: 'd1', title: 'Duplicate story', link }]));
    // The account already posted exactly this text (say, by hand).
    x.tweets.push({ id: '1', text: `Duplicate story\n\nDuplicate story begins with a lead sentence that says what happened today. Another paragraph with detail.\n\n${link}`, at: 0, mediaIds: [], replyTo: null, auth: 'oauth1' });
    herald = new HeraldProcess(['run', '--once'], heraldEnv({ dir, config: writeConfig(dir, { feeds: [{ id: 'd', url: feeds.url('/d.xml'), backfill: 1 }], routes: [{ feeds: ['d'], x: true }] }), x }));
    expect((await herald.exited).code).toBe(0);
    expect(x.tweetRequests).toBe(1);
    expect(herald.logged('delivered', { target: 'x' })).toHaveLength(1);
    expect(herald.logged('delivery failed')).toEqual([]);
  });
});

describe('X refusing the app: wrong OAuth 1.0a keys, no write permission', () => {
  const x = new FakeX(OAUTH1);
  const feeds = new FeedServer();
  let herald: HeraldProcess | null = null;

  /** The environment of a run over one new story routed to X, with the given access secret. */
  const keysEnv = (dir: string) => (secret: string) => ({
    ...heraldEnv({ dir, config: writeConfig(dir, { feeds: [{ id: 'k', url: feeds.url('/k.xml'), backfill: 1 }], routes: [{ feeds: ['k'], x: true }] }), x }),
    X_ACCESS_SECRET: secret,
  });

  beforeAll(async () => {
    await Promise.all([x.start(), feeds.start()]);
    feeds.setPage('/k/1.html', page('Keys story', ''));
    feeds.setFeed('/k.xml', rss('K', [{ guid: 'k1', title: 'Keys story', link: feeds.url('/k/1.html') }]));
  });
  afterEach(() => herald?.kill('SIGKILL'));
  afterAll(async () => {
    await Promise.all([x.stop(), feeds.stop()]);
  });

  it('wrong keys pause X with one clear error; the waiting post goes out after a restart with the right keys', async () => {
    const env = keysEnv(tempDir('xkeys'));
    herald = new HeraldProcess(['run', '--once'], env('a-wrong-secret'));
    // --once exits 1 while a destination refuses its credentials (its post waits, nothing is lost).
    expect((await herald.exited).code).toBe(1);
    const error = 'X refused the OAuth 1.0a keys: check X_APP_KEY, X_APP_SECRET, X_ACCESS_TOKEN and X_ACCESS_SECRET, then restart Herald (X posts wait until then)';
    expect(herald.logged(error)).toHaveLength(1);
    expect(herald.logged('delivery waits', { target: 'x', reason: error })).toHaveLength(1);
    expect(herald.logged('delivery failed')).toEqual([]);
    expect(x.rejectedAuth).toEqual(['bad signature']);
    herald = new HeraldProcess(['run'], env(OAUTH1.accessSecret));
    await waitFor('the waiting post', () => x.tweets.length >= 1, 40_000);
    await herald.waitForLog('delivered', { target: 'x' });
    expect(x.tweets.map((t) => t.text.split('\n\n')[0])).toEqual(['Keys story']);
  }, 120_000);

  it('an app without write permission pauses X with one clear error instead of failing the post', async () => {
    const detail = 'Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.';
    x.injected.push({ status: 403, body: { title: 'Forbidden', status: 403, detail, type: 'https://api.twitter.com/2/problems/oauth1-permissions' } });
    const requests = x.tweetRequests;
    herald = new HeraldProcess(['run', '--once'], keysEnv(tempDir('xperm'))(OAUTH1.accessSecret));
    expect((await herald.exited).code).toBe(1);
    const error = herald.logged('delivery waits', { target: 'x' })[0]?.reason;
    expect(error).toBe(
      `X refuses posts from this app (403: ${detail}). In the X developer portal give the app Read and write, ` +
        'then regenerate its access token and restart Herald, or run `herald x login` again (OAuth 2.0); X posts wait until then',
    );
    expect(herald.logged(String(error))).toHaveLength(1);
    expect(herald.logged('delivery failed')).toEqual([]);
    expect(x.tweetRequests).toBe(requests + 1);
  });
});

describe('the X publisher with OAuth 2.0', () => {
  const x = new FakeX(OAUTH1);
  const feeds = new FeedServer();
  const dir = tempDir('xoauth2');
  const dbPath = join(dir, 'herald.db');
  const env = () => ({ X_CLIENT_ID: 'client-id-123', X_CLIENT_SECRET: 'client-secret-456', X_API_URL: x.apiUrl, DATABASE_URL: `sqlite:${dbPath}` });
  const items: TestItem[] = [];
  let herald: HeraldProcess | null = null;
  const orderingChecks: boolean[] = [];

  function storedTokens(): { accessToken: string; refreshToken: string } | null {
    const db = new Database(dbPath, { readonly: true });
    try {
      const row = db.prepare("SELECT value FROM meta WHERE key = 'x.oauth2.tokens'").get() as { value: string } | undefined;
      return row ? (JSON.parse(row.value) as { accessToken: string; refreshToken: string }) : null;
    } finally {
      db.close();
    }
  }

  function start(): HeraldProcess {
    herald = new HeraldProcess(['run'], {
      ...env(),
      HERALD_CONFIG: writeConfig(dir, { feeds: [{ id: 'o', url: feeds.url('/o.xml'), every: '1s' }], routes: [{ feeds: ['o'], x: true }] }),
      HERALD_ALLOW_PRIVATE_NETWORK: '1',
      HTTP_PORT: '0',
    });
    return herald;
  }

  function publish(n: number): void {
    feeds.setPage(`/o/${n}.html`, page(`OAuth story ${n}`, ''));
    items.push({ guid: `o-${n}`, title: `OAuth story ${n}`, link: feeds.url(`/o/${n}.html`), pubDate: new Date(BASE + n * 60_000) });
    feeds.setFeed('/o.xml', rss('O', items));
  }

  beforeAll(async () => {
    await Promise.all([x.start(), feeds.start()]);
    feeds.setFeed('/o.xml', rss('O', []));
    // Each access token lives 60 s, under the 2-minute refresh margin: every post refreshes and rotates.
    x.tokenLifetimeSeconds = 60;
    x.onFirstUse = (pair) => orderingChecks.push(storedTokens()?.refreshToken === pair.refreshToken);
  });

  afterEach(() => herald?.kill('SIGKILL'));
  afterAll(async () => {
    await Promise.all([x.stop(), feeds.stop()]);
  });

  /** Runs `herald x login` as a maintainer would, approving in the browser with the fake's code. */
  async function login(): Promise<{ code: unknown; output: string; url: URL }> {
    const child = spawnHerald(['x', 'login'], env(), 'pipe');
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = new URL(await waitFor('the authorize URL', () => /https:\/\/x\.com\/i\/oauth2\/authorize\S+/.exec(output)?.[0]));
    child.stdin!.end(`http://127.0.0.1:8788/callback?state=${url.searchParams.get('state')}&code=test-code\n`);
    const code = await new Promise((resolve) => child.on('exit', resolve));
    return { code, output, url };
  }

  it('herald x login runs the PKCE flow in the terminal and stores the tokens', async () => {
    const { code, output, url } = await login();
    expect(url.searchParams.get('code_challenge_method')?.toUpperCase()).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('scope')).toContain('offline.access');
    expect(code).toBe(0);
    expect(output).toContain('Authorized as @herald');
    expect(storedTokens()).toEqual(expect.objectContaining(x.issued[0]));
  });

  it('posts with OAuth 2, saving each rotated refresh token before the new access token is used', async () => {
    start();
    await waitFor('the first polls', () => feeds.count('/o.xml') >= 2);
    publish(1);
    await waitFor('a post', () => x.tweets.length >= 1);
    expect(x.tweets[0]!.auth).toBe(x.issued.at(-1)!.accessToken);
    expect(x.issued.length).toBeGreaterThanOrEqual(2);
    expect(orderingChecks.length).toBeGreaterThan(0);
    expect(orderingChecks.every(Boolean)).toBe(true);
  });

  it('after a crash right after a refresh, the saved tokens still work', async () => {
    // Crash at the first use of a fresh access token: the refresh happened, the send did not finish.
    x.onFirstUse = (pair) => {
      orderingChecks.push(storedTokens()?.refreshToken === pair.refreshToken);
      herald?.kill('SIGKILL');
    };
    publish(2);
    await herald!.exited;
    x.onFirstUse = (pair) => orderingChecks.push(storedTokens()?.refreshToken === pair.refreshToken);
    start();
    await waitFor('story 2 posted after the restart', () => x.tweets.some((t) => t.text.startsWith('OAuth story 2')), 30_000);
    // The crashed send did reach X: the restarted process resends once and X's duplicate refusal settles it.
    await herald!.waitForLog('delivered', { target: 'x' }, 30_000);
    expect(x.tweets.filter((t) => t.text.startsWith('OAuth story 2'))).toHaveLength(1);
    expect(orderingChecks.every(Boolean)).toBe(true);
    expect(herald!.logged('X authorization was revoked or has expired: run `herald x login` again (X posts wait until then)')).toEqual([]);
  });

  it('a revoked authorization gives one clear error and pauses X, even for a resend after a crash', async () => {
    // Story 3's send is cut off by a crash, so after the restart it is resent, with the authorization revoked meanwhile.
    x.onFirstUse = () => herald?.kill('SIGKILL');
    start();
    publish(3);
    await herald!.exited;
    x.onFirstUse = null;
    const latest = x.issued.at(-1)!;
    x.revoked.add(latest.refreshToken);
    x.revoked.add(latest.accessToken);
    const posted = x.tweets.length;
    start();
    publish(4);
    const error = 'X authorization was revoked or has expired: run `herald x login` again (X posts wait until then)';
    await herald!.waitForLog(error);
    expect(herald!.logged('resuming a delivery interrupted by a restart', { target: 'x' })).toHaveLength(1);
    const polls = feeds.count('/o.xml');
    await waitFor('more polls', () => feeds.count('/o.xml') >= polls + 3);
    expect(herald!.logged(error)).toHaveLength(1);
    expect(herald!.logged('delivery failed')).toEqual([]);
    expect(herald!.logged('delivery waits', { target: 'x', reason: error })).toHaveLength(1);
    expect(x.tweets).toHaveLength(posted);
  });

  it('an access token revoked before it expires: the refused post waits, and a new login resumes X without a restart', async () => {
    expect((await login()).code).toBe(0);
    x.tokenLifetimeSeconds = 7200;
    start();
    publish(5);
    await waitFor('story 5 posted', () => x.tweets.some((t) => t.text.startsWith('OAuth story 5')), 30_000);
    const latest = x.issued.at(-1)!;
    x.revoked.add(latest.refreshToken);
    x.revoked.add(latest.accessToken);
    publish(6);
    const error = 'X authorization was revoked or has expired: run `herald x login` again (X posts wait until then)';
    await herald!.waitForLog('delivery waits', { target: 'x', reason: error });
    expect(herald!.logged(error)).toHaveLength(1);
    expect(x.rejectedAuth.length).toBeGreaterThan(0);
    expect((await login()).code).toBe(0);
    await herald!.waitForLog('X authorized again: posting resumes', {}, 40_000);
    await waitFor('story 6 posted after the new login', () => x.tweets.some((t) => t.text.startsWith('OAuth story 6')), 40_000);
    expect(x.tweets.filter((t) => t.text.startsWith('OAuth story 6'))).toHaveLength(1);
    expect(herald!.logged('delivery failed')).toEqual([]);
  }, 120_000);
});
