import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { readEnv } from '../../src/config/env.js';
import { createHerald, type Herald } from '../../src/main.js';
import { configuredKinds, TARGET_KINDS } from '../../src/targets/index.js';
import { matchingAlerts, readAlertWords } from '../../src/targets/discord/alerts.js';
import type { MemberAlert } from '../../src/store/member-alerts.js';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';

const TOKEN = 'alerts-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** NEWS is a channel of the fake guild; ELSEWHERE belongs to another guild. */
const NEWS = '411111111111111111';
const ELSEWHERE = '422222222222222222';
const OTHER_GUILD = '433333333333333333';
/** A channel of the fake guild whose lookup fails while a test says so (an outage). */
const HARBOUR = '455555555555555555';
const ALICE = '700000000000000011';
const BOB = '700000000000000012';
const CAROL = '700000000000000013';
const DAVE = '700000000000000014';
const EVE = '700000000000000015';
const FRED = '700000000000000016';
const SUBCOMMAND = 1;
const STRING = 3;
const INTEGER = 4;
const EPHEMERAL = 64;
const BASE = Date.UTC(2026, 10, 30, 9, 0, 0);

describe('alert words', () => {
  const facts = (title: string, summary = '') => ({ title, summary, text: 'the heat pump is only in the text', categories: 'Énergie', author: 'Solar Sam', link: 'https://x.example/solar', language: 'en' });
  const alert = (id: number, memberId: string, words: string[]): MemberAlert => ({ id, number: id, guildId: 'g', memberId, words, createdAt: 0, pausedAt: null });

  it('reads comma-separated words and phrases, within the length cap, with letters or digits', () => {
    expect(readAlertWords(' heat   pump , solar,, Solar ', 100)).toEqual({ words: ['heat pump', 'solar', 'Solar'] });
    expect(readAlertWords('x'.repeat(101), 100)).toEqual({ problem: 'Alert words are at most 100 characters; that was 101.' });
    expect(readAlertWords(' , ', 100)).toEqual({ problem: 'Give at least one word or phrase, e.g. `heat pump, solar`.' });
    expect(readAlertWords('(a|b)*, ok', 100)).toEqual({ words: ['(a|b)*', 'ok'] }); // no regex: only its letters count, as words
  });

  it('matches whole words and phrases of the title, summary and categories, accent- and case-insensitive; one alert per member', () => {
    const alerts = [alert(1, 'ann', ['solar']), alert(2, 'ann', ['energie']), alert(3, 'ben', ['heat pump']), alert(4, 'cid', ['pump']), alert(5, 'dee', ['SOLAR POWER'])];
    expect(matchingAlerts(alerts, facts('Solar power for schools')).map((a) => a.id)).toEqual([1, 5]);
    // Categories count, accents do not; the article text, the author and the link do not count.
    expect(matchingAlerts(alerts, facts('Schools')).map((a) => a.id)).toEqual([2]);
    expect(matchingAlerts(alerts, facts('Solarpunk and pumps')).map((a) => a.id)).toEqual([2]);
    expect(matchingAlerts(alerts, facts('News', 'A heat-pump grant')).map((a) => a.id)).toEqual([2, 3, 4]);
  });
});

