import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath } from '../browser.js';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { FakeX } from '../fakes/x.js';
import { fakeEnv, HeraldProcess, tempDir, writeConfig } from '../e2e/herald-process.js';

const TOKEN = 'fake-bot-token.DASHBOARDSECRETTOKEN';
const CHANNELS = ['111111111111111111', '222222222222222222'];
const X_CREDENTIALS = { appKey: 'app-key-dash', appSecret: 'app-secret-dash', accessToken: 'access-token-dash', accessSecret: 'access-secret-dash' };
const PASSWORD = 'correct horse battery staple';
/** Credentials inside a feed URL: the page must never show them. */
const FEED_SECRETS = ['hunter2', 's3cr3t-query-token'];
/** Screenshots of every page, kept as test artifacts (git-ignored). */
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));
const BASE = Date.UTC(2026, 10, 20, 12, 0, 0);

const browserOrSkip = chromiumPath();

describe.skipIf('skipped' in browserOrSkip)(`the dashboard in a real browser${'skipped' in browserOrSkip ? ` (skipped: ${browserOrSkip.skipped})` : ''}`, () => {
  const discord = new FakeDiscord(TOKEN, CHANNELS);
  const x = new FakeX(X_CREDENTIALS);
  const feeds = new FeedServer();
  /** A host that answers 429 with an hour's Retry-After (its own server: the hold covers every request to the host). */
  const busy = new FeedServer();
  let herald: HeraldProcess;
  let browser: Browser;
  let origin: string;
  const secrets = [TOKEN, PASSWORD, ...Object.values(X_CREDENTIALS), ...FEED_SECRETS];

  function story(path: string, n: number): TestItem {
    const link = feeds.url(`/${path}/${n}.html`);
    feeds.setPage(`/${path}/${n}.html`, articlePage(`Dashboard story ${n} from ${path}`, [`Story ${n} opens with a lead sentence about the harbour bridge.`, `Its second paragraph says more about story ${n}.`]));
    return { guid: `${path}-${n}`, title: `Dashboard story ${n} from ${path}`, link, pubDate: new Date(BASE + n * 60_000) };
  }

  /** Every page a person can open, checked for secrets and saved as a screenshot. */
  async function visit(page: Page, path: string, name: string): Promise<string> {
    await page.goto(`${origin}${path}`);
    const text = await page.content();
    for (const secret of secrets) expect(text, `${path} shows a secret`).not.toContain(secret);
    await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
    return text;
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await Promise.all([discord.start(), x.start(), feeds.start(), busy.start()]);
    busy.set('/feed.xml', { body: 'come back later', contentType: 'text/plain', status: 429, headers: { 'retry-after': '3600' } });
    feeds.setFeed('/good.xml', rss('Harbour News', [story('good', 1), story('good', 2)]));
    feeds.setFeed('/new.xml', rss('Added Later', [story('new', 1)]));
    // Discord answers 500 (discord.js retries a 500 itself, so several): both channels' queues then wait an hour.
    for (let i = 0; i < 12; i++) discord.injected.push({ status: 500, body: { message: 'Internal Server Error', code: 0 } });
    const dir = tempDir('dashboard');
    const broken = `http://reader:hunter2@127.0.0.1:${feeds.port}/gone.xml?token=s3cr3t-query-token`;
    const config = writeConfig(dir, {
      feeds: [
        { id: 'harbour', url: feeds.url('/good.xml'), every: '1s', backfill: 5, name: 'Harbour News' },
        { id: 'broken', url: broken, every: '1s', name: 'Broken Feed' },
        { id: 'busy', url: busy.url('/feed.xml'), every: '1s', name: 'Busy Feed' },
      ],
      routes: [{ feeds: ['*'], discord: CHANNELS, x: true }],
      x: { maxPostsPerDay: 1, monthlyBudgetUsd: 10 },
      discord: { minEvery: '1s' },
      deliveries: { retryBase: '1h', retryMax: '1h' },
      dashboard: { enabled: true, port: 0 },
    });
    herald = new HeraldProcess(['run'], { ...fakeEnv({ discord, x }), DISCORD_GUILD_ID: '900000000000000003', HERALD_CONFIG: config, DATABASE_URL: `sqlite:${dir}/herald.db`, HERALD_ALLOW_PRIVATE_NETWORK: '1', HERALD_ALLOW_PRIVATE_COMMANDS: '1', HTTP_PORT: '0', HERALD_DASHBOARD_PASSWORD: PASSWORD });
    const listening = await herald.waitForLog('dashboard listening');
    expect(listening.host).toBe('127.0.0.1');
    origin = `http://127.0.0.1:${String(listening.port)}`;
    // One X post (the daily cap is 1: the older story is skipped); then a third story waits for the cap.
    await waitFor('an X post', () => x.tweets.length >= 1, 30_000);
    feeds.setFeed('/good.xml', rss('Harbour News', [story('good', 1), story('good', 2), story('good', 3)]));
    browser = await chromium.launch({ executablePath: (browserOrSkip as { path: string }).path });
  });

  afterAll(async () => {
    await browser?.close();
    herald?.kill('SIGTERM');
    await herald?.exited;
    await Promise.all([discord.stop(), x.stop(), feeds.stop(), busy.stop()]);
  });

  it('shows each feed’s health, and a failing feed’s error without the credentials in its URL', async () => {
    const page = await browser.newPage();
    await waitFor('the broken feed marked failing', async () => {
      await page.goto(origin);
      return (await page.getByRole('row', { name: /Broken Feed/ }).textContent())?.includes('Failing');
    });
    const row = page.getByRole('row', { name: /Broken Feed/ });
    await expect.poll(() => row.textContent()).toMatch(/HTTP 404|404/);
    await expect.poll(() => page.getByRole('row', { name: /Harbour News/ }).textContent()).toContain('OK');
    // The feed whose host said "come back in an hour" is held until then, not failing, and polled once.
    await expect.poll(() => page.getByRole('row', { name: /Busy Feed/ }).textContent()).toMatch(/Held by its host until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(Retry-After\)/);
    expect(await page.locator('caption').first().textContent()).toMatch(/3 feeds, 1 failing, 1 held by their host/);
    expect(busy.count('/feed.xml')).toBe(1);
    await visit(page, '/', 'feeds');
    await page.close();
  });

  it('shows what became of each item: posted with a link to the post, or waiting and why', async () => {
    const page = await browser.newPage();
    const seen = () => page.locator('main').innerText();
    await waitFor('the third story waiting for the X cap', async () => {
      await page.goto(`${origin}/feeds/harbour`);
      return /X: waiting until .* UTC: waiting for the daily cap of 1 X posts/.test(await seen());
    });
    await visit(page, '/feeds/harbour', 'feed');
    expect(await seen()).toMatch(/Dashboard story 1 from good[^]*X: skipped: the daily cap of 1 X posts/);
    expect(await seen()).toMatch(/Discord 111111111111111111: waiting until .* UTC: Discord HTTP 500/);
    expect(await page.getByRole('link', { name: 'see the post' }).getAttribute('href')).toBe(`https://x.com/i/web/status/${x.tweets[0]!.id}`);
    await page.close();
  });

  it('shows queues, X usage and budget, workers, and the next posts as each platform shows them', async () => {
    const page = await browser.newPage();
    expect(await visit(page, '/queues', 'queues')).toMatch(/waiting until/);
    await visit(page, '/usage', 'usage');
    await expect.poll(() => page.getByRole('row', { name: /Today/ }).textContent()).toMatch(/1\s*\$0\.20\s*0/);
    expect(await page.getByText('Budget left this month: $9.80').count()).toBe(1);
    expect(await visit(page, '/workers', 'workers')).toContain('(this one)');
    await visit(page, '/preview', 'preview');
    expect(await page.locator('.x-post').count()).toBeGreaterThan(0);
    expect(await page.locator('.discord-card').count()).toBeGreaterThan(0);
    expect(await page.locator('.x-post').first().textContent()).toContain('Dashboard story');
    await page.close();
  });

  it('needs a login for changes: forms are hidden, and a change without a session or token is refused', async () => {
    const page = await browser.newPage();
    await page.goto(origin);
    expect(await page.getByRole('button', { name: /Add feed|Pause|Remove/ }).count()).toBe(0);
    const forged = await page.request.post(`${origin}/feeds`, { form: { url: feeds.url('/new.xml'), id: 'forged', channel: CHANNELS[0]! } });
    expect(forged.status()).toBe(403);
    await visit(page, '/login', 'login');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('not right');
    await page.goto(origin);
    expect(await page.getByRole('row', { name: /forged/ }).count()).toBe(0);
    await page.close();
  });

  it('adds a feed from the page after logging in, with the same checks as /feeds add, and polls it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/login`);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/`);
    await page.getByLabel('Feed address').fill(feeds.url('/new.xml'));
    await page.getByLabel('Id', { exact: true }).fill('Bad Id!');
    await page.getByLabel('Discord channel id').fill(CHANNELS[1]!);
    await page.getByRole('button', { name: 'Add feed' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('expected lower-case letters, digits and dashes only');
    await page.getByLabel('Id', { exact: true }).fill('added-later');
    await page.getByLabel('Check every').fill('1s');
    await page.getByRole('button', { name: 'Add feed' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Added added-later');
    await waitFor('the added feed polled', async () => {
      await page.goto(origin);
      return !(await page.getByRole('row', { name: /added-later/ }).textContent())?.includes('never');
    });
    expect(feeds.count('/new.xml')).toBeGreaterThan(0);
    await visit(page, '/', 'feeds-logged-in');
    await page.getByRole('button', { name: 'Pause added-later' }).click();
    await expect.poll(() => page.getByRole('row', { name: /added-later/ }).textContent()).toContain('Paused');
    await page.getByRole('button', { name: 'Remove added-later' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Removed added-later');
    expect(await page.getByRole('row', { name: /added-later/ }).count()).toBe(0);
    await context.close();
  });
});
