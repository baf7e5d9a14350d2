import { afterEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { heraldEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const TOKEN = 'outage-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CHANNEL = '333333333333333333';
const BASE = Date.UTC(2026, 10, 21, 8, 0, 0);
const LONG = 60_000;

/** A feed of three stories with pages, and Herald running against `discord` (started or not). */
async function startHerald(discord: FakeDiscord, feeds: FeedServer): Promise<HeraldProcess> {
  const items: TestItem[] = [1, 2, 3].map((n) => {
    feeds.setPage(`/s/${n}.html`, articlePage(`Outage story ${n}`, [`Outage story ${n} has a lead sentence long enough to summarize well.`, 'A second paragraph.']));
    return { guid: `s${n}`, title: `Outage story ${n}`, link: feeds.url(`/s/${n}.html`), pubDate: new Date(BASE + n * 60_000) };
  });
  feeds.setFeed('/feed.xml', rss('Outage News', items));
  const dir = tempDir('discord-outage');
  const config = writeConfig(dir, {
    feeds: [{ id: 'outage', url: feeds.url('/feed.xml'), every: '1s', backfill: 3 }],
    routes: [{ feeds: ['outage'], discord: [CHANNEL] }],
  });
  return new HeraldProcess(['run'], heraldEnv({ dir, config, discord }));
}

async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, text: await response.text() };
}

describe('Discord refusing the token or unreachable at start-up', () => {
  const feeds = new FeedServer();
  let herald: HeraldProcess | null = null;
  let discord: FakeDiscord | null = null;

  afterEach(async () => {
    herald?.kill('SIGKILL');
    await herald?.exited;
    await discord?.stop().catch(() => undefined);
    await feeds.stop().catch(() => undefined);
  });

  it('a refused token: one error line naming DISCORD_TOKEN, posts wait without attempts, /readyz 503 then 200, all posted once the token is accepted', async () => {
    discord = new FakeDiscord(TOKEN, [CHANNEL]);
    discord.refuseToken = true;
    await Promise.all([discord.start(), feeds.start()]);
    herald = await startHerald(discord, feeds);
    const port = (await herald.waitForLog('health and metrics listening')).port as number;
    await herald.waitForLog('new article', {}, LONG);
    // The gateway login is retried (back-off) and the outbox asks again: still one line.
    await waitFor('a second gateway login attempt', () => herald!.logs.filter((line) => String(line.msg).startsWith('Discord refused the bot token')).length > 0 && discord!.gatewayLookups >= 2, LONG);
    const refusals = herald.logs.filter((line) => line.level >= 50 && String(line.msg).includes('DISCORD_TOKEN'));
    expect(refusals).toHaveLength(1);
    expect(discord.messageRequests).toBe(0);
    expect(herald.logged('delivery failed')).toEqual([]);
    expect((await get(port, '/healthz')).status).toBe(200);
    const ready = await get(port, '/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text).checks).toEqual({ database: true, discord: false });
    expect((await get(port, '/metrics')).text).toContain('herald_discord_gateway_up 0');

    discord.refuseToken = false;
    await waitFor('the three waiting posts', () => discord!.messagesIn(CHANNEL).length === 3, LONG);
    await herald.waitForLog('discord gateway ready', {}, LONG);
    await waitFor('/readyz 200', async () => (await get(port, '/readyz')).status === 200, LONG);
    expect((await get(port, '/metrics')).text).toContain('herald_discord_gateway_up 1');
    expect(discord.messagesIn(CHANNEL).map((message) => message.body.embeds![0]!.title).sort()).toEqual(['Outage story 1', 'Outage story 2', 'Outage story 3']);
    expect(herald.logged('delivery failed')).toEqual([]);
  }, 150_000);

  it('an unreachable Discord: posts wait, /readyz 503, and go out when Discord answers again', async () => {
    discord = new FakeDiscord(TOKEN, [CHANNEL]);
    await Promise.all([discord.start(), feeds.start()]);
    await discord.stop();
    herald = await startHerald(discord, feeds);
    const port = (await herald.waitForLog('health and metrics listening')).port as number;
    await herald.waitForLog('new article', {}, LONG);
    await waitFor('the unreachable line', () => herald!.logs.find((line) => String(line.msg).startsWith('Discord cannot be reached')), LONG);
    expect((await get(port, '/readyz')).status).toBe(503);
    expect(herald.logged('delivery failed')).toEqual([]);

    await discord.start();
    await waitFor('the three waiting posts', () => discord!.messagesIn(CHANNEL).length === 3, LONG);
    await waitFor('/readyz 200', async () => (await get(port, '/readyz')).status === 200, LONG);
    expect(herald.logs.filter((line) => String(line.msg).startsWith('Discord cannot be reached'))).toHaveLength(1);
  }, 150_000);
});