describe('/alerts: members get a DM when a new article matches their words (real discord.js, fake Discord, Herald in process)', () => {
  const discord = new FakeDiscord(TOKEN, [NEWS, ELSEWHERE, HARBOUR]);
  const feeds = new FeedServer();
  const local: TestItem[] = [];
  const foreign: TestItem[] = [];
  const harbour: TestItem[] = [];
  let herald: Herald;

  function story(items: TestItem[], path: string, slug: string, title: string): TestItem {
    const item = { guid: slug, title, link: feeds.url(`/story/${slug}.html`), pubDate: new Date(BASE + (local.length + foreign.length + harbour.length) * 60_000), description: `${title}. What happened, in one sentence.` };
    feeds.setPage(`/story/${slug}.html`, articlePage(title, [`${title}: the lead sentence says what happened today.`, 'A second paragraph with more detail.']));
    items.push(item);
    feeds.setFeed(path, rss(path, items));
    return item;
  }

  const alerts = (userId: string, sub: string, options: unknown[] = [], guildId?: string) => discord.runCommand('alerts', [{ type: SUBCOMMAND, name: sub, options }], '0', undefined, { userId, ...(guildId ? { guildId } : {}) });
  const posted = (channel: string, title: string) => discord.messagesIn(channel).some((m) => m.body.embeds?.[0]?.title === title);

  beforeAll(async () => {
    discord.channelGuilds.set(ELSEWHERE, OTHER_GUILD);
    await Promise.all([discord.start(), feeds.start()]);
    feeds.setFeed('/local.xml', rss('Local', []));
    feeds.setFeed('/foreign.xml', rss('Foreign', []));
    feeds.setFeed('/harbour.xml', rss('Harbour', []));
    const dir = mkdtempSync(join(tmpdir(), 'herald-alerts-'));
    const config = parseConfig(
      {
        feeds: [
          { id: 'local', url: feeds.url('/local.xml'), every: '1s', backfill: 5 },
          { id: 'foreign', url: feeds.url('/foreign.xml'), every: '1s', backfill: 5 },
          { id: 'harbour', url: feeds.url('/harbour.xml'), every: '1s', backfill: 5 },
        ],
        routes: [
          { feeds: ['local'], to: [{ discord: NEWS }] },
          { feeds: ['foreign'], to: [{ discord: ELSEWHERE }] },
          { feeds: ['harbour'], to: [{ discord: HARBOUR }] },
        ],
        discord: { alerts: { dmsPerHour: 2, maxPerMember: 2, maxLength: 40 } },
      },
      'alerts.yaml',
      TARGET_KINDS,
    );
    const environment = { DISCORD_TOKEN: TOKEN, DISCORD_API_URL: discord.apiUrl, DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`, HERALD_ALLOW_PRIVATE_NETWORK: '1' };
    herald = await createHerald({ config, env: readEnv(environment), configured: configuredKinds(environment), log: pino({ level: 'silent' }), dryRun: false, serveOps: false });
    await herald.start();
  }, 30_000);

  afterAll(async () => {
    await herald?.stop();
    await Promise.all([discord.stop(), feeds.stop()]);
  });

  it('adds, lists and refuses alerts, answering only the member who asked', async () => {
    const added = await alerts(ALICE, 'add', [{ type: STRING, name: 'words', value: 'Heat pump, SOLAR' }]);
    expect(added.flags).toBe(EPHEMERAL);
    expect(added.content).toMatch(/Alert \*\*#\d+\*\* “Heat pump”, “SOLAR” added/);
    const tooLong = await alerts(ALICE, 'add', [{ type: STRING, name: 'words', value: 'a'.repeat(41) }]);
    expect(tooLong.content).toBe('Alert words are at most 40 characters; that was 41.');
    const noLetters = await alerts(ALICE, 'add', [{ type: STRING, name: 'words', value: '!!, ??' }]);
    expect(noLetters.content).toMatch(/need letters or digits/);
    await alerts(ALICE, 'add', [{ type: STRING, name: 'words', value: 'tram' }]);
    const third = await alerts(ALICE, 'add', [{ type: STRING, name: 'words', value: 'bus' }]);
    expect(third.content).toMatch(/You have 2 alerts in this server, the most allowed/);
    const listed = await alerts(ALICE, 'list');
    expect(listed.flags).toBe(EPHEMERAL);
    expect(listed.content).toMatch(/Your alerts in this server \(2 of at most 2\)/);
    expect(listed.content).toContain('“Heat pump”, “SOLAR”');
    expect(listed.content).toContain('“tram”');
    // Bob sees his own (none), never Alice's.
    expect((await alerts(BOB, 'list')).content).toMatch(/You have no alerts in this server/);
  });

  it('removes an alert by its number; another member cannot remove it', async () => {
    const listed = (await alerts(ALICE, 'list')).content!;
    const tram = Number(/\*\*#(\d+)\*\* “tram”/.exec(listed)![1]);
    expect((await alerts(BOB, 'remove', [{ type: INTEGER, name: 'id', value: tram }])).content).toBe(`You have no alert #${tram} in this server (\`/alerts list\` shows yours).`);
    expect((await alerts(ALICE, 'remove', [{ type: INTEGER, name: 'id', value: tram }])).content).toBe(`Alert #${tram} removed.`);
    expect((await alerts(ALICE, 'list')).content).not.toContain('“tram”');
  });

  it('numbers alerts per member: each sees #1, #2, and removes by their own number', async () => {
    // Alice's first alert is her #1 (her #2 was removed above); Bob's numbers do not count hers.
    expect((await alerts(ALICE, 'list')).content).toContain('**#1** “Heat pump”, “SOLAR”');
    expect((await alerts(BOB, 'add', [{ type: STRING, name: 'words', value: 'zeppelin' }])).content).toMatch(/^Alert \*\*#1\*\* “zeppelin” added/);
    expect((await alerts(BOB, 'add', [{ type: STRING, name: 'words', value: 'quokka' }])).content).toMatch(/^Alert \*\*#2\*\* “quokka” added/);
    expect((await alerts(BOB, 'remove', [{ type: INTEGER, name: 'id', value: 1 }])).content).toBe('Alert #1 removed.');
    expect((await alerts(BOB, 'list')).content).toMatch(/\*\*#2\*\* “quokka”$/m);
    expect((await alerts(BOB, 'list')).content).not.toContain('zeppelin');
    expect((await alerts(ALICE, 'list')).content).toContain('**#1** “Heat pump”, “SOLAR”');
    expect((await alerts(BOB, 'remove', [{ type: INTEGER, name: 'id', value: 2 }])).content).toBe('Alert #2 removed.');
  });

  it('DMs a matching article once, only for feeds posted in the member’s guild, whatever the accents and case', async () => {
    // The other guild's feed carries a matching story first: Alice's guild never sees that feed.
    story(foreign, '/foreign.xml', 'foreign-solar', 'Solar farm opens abroad');
    await waitFor('the other guild’s post', () => posted(ELSEWHERE, 'Solar farm opens abroad'), 20_000);
    story(local, '/local.xml', 'local-nomatch', 'Council approves the budget');
    story(local, '/local.xml', 'local-heat', 'New HEAT-PUMP rules for flats');
    await waitFor('the DM for the local story', () => discord.dmsTo(ALICE).length >= 1, 20_000);
    const [dm] = discord.dmsTo(ALICE);
    expect(dm!.body.content).toMatch(/^🔔 Your alert #1 \(“Heat pump”, “SOLAR”\) matched a new article\.$/);
    expect(dm!.body.embeds?.[0]?.title).toBe('New HEAT-PUMP rules for flats');
    expect(dm!.body.allowed_mentions).toEqual({ parse: [] });
    await waitFor('the local posts', () => posted(NEWS, 'Council approves the budget') && posted(NEWS, 'New HEAT-PUMP rules for flats'));
    // The same story carried again by the other guild's feed, and polls that see it again: still one DM.
    foreign.push(local.at(-1)!);
    feeds.setFeed('/foreign.xml', rss('Foreign', foreign));
    await waitFor('the repeat posted in the other guild', () => posted(ELSEWHERE, 'New HEAT-PUMP rules for flats'), 20_000);
    const polls = feeds.count('/local.xml');
    await waitFor('two more polls of the local feed', () => feeds.count('/local.xml') >= polls + 2, 10_000);
    expect(discord.dmsTo(ALICE).map((m) => m.body.embeds?.[0]?.title)).toEqual(['New HEAT-PUMP rules for flats']);
  });

  it('edits the DM when the publisher edits the article, keeping the alert line', async () => {
    const heat = local.find((item) => item.guid === 'local-heat')!;
    heat.title = 'New heat pump rules for all flats';
    feeds.setFeed('/local.xml', rss('Local', local));
    const dm = discord.dmsTo(ALICE)[0]!;
    const edit = await waitFor('the DM edited', () => discord.edits.find((e) => e.channelId === dm.channelId && e.messageId === dm.id), 20_000);
    expect(edit.body.embeds?.[0]?.title).toBe('New heat pump rules for all flats');
    expect(edit.body.content).toBeUndefined();
    expect(discord.dmsTo(ALICE)).toHaveLength(1);
  });

  it('sends a member at most dmsPerHour alert DMs an hour; the rest are dropped and counted', async () => {
    story(local, '/local.xml', 'solar-1', 'Solar roofs one');
    story(local, '/local.xml', 'solar-2', 'Solar roofs two');
    story(local, '/local.xml', 'solar-3', 'Solar roofs three');
    await waitFor('two matches dropped', async () => /2 matches dropped by that limit/.test((await alerts(ALICE, 'list')).content ?? ''), 20_000, 250);
    const dms = discord.dmsTo(ALICE);
    expect(dms.map((m) => m.body.embeds?.[0]?.title)).toEqual(['New HEAT-PUMP rules for flats', 'Solar roofs one']);
    expect(dms[0]!.body.content).not.toMatch(/That makes/);
    expect(dms[1]!.body.content).toMatch(/That makes 2 alert DMs this hour, the most Herald sends you/);
    expect((await alerts(ALICE, 'list')).content).toMatch(/In the last hour: 2 alert DMs sent \(at most 2 an hour\); 2 matches dropped by that limit\./);
  });

  it("matches an article ingested while Discord cannot name its channel's server once it can: the member there gets the DM, a member elsewhere none", async () => {
    await alerts(CAROL, 'add', [{ type: STRING, name: 'words', value: 'ferry' }]);
    await alerts(DAVE, 'add', [{ type: STRING, name: 'words', value: 'ferry' }], OTHER_GUILD);
    discord.failingLookups.add(HARBOUR);
    const item = story(harbour, '/harbour.xml', 'ferry-1', 'Ferry timetable changes');
    // The item is read while the lookup fails: two more polls of the feed, and the lookup asked.
    const polls = feeds.count('/harbour.xml');
    await waitFor('two more polls of the harbour feed', () => feeds.count('/harbour.xml') >= polls + 2 && (discord.channelLookups.get(HARBOUR) ?? 0) > 0, 10_000);
    expect(discord.dmsTo(CAROL)).toEqual([]);
    discord.failingLookups.delete(HARBOUR);
    await waitFor('Carol’s DM', () => discord.dmsTo(CAROL).length === 1, 15_000, 100);
    expect(discord.dmsTo(CAROL)[0]!.body.embeds?.[0]?.title).toBe('Ferry timetable changes');
    const why = async () => (await discord.runCommand('why', [{ name: 'url', type: STRING, value: item.link }])).content ?? '';
    await waitFor('the other server’s DM decided', async () => /not posted in the member's server/.test(await why()), 15_000, 250);
    expect(discord.dmRequests.get(DAVE)).toBeUndefined();
  });

  it('pauses the alerts of a member whose DMs are closed (50007) instead of retrying, and says so', async () => {
    discord.closedDms.add(BOB);
    await alerts(BOB, 'add', [{ type: STRING, name: 'words', value: 'tram' }]);
    story(local, '/local.xml', 'tram-1', 'Tram line extended');
    await waitFor('Bob’s alerts paused', async () => /⏸ Paused/.test((await alerts(BOB, 'list')).content ?? ''), 20_000, 250);
    expect((await alerts(BOB, 'list')).content).toMatch(/Discord refused to DM you .* Allow DMs .* then run `\/alerts resume`/s);
    expect(discord.dmRequests.get(BOB)).toBe(1);
    // Paused: the next match queues nothing for him.
    story(local, '/local.xml', 'tram-2', 'Tram fares frozen');
    await waitFor('the next tram story posted', () => posted(NEWS, 'Tram fares frozen'), 20_000);
    const polls = feeds.count('/local.xml');
    await waitFor('two more polls', () => feeds.count('/local.xml') >= polls + 2, 10_000);
    expect(discord.dmRequests.get(BOB)).toBe(1);
    // Open DMs and resume: the next match reaches him.
    discord.closedDms.delete(BOB);
    expect((await alerts(BOB, 'resume')).content).toMatch(/Your alerts are active again \(1 alert, in every server\)/);
    story(local, '/local.xml', 'tram-3', 'Tram depot reopens');
    await waitFor('Bob’s DM', () => discord.dmsTo(BOB).length === 1, 20_000);
    expect(discord.dmsTo(BOB)[0]!.body.embeds?.[0]?.title).toBe('Tram depot reopens');
  });

  it('tries one DM for a burst of matches in one poll when the member’s DMs are closed: the rest are not sent, and /alerts list counts them', async () => {
    discord.closedDms.add(EVE);
    await alerts(EVE, 'add', [{ type: STRING, name: 'words', value: 'wind' }]);
    const titles = [1, 2, 3, 4, 5, 6].map((n) => `Wind farm news ${n}`);
    for (const [n, title] of titles.entries()) story(local, '/local.xml', `wind-${n}`, title);
    await waitFor('the burst posted', () => titles.every((title) => posted(NEWS, title)), 20_000);
    await waitFor('five matches not sent while paused', async () => /5 matches not sent while your alerts were paused/.test((await alerts(EVE, 'list')).content ?? ''), 20_000, 250);
    expect(discord.dmRequests.get(EVE)).toBe(1);
    expect((await alerts(EVE, 'list')).content).toMatch(/In the last hour: 0 alert DMs sent, 1 refused by Discord \(at most 2 an hour\); 5 matches not sent/);
  });

  it('counts DMs Discord refused toward dmsPerHour: no more attempts than the limit in an hour, resumed or not', async () => {
    discord.closedDms.add(FRED);
    await alerts(FRED, 'add', [{ type: STRING, name: 'words', value: 'kite' }]);
    const refusedAgain = async (slug: string, title: string, requests: number) => {
      story(local, '/local.xml', slug, title);
      await waitFor(`Fred's DM refused (${requests})`, async () => discord.dmRequests.get(FRED) === requests && /⏸ Paused/.test((await alerts(FRED, 'list')).content ?? ''), 20_000, 250);
      await alerts(FRED, 'resume');
    };
    await refusedAgain('kite-1', 'Kite festival announced', 1);
    await refusedAgain('kite-2', 'Kite festival moved', 2);
    story(local, '/local.xml', 'kite-3', 'Kite festival cancelled');
    await waitFor('the third match dropped by the limit', async () => /1 match dropped by that limit/.test((await alerts(FRED, 'list')).content ?? ''), 20_000, 250);
    expect(discord.dmRequests.get(FRED)).toBe(2);
  });
});
