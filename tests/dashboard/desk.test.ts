import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath } from '../browser.js';
import { FakeBluesky } from '../fakes/bluesky.js';
import { FakeDiscord, type PostedMessage } from '../fakes/discord.js';
import { FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { FakeMastodon } from '../fakes/mastodon.js';
import { FakeX } from '../fakes/x.js';
import { heraldEnv, HeraldProcess, tempDir, writeConfig } from '../e2e/herald-process.js';

const TOKEN = 'fake-bot-token.DESKSECRETTOKEN';
const NEWS = '111111111111111111';
const MODS = '333333333333333333';
const ALICE = '700000000000000001';
const X_CREDENTIALS = { appKey: 'app-key-desk', appSecret: 'app-secret-desk', accessToken: 'access-token-desk', accessSecret: 'access-secret-desk' };
const PASSWORD = 'desk password for the test';
/** Screenshots of the desk, kept as test artifacts (git-ignored) beside the other dashboard pages. */
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));
const BASE = Date.UTC(2026, 10, 30, 6, 0, 0);

const browserOrSkip = chromiumPath();

describe.skipIf('skipped' in browserOrSkip)(`the approval desk on the dashboard, in a real browser without JavaScript${'skipped' in browserOrSkip ? ` (skipped: ${browserOrSkip.skipped})` : ''}`, () => {
  const discord = new FakeDiscord(TOKEN, [NEWS, MODS]);
  const x = new FakeX(X_CREDENTIALS);
  const bluesky = new FakeBluesky('desk.test', 'desk-app-pass-word');
  const mastodon = new FakeMastodon('desk-mastodon-token');
  const feeds = new FeedServer();
  let herald: HeraldProcess;
  let browser: Browser;
  /** Logged in; scripts off: the desk is plain forms. */
  let context: BrowserContext;
  let origin: string;
  const items: TestItem[] = [1, 2, 3, 4].map((n) => ({
    guid: `web-desk-${n}`,
    title: `Web desk story ${n}`,
    link: `https://news.example/web-desk/${n}`,
    pubDate: new Date(BASE + n * 60_000),
    description: `Web desk story ${n} is what the feed says about it. It has a second sentence.`,
  }));
  const preview = (n: number): PostedMessage => discord.messagesIn(MODS).find((m) => m.body.embeds?.[0]?.title === `Web desk story ${n}`)!;
  const posted = (n: number) => discord.messagesIn(NEWS).filter((m) => JSON.stringify(m.body).includes(`Web desk story ${n}`));
  const tweeted = (n: number) => x.tweets.filter((t) => t.text.includes(`Web desk story ${n}`));
  const approveId = (n: number) => preview(n).body.components![0]!.components.find((c) => c.label === 'Approve')!.custom_id!;
  const entry = (page: Page, n: number) => page.getByRole('article', { name: `Web desk story ${n}` });

  async function shot(page: Page, name: string): Promise<void> {
    const text = await page.content();
    for (const secret of [TOKEN, PASSWORD, bluesky.password, mastodon.token, ...Object.values(X_CREDENTIALS)]) expect(text, `${name} shows a secret`).not.toContain(secret);
    await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await Promise.all([discord.start(), x.start(), bluesky.start(), mastodon.start(), feeds.start()]);
    feeds.setFeed('/desk.xml', rss('Desk News', items));
    const dir = tempDir('dashboard-desk');
    const config = writeConfig(dir, {
      feeds: [{ id: 'desk', url: feeds.url('/desk.xml'), every: '1s', backfill: 10 }],
      routes: [{ feeds: ['desk'], to: [{ discord: NEWS }, { x: {} }, { bluesky: {} }, { mastodon: {} }], approval: { channel: MODS, expire: '2h', onExpiry: 'skip' } }],
      dashboard: { enabled: true, port: 0 },
    });
    herald = new HeraldProcess(['run'], heraldEnv({ dir, config, discord, x, bluesky, mastodon }, { HERALD_DASHBOARD_PASSWORD: PASSWORD }));
    const listening = await herald.waitForLog('dashboard listening');
    origin = `http://127.0.0.1:${String(listening.port)}`;
    browser = await chromium.launch({ executablePath: (browserOrSkip as { path: string }).path });
    context = await browser.newContext({ javaScriptEnabled: false });
    await waitFor('four previews in the moderators’ channel', () => discord.messagesIn(MODS).length >= 4, 60_000);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    herald?.kill('SIGTERM');
    await herald?.exited;
    await Promise.all([discord.stop(), x.stop(), bluesky.stop(), mastodon.stop(), feeds.stop()]);
  });

  it('lists each held article with its posts as Discord, X, Bluesky and Mastodon would show them, and its expiry; deciding needs a login', async () => {
    const page = await browser.newPage({ javaScriptEnabled: false });
    await page.goto(`${origin}/desk`);
    expect(await page.locator('main').innerText()).toContain('4 waiting for a decision');
    const first = entry(page, 1);
    expect(await first.locator('.discord-card').textContent()).toContain('Web desk story 1 is what the feed says');
    expect(await first.getByRole('region', { name: 'X', exact: true }).locator('.x-post').textContent()).toContain('Web desk story 1');
    expect(await first.getByRole('region', { name: 'Bluesky' }).innerText()).toContain('Web desk story 1');
    expect(await first.innerText()).toMatch(/skipped if nobody decides by 2026-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in (1|2) h\)/);
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await shot(page, 'desk-read-only');
    const forged = await page.request.post(`${origin}/desk/any-article/approve`, { form: {} });
    expect(forged.status()).toBe(403);
    await page.close();
    // Log in (the rest of the file uses this context).
    const login = await context.newPage();
    await login.goto(`${origin}/login`);
    await login.getByLabel('Password').fill(PASSWORD);
    await login.getByRole('button', { name: 'Log in' }).click();
    await login.waitForURL(`${origin}/`);
    await login.close();
    expect(discord.messagesIn(NEWS)).toHaveLength(0);
    expect(x.tweets).toHaveLength(0);
  });

  it('approve in the page posts once to Discord and X; a second click, and a Discord click after, post nothing and say who decided', async () => {
    const page = await context.newPage();
    const stale = await context.newPage();
    await Promise.all([page.goto(`${origin}/desk`), stale.goto(`${origin}/desk`)]);
    await shot(page, 'desk');
    const discordApprove = approveId(1);
    await entry(page, 1).getByRole('button', { name: 'Approve', exact: true }).click();
    expect(await page.getByRole('status').textContent()).toContain('Approved: it goes out now.');
    expect(await page.locator('main').innerText()).toMatch(/Approved by the dashboard at 2026-/);
    await waitFor('story 1 on Discord and X', () => posted(1).length > 0 && tweeted(1).length > 0, 30_000);
    await shot(page, 'desk-decided');
    // The page opened before the decision still has the button: its click comes second.
    await entry(stale, 1).getByRole('button', { name: 'Approve', exact: true }).click();
    expect(await stale.getByRole('alert').textContent()).toContain('Already approved by the dashboard; nothing changed.');
    const click = await discord.clickButton(preview(1), discordApprove, ALICE);
    expect((await discord.callbackOf(click)).data?.content).toBe('Already approved by the dashboard; nothing changed.');
    // The Discord preview was updated to say who decided, its buttons gone.
    const settled = await waitFor('the preview settled', () => discord.edits.find((e) => e.messageId === preview(1).id));
    expect(settled.body.content).toMatch(/^✅ Approved by the dashboard/);
    expect(settled.body.components).toEqual([]);
    await page.goto(`${origin}/desk`);
    expect(await entry(page, 1).count()).toBe(0);
    await Promise.all([page.close(), stale.close()]);
    expect([posted(1).length, tweeted(1).length]).toEqual([1, 1]);
  });

  it('approving in Discord and the dashboard at once posts once', async () => {
    const page = await context.newPage();
    await page.goto(`${origin}/desk`);
    const [click] = await Promise.all([discord.clickButton(preview(2), approveId(2), ALICE), entry(page, 2).getByRole('button', { name: 'Approve', exact: true }).click()]);
    const answer = await discord.callbackOf(click);
    const pageSays = await page.locator('main').innerText();
    // Exactly one of the two decided; the other was told who did.
    if (answer.type === 7) expect(pageSays).toContain(`Already approved by Discord member ${ALICE}; nothing changed.`);
    else {
      expect(answer.data?.content).toBe('Already approved by the dashboard; nothing changed.');
      expect(pageSays).toContain('Approved by the dashboard');
    }
    await waitFor('story 2 on Discord and X', () => posted(2).length > 0 && tweeted(2).length > 0, 30_000);
    await page.close();
  });

  it('edit checks the X text as the Discord modal does, and posts what was typed; skip posts nothing', async () => {
    const page = await context.newPage();
    await page.goto(`${origin}/desk`);
    const third = entry(page, 3);
    await third.getByText('Edit', { exact: true }).click();
    expect(await third.getByLabel('Summary').inputValue()).toBe(items[2]!.description);
    expect(await third.getByLabel('X post').inputValue()).toContain('Web desk story 3');
    await third.getByLabel('X post').fill(`Web desk story 3 ${'far too long '.repeat(30)}`);
    await third.getByRole('button', { name: 'Approve with these changes' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/The X post is \d+ characters as X counts them; X allows 280\. Nothing was decided: edit again\./);
    expect(await page.locator('main').innerText()).toContain('Waiting for a decision');
    const again = entry(page, 3);
    await again.getByText('Edit', { exact: true }).click();
    await again.getByLabel('Summary').fill('A moderator wrote this summary on the dashboard.');
    await again.getByLabel('X post').fill('Web desk story 3, as the dashboard words it for X https://news.example/web-desk/3');
    await again.getByRole('button', { name: 'Approve with these changes' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Approved');
    await waitFor('the edited posts', () => posted(3).length > 0 && tweeted(3).length > 0, 30_000);
    expect(JSON.stringify(posted(3)[0]!.body)).toContain('A moderator wrote this summary on the dashboard.');
    expect(tweeted(3)[0]!.text).toBe('Web desk story 3, as the dashboard words it for X https://news.example/web-desk/3');

    await page.goto(`${origin}/desk`);
    await entry(page, 4).getByRole('button', { name: 'Skip', exact: true }).click();
    expect(await page.locator('main').innerText()).toMatch(/Skipped by the dashboard at 2026-/);
    await page.goto(`${origin}/desk`);
    expect(await page.locator('main').innerText()).toContain('Nothing is waiting for approval.');
    await page.close();
    expect([1, 2, 3, 4].map((n) => posted(n).length)).toEqual([1, 1, 1, 0]);
    expect([1, 2, 3, 4].map((n) => tweeted(n).length)).toEqual([1, 1, 1, 0]);
  });

  it('the usage page shows each platform’s posts and what its caps and limits leave: X dollars and budget, Bluesky points, Mastodon', async () => {
    await waitFor('the approved stories on Bluesky and Mastodon', () => bluesky.posts.length >= 3 && mastodon.statuses.length >= 3, 30_000);
    const page = await context.newPage();
    await page.goto(`${origin}/usage`);
    await shot(page, 'usage');
    const today = (platform: string) => page.getByRole('region', { name: platform, exact: true }).getByRole('row', { name: /Today/ }).innerText();
    expect(await today('X')).toMatch(/3\s+\$0\.60\s+no cap/);
    expect(await page.getByRole('region', { name: 'X', exact: true }).innerText()).toContain('Budget left this month: no budget set');
    expect(await today('Bluesky')).toMatch(new RegExp(`3\\s+free\\s+${Math.floor(35_000 / 3) - 3}`));
    expect(await page.getByRole('region', { name: 'Bluesky' }).innerText()).toMatch(/Rate limit: 4,999 of 5,000 left until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(policy 5000;w=3600\)/);
    expect(await today('Mastodon')).toMatch(/3\s+free\s+no cap/);
    expect(await page.getByRole('region', { name: 'Mastodon' }).innerText()).toContain('Rate limit: no 429 from the instance holds statuses now.');
    expect(await page.getByRole('region', { name: 'Discord' }).count()).toBe(0);
    await page.close();
  });
});
