import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord, type PostedMessage } from '../fakes/discord.js';
import { FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { FakeX } from '../fakes/x.js';
import { fakeEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const TOKEN = 'fake-bot-token.APPROVAL';
const NEWS = '111111111111111111';
const MODS = '333333333333333333';
const STRING = 3;
const ALICE = '700000000000000001';
const BOB = '700000000000000002';
const CAROL = '700000000000000003';
const OAUTH1 = { appKey: 'x-app-key-d', appSecret: 'x-app-secret-d', accessToken: 'x-access-token-d', accessSecret: 'x-access-secret-d' };
const BASE = Date.UTC(2026, 10, 30, 6, 0, 0);

describe('the approval desk through the fake Discord (buttons, modal) and the fake X', () => {
  const discord = new FakeDiscord(TOKEN, [NEWS, MODS]);
  const x = new FakeX(OAUTH1);
  const feeds = new FeedServer();
  let herald: HeraldProcess;
  const items: TestItem[] = [1, 2, 3, 4].map((n) => ({
    guid: `desk-${n}`,
    title: `Desk story ${n}`,
    link: `https://news.example/desk/${n}`,
    pubDate: new Date(BASE + n * 60_000),
    description: `Desk story ${n} is what the feed says about it. It has a second sentence.`,
  }));
  const preview = (n: number): PostedMessage => discord.messagesIn(MODS).find((m) => m.body.embeds?.[0]?.title === `Desk story ${n}`)!;
  const posted = (n: number) => discord.messagesIn(NEWS).filter((m) => JSON.stringify(m.body).includes(`Desk story ${n}`));
  const tweeted = (n: number) => x.tweets.filter((t) => t.text.includes(`Desk story ${n}`));
  const customId = (message: PostedMessage, label: string) => message.body.components![0]!.components.find((c) => c.label === label)!.custom_id!;

  beforeAll(async () => {
    await Promise.all([discord.start(), x.start(), feeds.start()]);
    feeds.setFeed('/desk.xml', rss('Desk News', items));
    const dir = tempDir('approval');
    const config = writeConfig(dir, {
      feeds: [{ id: 'desk', url: feeds.url('/desk.xml'), every: '1s', backfill: 10 }],
      routes: [{ feeds: ['desk'], to: [{ discord: NEWS }, { x: {} }], approval: { channel: MODS, expire: '1h', onExpiry: 'skip' } }],
    });
    herald = new HeraldProcess(['run'], { ...fakeEnv({ discord, x }), HERALD_CONFIG: config, DATABASE_URL: `sqlite:${dir}/herald.db`, HERALD_ALLOW_PRIVATE_NETWORK: '1', HTTP_PORT: '0' });
    await waitFor('four previews', () => discord.messagesIn(MODS).length >= 4, 60_000);
  }, 90_000);

  afterAll(async () => {
    herald?.kill('SIGTERM');
    await herald?.exited;
    await Promise.all([discord.stop(), x.stop(), feeds.stop()]);
  });

  it('posts a preview with Approve, Edit and Skip per article, and nothing to the destinations', () => {
    const first = preview(1);
    expect(first.body.components![0]!.components.map((c) => c.label)).toEqual(['Approve', 'Edit', 'Skip']);
    expect(first.body.embeds![0]!.fields![0]!.value).toBe(`<#${NEWS}>, X`);
    expect(discord.messagesIn(NEWS)).toHaveLength(0);
    expect(x.tweets).toHaveLength(0);
  });

  it('approve posts once on Discord and X; a second click changes nothing and says who decided', async () => {
    const approve = customId(preview(1), 'Approve');
    const click = await discord.clickButton(preview(1), approve, ALICE);
    const answer = await discord.callbackOf(click);
    expect(answer.type).toBe(7);
    expect((answer.data as { content?: string }).content).toMatch(new RegExp(`^✅ Approved by <@${ALICE}>`));
    expect((answer.data as { components?: unknown[] }).components).toEqual([]);
    await waitFor('the approved post on Discord and X', () => posted(1).length > 0 && tweeted(1).length > 0, 30_000);
    // The buttons are gone from the preview; a click that was already on its way still arrives.
    const again = await discord.clickButton(preview(1), approve, BOB);
    const second = await discord.callbackOf(again);
    expect(second.type).toBe(4);
    expect(second.data?.content).toBe(`Already approved by <@${ALICE}>; nothing changed.`);
    expect(second.data?.flags).toBe(64);
  });

  it('two approvals at once (a double click) post once', async () => {
    const id = customId(preview(2), 'Approve');
    const clicks = await Promise.all([discord.clickButton(preview(2), id, ALICE), discord.clickButton(preview(2), id, BOB)]);
    const answers = await Promise.all(clicks.map((click) => discord.callbackOf(click)));
    expect(answers.map((a) => a.type).sort()).toEqual([4, 7]);
    await waitFor('the post of story 2', () => posted(2).length > 0 && tweeted(2).length > 0, 30_000);
  });

  it('skip never posts, and /why says who skipped', async () => {
    const click = await discord.clickButton(preview(3), customId(preview(3), 'Skip'), CAROL);
    expect((await discord.callbackOf(click)).type).toBe(7);
    const why = await discord.runCommand('why', [{ name: 'url', type: STRING, value: items[2]!.link }]);
    expect(why.content).toContain(`<#${NEWS}>: not posted: skipped on the approval desk by <@${CAROL}>.`);
    expect(why.content).toContain(`X: not posted: skipped on the approval desk by <@${CAROL}>.`);
    expect(why.content).toMatch(new RegExp(`Skipped on the approval desk by <@${CAROL}> <t:\\d+:R>\\.`));
  });

  it('edit opens a modal with the summary and the X text; what was typed is what is posted', async () => {
    const click = await discord.clickButton(preview(4), customId(preview(4), 'Edit'), ALICE);
    expect((await discord.callbackOf(click)).type).toBe(9);
    const modal = discord.modals.find((m) => m.interactionId === click)!;
    const inputs = modal.components.map((row) => row.components[0]!);
    expect(inputs.map((input) => input.custom_id)).toEqual(['summary', 'xText']);
    expect(inputs[0]!.value).toBe(items[3]!.description);
    expect(inputs[1]!.value).toContain('Desk story 4');
    const submit = await discord.submitModal(preview(4), modal, { summary: 'A moderator wrote this summary.', xText: 'Desk story 4, as the moderator words it for X https://news.example/desk/4' }, ALICE);
    expect((await discord.callbackOf(submit)).type).toBe(7);
    await waitFor('the edited posts', () => posted(4).length > 0 && tweeted(4).length > 0, 30_000);
    expect(JSON.stringify(posted(4)[0]!.body)).toContain('A moderator wrote this summary.');
    expect(JSON.stringify(posted(4)[0]!.body)).not.toContain('what the feed says');
    expect(tweeted(4)[0]!.text).toBe('Desk story 4, as the moderator words it for X https://news.example/desk/4');
    const why = await discord.runCommand('why', [{ name: 'url', type: STRING, value: items[3]!.link }]);
    expect(why.content).toMatch(new RegExp(`Approved on the approval desk by <@${ALICE}>`));
  });

  it('in the end each approved story went out exactly once, and the skipped one never', async () => {
    expect([1, 2, 3, 4].map((n) => posted(n).length)).toEqual([1, 1, 0, 1]);
    expect([1, 2, 3, 4].map((n) => tweeted(n).length)).toEqual([1, 1, 0, 1]);
  });
});
