import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { readEnv, type Environment } from '../../src/config/env.js';
import { createHerald, type Herald } from '../../src/main.js';
import { configuredKinds, TARGET_KINDS } from '../../src/targets/index.js';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';

const TOKEN = 'hook-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const NEWS = '461111111111111111';
const HOOKED = '462222222222222222';
const MANAGE_GUILD = String(1 << 5);
const SUBCOMMAND = 1;
const STRING = 3;
const EPHEMERAL = 64;
const KEY = Buffer.alloc(32, 7).toString('base64');
const BASE = Date.UTC(2026, 10, 30, 9, 0, 0);

describe('/feeds add with a webhook: posts through it, its URL sealed in the database', () => {
  const discord = new FakeDiscord(TOKEN, [NEWS, HOOKED]);
  const feeds = new FeedServer();
  const dir = mkdtempSync(join(tmpdir(), 'herald-feeds-webhook-'));
  const lines: string[] = [];
  const items: TestItem[] = [];
  let herald: Herald | undefined;
  let url = '';
  let token = '';

  function story(slug: string, title: string): void {
    feeds.setPage(`/story/${slug}.html`, articlePage(title, [`${title}: the lead sentence says what happened today.`, 'A second paragraph with more detail.']));
    items.push({ guid: slug, title, link: feeds.url(`/story/${slug}.html`), pubDate: new Date(BASE + items.length * 60_000), description: `${title}.` });
    feeds.setFeed('/hooked.xml', rss('Hooked', items));
  }

  async function start(extra: Environment): Promise<void> {
    const config = parseConfig({ feeds: [], routes: [], discord: { minEvery: '1s' } }, 'hook.yaml', TARGET_KINDS);
    const environment = { DISCORD_TOKEN: TOKEN, DISCORD_API_URL: discord.apiUrl, DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`, HERALD_ALLOW_PRIVATE_NETWORK: '1', HERALD_ALLOW_PRIVATE_COMMANDS: '1', ...extra };
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
    herald = await createHerald({ config, env: readEnv(environment), configured: configuredKinds(environment), log: pino({ level: 'debug' }, sink), dryRun: false, serveOps: false, webhookApiUrl: discord.apiUrl });
    await herald.start();
  }

  const add = (id: string, webhook: string, permissions = MANAGE_GUILD) =>
    discord.runCommand(
      'feeds',
      [{ type: SUBCOMMAND, name: 'add', options: [{ type: STRING, name: 'url', value: feeds.url('/hooked.xml') }, { type: STRING, name: 'id', value: id }, { type: STRING, name: 'every', value: '1s' }, { type: STRING, name: 'webhook', value: webhook }] }],
      permissions,
    );
  const viaWebhook = (title: string) => discord.messagesIn(HOOKED).some((m) => m.webhookId !== undefined && m.body.embeds?.[0]?.title === title);

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start()]);
    url = discord.addWebhook(HOOKED);
    token = url.split('/').pop()!;
    feeds.setFeed('/hooked.xml', rss('Hooked', []));
  }, 30_000);

  afterAll(async () => {
    await herald?.stop();
    await Promise.all([discord.stop(), feeds.stop()]);
  });

  it('without HERALD_SECRET_KEY refuses, naming the variable', async () => {
    await start({});
    const refused = await add('hooked', url);
    expect(refused.flags).toBe(EPHEMERAL);
    expect(refused.content).toContain('HERALD_SECRET_KEY');
    expect(refused.content).not.toContain(token);
    await herald!.stop();
    herald = undefined;
  }, 20_000);

  it('refuses a member without Manage Server, and a URL that is not a Discord webhook', async () => {
    await start({ HERALD_SECRET_KEY: KEY });
    expect((await add('hooked', url, '0')).content).toContain('Manage Server');
    const wrong = await add('hooked', 'https://example.org/api/webhooks/123456789012345678/abc');
    expect(wrong.content).toMatch(/`webhook` must be a Discord webhook URL/);
  }, 20_000);

  it('adds the feed, answers with the webhook id only, and posts a new item through the webhook', async () => {
    const added = await add('hooked', url);
    expect(added.content).toMatch(/through webhook \d+/);
    expect(added.content).not.toContain(token);
    story('first', 'First story through the hook');
    // ~1.6 s alone; the first page starts an extraction worker, which under a loaded CI took over 10 s.
    await waitFor('the post through the webhook', () => viaWebhook('First story through the hook'), 30_000);
    expect(discord.messagesIn(NEWS)).toHaveLength(0);
  }, 45_000);

  it('keeps the token out of the database file and out of every log line', () => {
    for (const file of readdirSync(dir)) expect(readFileSync(join(dir, file)).includes(token), file).toBe(false);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.includes(token))).toEqual([]);
  });

  it('keeps posting through the webhook after a restart', async () => {
    await herald!.stop();
    await start({ HERALD_SECRET_KEY: KEY });
    story('second', 'Second story after the restart');
    await waitFor('the post after the restart', () => viaWebhook('Second story after the restart'), 10_000);
    expect(lines.filter((line) => line.includes(token))).toEqual([]);
  }, 20_000);

  it('started with another key, holds the webhook with one clear line and keeps running', async () => {
    await herald!.stop();
    await start({ HERALD_SECRET_KEY: Buffer.alloc(32, 8).toString('hex') });
    story('third', 'Third story under the wrong key');
    await waitFor('the held line', () => lines.some((line) => line.includes('Discord webhook unusable') && line.includes('HERALD_SECRET_KEY cannot decrypt')), 10_000);
    expect(viaWebhook('Third story under the wrong key')).toBe(false);
    // The bot keeps answering: /feeds list shows the feed, through its webhook id only.
    const listed = await discord.runCommand('feeds', [{ type: SUBCOMMAND, name: 'list', options: [] }]);
    expect(listed.embeds![0]!.description).toContain('`hooked`');
    expect(JSON.stringify(listed)).not.toContain(token);
  }, 30_000);
});
