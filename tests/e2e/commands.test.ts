import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { fakeEnv, heraldEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const TOKEN = 'commands-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CHANNELS = ['777777777777777777', '888888888888888888'];
const MANAGE_GUILD = String(1 << 5);
const BASE = Date.UTC(2026, 10, 10, 9, 0, 0);
const STRING = 3;
const SUBCOMMAND = 1;

describe('slash commands through the real discord.js client', () => {
  const discord = new FakeDiscord(TOKEN, CHANNELS);
  const feeds = new FeedServer();
  const dir = tempDir('commands');
  let herald: HeraldProcess;
  const cityItems: TestItem[] = [];
  const addedItems: TestItem[] = [];

  function story(path: string, title: string, minutes: number, lead: string): TestItem {
    feeds.setPage(path, articlePage(title, [lead, 'A second paragraph with more detail for readers.']));
    return { guid: path, title, link: feeds.url(path), pubDate: new Date(BASE + minutes * 60_000) };
  }

  function start(): HeraldProcess {
    const config = writeConfig(dir, {
      feeds: [{ id: 'city', url: feeds.url('/city.xml'), every: '1s', backfill: 3, name: 'City News' }],
      routes: [{ feeds: ['city'], discord: [CHANNELS[0]] }],
      discord: { minEvery: '1s' },
    });
    // The fakes listen on 127.0.0.1: /summary and /feeds add may reach them only with HERALD_ALLOW_PRIVATE_COMMANDS.
    herald = new HeraldProcess(['run'], heraldEnv({ dir, config, discord }, { HERALD_ALLOW_PRIVATE_COMMANDS: '1' }));
    return herald;
  }

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start()]);
    cityItems.push(
      story('/city/bridge.html', 'New bridge opens over the river', 1, 'The new bridge over the river opened on Monday after three years of work.'),
      story('/city/market.html', 'Farmers market moves to the square', 2, 'The weekly farmers market moves to the main square in spring.'),
      story('/city/library.html', 'Library adds Sunday hours', 3, 'The central library will open on Sundays from February.'),
    );
    feeds.setFeed('/city.xml', rss('City News', cityItems));
    feeds.setFeed('/added.xml', rss('Added Feed', []));
    start();
    await waitFor('the three backfilled posts', () => discord.messagesIn(CHANNELS[0]!).length >= 3);
  });

  afterAll(async () => {
    herald?.kill('SIGKILL');
    await Promise.all([discord.stop(), feeds.stop()]);
  });

  it("names the source as the config's feeds[].name says, over the page's own site name", () => {
    // The pages call themselves "Test News" (og:site_name); the config names the feed "City News".
    const authors = discord.messagesIn(CHANNELS[0]!).map((message) => message.body.embeds![0]!.author?.name);
    expect(authors.slice(0, 3)).toEqual(['City News', 'City News', 'City News']);
  });

  it('registers every slash command at start', () => {
    const names = (discord.commandRegistrations[0]!.body as Array<{ name: string }>).map((c) => c.name).sort();
    expect(names).toEqual(['alerts', 'feeds', 'headlines', 'search', 'status', 'summary', 'why']);
  });

  it('/headlines pages to older stories with the More button', async () => {
    const answer = await discord.runCommand('headlines', [{ name: 'count', type: 4, value: 2 }]);
    const text = answer.embeds![0]!.description!;
    expect(text).toMatch(/Library adds Sunday hours[\s\S]*Farmers market moves/);
    expect(text).not.toContain('New bridge');
    expect(JSON.stringify(answer.components)).toContain('headlines:more:2:2:');

    const id = await discord.dispatchInteraction(3, { custom_id: 'headlines:more:2:2:', component_type: 2 }, '0', {
      message: { id: discord.messages[0]!.id, channel_id: CHANNELS[0], type: 0, content: '', embeds: [], author: { id: '900000000000000002', username: 'herald', discriminator: '0', bot: true }, timestamp: new Date().toISOString(), attachments: [], mentions: [], mention_roles: [], pinned: false, tts: false, mention_everyone: false, flags: 0, components: [], edited_timestamp: null },
    });
    const more = await discord.callbackOf(id);
    expect(more.type).toBe(7); // UPDATE_MESSAGE
    expect(more.data!.embeds![0]!.description).toContain('New bridge opens over the river');
  });

  it('/headlines refuses an unknown feed with the known ones', async () => {
    const answer = await discord.runCommand('headlines', [{ name: 'feed', type: STRING, value: 'nope' }]);
    expect(answer.content).toContain('There is no feed "nope". Known feeds: city');
    expect(answer.flags).toBe(64);
  });

  it('/search ranks matches and says what it searched when nothing matches', async () => {
    const found = await discord.runCommand('search', [{ name: 'query', type: STRING, value: 'bridge river' }]);
    expect(found.embeds![0]!.description).toContain('New bridge opens over the river');
    expect(found.embeds![0]!.description).not.toContain('Library');
    const none = await discord.runCommand('search', [{ name: 'query', type: STRING, value: 'volcano' }, { name: 'since', type: STRING, value: '7d' }]);
    expect(none.content).toBe('Nothing found for "volcano" in all feeds since 7d.');
    const bad = await discord.runCommand('search', [{ name: 'query', type: STRING, value: 'x"y OR (' }]);
    expect(bad.content).toMatch(/Nothing found/);
  });

  it('/summary fetches and summarizes a page (private addresses allowed in this process)', async () => {
    const answer = await discord.runCommand('summary', [{ name: 'url', type: STRING, value: feeds.url('/city/bridge.html') }]);
    expect(answer.type).toBe(5);
    expect(answer.embeds![0]!.description).toMatch(/^The new bridge over the river opened on Monday/);
    const notUrl = await discord.runCommand('summary', [{ name: 'url', type: STRING, value: 'javascript:alert(1)' }]);
    expect(notUrl.content).toContain('http:// or https://');
  });

  it('/feeds list is for everyone; managing needs Manage Server, checked in the handler', async () => {
    const listed = await discord.runCommand('feeds', [{ name: 'list', type: SUBCOMMAND, options: [] }]);
    expect(listed.embeds![0]!.description).toContain('`city` City News');
    const denied = await discord.runCommand('feeds', [{ name: 'add', type: SUBCOMMAND, options: [{ name: 'url', type: STRING, value: feeds.url('/added.xml') }] }]);
    expect(denied.content).toContain('Manage Server');
    const configFeed = await discord.runCommand('feeds', [{ name: 'pause', type: SUBCOMMAND, options: [{ name: 'id', type: STRING, value: 'city' }] }], MANAGE_GUILD);
    expect(configFeed.content).toContain('comes from the config file');
  });

  it('/feeds add polls the new feed, posts its new items to the given channel, and keeps it across a restart', async () => {
    const added = await discord.runCommand(
      'feeds',
      [{ name: 'add', type: SUBCOMMAND, options: [{ name: 'url', type: STRING, value: feeds.url('/added.xml') }, { name: 'id', type: STRING, value: 'added' }, { name: 'channel', type: 7, value: CHANNELS[1] }, { name: 'every', type: STRING, value: '1s' }] }],
      MANAGE_GUILD,
      { channels: { [CHANNELS[1]!]: { id: CHANNELS[1], type: 0, name: 'news-1', permissions: '2147483647' } } },
    );
    expect(added.content).toContain('Added `added`');
    await waitFor('the added feed to be polled twice', () => feeds.count('/added.xml') >= 3);
    addedItems.push(story('/added/one.html', 'First story of the added feed', 10, 'The added feed has its first story.'));
    feeds.setFeed('/added.xml', rss('Added Feed', addedItems));
    await waitFor('the added story in the second channel', () => discord.messagesIn(CHANNELS[1]!).length >= 1);
    expect(discord.messagesIn(CHANNELS[1]!)[0]!.body.embeds![0]!.title).toBe('First story of the added feed');

    herald.kill('SIGTERM');
    expect((await herald.exited).code).toBe(0);
    const registrations = discord.commandRegistrations.length;
    start();
    await herald.waitForLog('slash commands unchanged; registration skipped');
    expect(discord.commandRegistrations).toHaveLength(registrations);
    addedItems.push(story('/added/two.html', 'Second story after the restart', 11, 'The added feed survived the restart.'));
    feeds.setFeed('/added.xml', rss('Added Feed', addedItems));
    await waitFor('the second added story', () => discord.messagesIn(CHANNELS[1]!).length >= 2);
    expect(discord.messagesIn(CHANNELS[1]!).map((m) => m.body.embeds![0]!.title)).toEqual(['First story of the added feed', 'Second story after the restart']);
    const listed = await discord.runCommand('feeds', [{ name: 'list', type: SUBCOMMAND, options: [] }]);
    expect(listed.embeds![0]!.description).toContain('`added` Added Feed');
  });

  it('/feeds pause, resume and remove change a Discord feed', async () => {
    const manage = (sub: string) => discord.runCommand('feeds', [{ name: sub, type: SUBCOMMAND, options: [{ name: 'id', type: STRING, value: 'added' }] }], MANAGE_GUILD);
    expect((await manage('pause')).content).toBe('Paused `added`.');
    expect((await manage('resume')).content).toBe('Resumed `added`.');
    expect((await manage('remove')).content).toBe('Removed `added`.');
    expect((await manage('remove')).content).toContain('There is no feed `added`');
  });

  it('/feeds add with include, exclude and mention posts only the matching stories, pinging only that role, and /why names the rule', async () => {
    const role = '766666666666666666';
    const items = [story('/words/grant.html', 'Heat pump grants doubled', 20, 'Heat pump grants were doubled for every household this year.'), story('/words/ad.html', 'Sponsored: solar roof deals', 21, 'A sponsored offer for solar roofs.'), story('/words/budget.html', 'Council budget passed', 22, 'The council passed its budget.')];
    feeds.setFeed('/words.xml', rss('Words Feed', []));
    const options = [
      { name: 'url', type: STRING, value: feeds.url('/words.xml') },
      { name: 'id', type: STRING, value: 'words' },
      { name: 'channel', type: 7, value: CHANNELS[1] },
      { name: 'every', type: STRING, value: '1s' },
      { name: 'include', type: STRING, value: 'heat pump, solar' },
      { name: 'exclude', type: STRING, value: 'sponsored' },
      { name: 'mention', type: 8, value: role },
    ];
    const refused = await discord.runCommand('feeds', [{ name: 'add', type: SUBCOMMAND, options: [...options.slice(0, 4), { name: 'include', type: STRING, value: '!!' }] }], MANAGE_GUILD);
    expect(refused.content).toMatch(/^Cannot add that feed: `include`: /);
    const added = await discord.runCommand('feeds', [{ name: 'add', type: SUBCOMMAND, options }], MANAGE_GUILD, { channels: { [CHANNELS[1]!]: { id: CHANNELS[1], type: 0, name: 'news-1', permissions: '2147483647' } }, roles: { [role]: { id: role, name: 'energy', color: 0, hoist: false, position: 1, permissions: '0', managed: false, mentionable: true, flags: 0 } } });
    expect(added.content).toContain(`(only stories with “heat pump”, “solar”; never stories with “sponsored”; pinging <@&${role}>)`);
    // /feeds list shows them too, on the feed's line.
    const listed = (await discord.runCommand('feeds', [{ name: 'list', type: SUBCOMMAND, options: [] }])).embeds![0]!.description!;
    expect(listed.split('\n').find((line) => line.startsWith('`words` '))).toMatch(/\(added here, [^)]*\) \(only stories with “heat pump”, “solar”; never stories with “sponsored”; pinging <@&766666666666666666>\)$/);
    // A feed added here stays watched: removed when this test ends, so /status later counts only the config's.
    onTestFinished(async () => {
      expect((await discord.runCommand('feeds', [{ name: 'remove', type: SUBCOMMAND, options: [{ name: 'id', type: STRING, value: 'words' }] }], MANAGE_GUILD)).content).toBe('Removed `words`.');
    });
    const before = discord.messagesIn(CHANNELS[1]!).length;
    await waitFor('the words feed polled', () => feeds.count('/words.xml') >= 2);
    feeds.setFeed('/words.xml', rss('Words Feed', items));
    await waitFor('the matching story posted', () => discord.messagesIn(CHANNELS[1]!).length > before);
    const why = await discord.runCommand('why', [{ name: 'url', type: STRING, value: items[2]!.link }]);
    expect(why.content).toMatch(/held back by include/);
    const posted = discord.messagesIn(CHANNELS[1]!).slice(before);
    expect(posted.map((m) => m.body.embeds![0]!.title)).toEqual(['Heat pump grants doubled']);
    expect(posted[0]!.body.content).toContain(`<@&${role}>`);
    expect(posted[0]!.body.allowed_mentions).toEqual({ parse: [], roles: [role] });
    expect((await discord.runCommand('why', [{ name: 'url', type: STRING, value: items[1]!.link }])).content).toMatch(/held back by exclude: words "sponsored"/);
  });

  it('/feeds test shows what would be posted and posts nothing', async () => {
    const before = discord.messages.length;
    const answer = await discord.runCommand('feeds', [{ name: 'test', type: SUBCOMMAND, options: [{ name: 'url', type: STRING, value: feeds.url('/city.xml') }] }], MANAGE_GUILD);
    expect(answer.content).toContain('City News: 3 items (rss)');
    expect(answer.embeds!.map((e) => e.title)).toEqual(['Library adds Sunday hours', 'Farmers market moves to the square', 'New bridge opens over the river']);
    expect(discord.messages).toHaveLength(before);
  });

  it('/feeds test never echoes a password, token or key from the address', async () => {
    const url = feeds.url('/gone.xml?token=tok-s3cret-value&key=key-s3cret-value').replace('http://', 'http://reader:hunter2-password@');
    const answer = await discord.runCommand('feeds', [{ name: 'test', type: SUBCOMMAND, options: [{ name: 'url', type: STRING, value: url }] }], MANAGE_GUILD);
    expect(answer.content).toContain('Could not read a feed at <http://[redacted]@127.0.0.1:');
    expect(answer.content).toContain('/gone.xml?token=[redacted]&key=[redacted]>');
    for (const secret of ['hunter2-password', 'tok-s3cret-value', 'key-s3cret-value']) expect(answer.content).not.toContain(secret);
  });

  it('/status and /why explain what happened', async () => {
    const status = await discord.runCommand('status');
    const fields = Object.fromEntries(status.embeds![0]!.fields!.map((f) => [f.name, f.value]));
    expect(fields.Feeds).toMatch(/^1 watched, 0 failing$/);
    // Skipped deliveries are other tests' stories a feed's include/exclude held back: only none pending or failed is this test's.
    expect(fields.Deliveries).toMatch(/^0 pending, 0 failed, \d+ skipped, \d+ sent$/);
    const why = await discord.runCommand('why', [{ name: 'url', type: STRING, value: `${feeds.url('/city/bridge.html')}?utm_source=x` }]);
    expect(why.content).toContain('Seen in `city`');
    expect(why.content).toContain(`<#${CHANNELS[0]}>: posted.`);
    const unseen = await discord.runCommand('why', [{ name: 'url', type: STRING, value: 'https://elsewhere.example/story' }]);
    expect(unseen.content).toBe('Herald has not seen <https://elsewhere.example/story> in any feed it watches.');
  });

  it('autocompletes feed ids and answers unknown commands without crashing', async () => {
    const id = await discord.dispatchInteraction(4, { id: '1', name: 'headlines', type: 1, options: [{ name: 'feed', type: STRING, value: 'ci', focused: true }] });
    const choices = await discord.callbackOf(id);
    expect(choices.type).toBe(8);
    expect((choices.data as unknown as { choices: Array<{ value: string }> }).choices.map((c) => c.value)).toEqual(['city']);
    const unknown = await discord.runCommand('frobnicate');
    expect(unknown.content).toBe('Herald does not know /frobnicate.');
    expect(herald.logged('command failed')).toEqual([]);
  });
});

describe('answers fitted to Discord limits, and limits on /feeds add', () => {
  const channel = '555555555555555555';
  const discord = new FakeDiscord('limits-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ', [channel]);
  const feeds = new FeedServer();
  let herald: HeraldProcess;
  let opsPort = 0;
  const add = (options: Array<{ name: string; type: number; value: string }>) => discord.runCommand('feeds', [{ name: 'add', type: SUBCOMMAND, options }], MANAGE_GUILD);

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start()]);
    const dir = tempDir('limits');
    herald = new HeraldProcess(['run'], heraldEnv({ dir, config: writeConfig(dir, { feeds: [], routes: [], discord: { maxFeedsPerGuild: 2 } }), discord }, { HERALD_ALLOW_PRIVATE_COMMANDS: '1' }));
    opsPort = (await herald.waitForLog('health and metrics listening')).port as number;
    await herald.waitForLog('discord gateway ready');
  });

  afterAll(async () => {
    herald.kill('SIGKILL');
    await Promise.all([discord.stop(), feeds.stop()]);
  });

  it('/feeds add refuses an interval under discord.minEvery (default 5m), naming the minimum', async () => {
    feeds.setFeed('/fast.xml', rss('Fast', []));
    const answer = await add([{ name: 'url', type: STRING, value: feeds.url('/fast.xml') }, { name: 'every', type: STRING, value: '1s' }]);
    expect(answer.content).toBe('Cannot add that feed: `every` must be at least 5m for feeds added from Discord, so that no site is polled too often.');
    expect(answer.flags).toBe(64);
    const invalid = await add([{ name: 'url', type: STRING, value: feeds.url('/fast.xml') }, { name: 'id', type: STRING, value: 'Not_An_Id' }]);
    expect(invalid.content).toContain('`id`: expected lower-case letters, digits and dashes only');
    expect(feeds.count('/fast.xml')).toBe(0);
  });

  it('/feeds add of a 1,500-character address with a huge title adds the feed and says so within 2,000 characters', async () => {
    // 1,500 CJK characters become 13,500 once percent-encoded; the title doubles when escaped.
    const typed = feeds.url(`/${'新'.repeat(1500)}.xml`);
    const path = new URL(typed).pathname;
    feeds.setFeed(path, rss('*_'.repeat(600), []));
    // And 60 include words (near the option's 500 characters) with markdown in them: /feeds list escapes them and cuts the feed's line.
    const words = Array.from({ length: 60 }, (_, n) => `w_${n}_w`).join(', ');
    const answer = await add([{ name: 'url', type: STRING, value: typed }, { name: 'id', type: STRING, value: 'huge' }, { name: 'include', type: STRING, value: words }]);
    expect(answer.content).toMatch(/^Added `huge` \(/);
    expect(answer.content!.length).toBeLessThanOrEqual(2000);
    expect(discord.refusedAnswers).toEqual([]);
    const listed = await discord.runCommand('feeds', [{ name: 'list', type: SUBCOMMAND, options: [] }]);
    const line = listed.embeds![0]!.description!.split('\n').find((each) => each.startsWith('`huge`'))!;
    expect(line).toContain(' (only stories with “w\\_0\\_w”, “w\\_1\\_w”');
    expect(line).toMatch(/…$/);
    expect(line.length).toBeLessThan(600);
  });

  it('/summary of an address that fails echoes a shortened address, never more than Discord takes', async () => {
    const typed = feeds.url(`/${'新'.repeat(1500)}.html`);
    const answer = await discord.runCommand('summary', [{ name: 'url', type: STRING, value: typed }]);
    expect(answer.content).toMatch(/^Could not summarize `http:\/\/127\.0\.0\.1:\d+\/%E6%96%B0.*…`: the site refused it \(HTTP 404\)\.$/);
    expect(discord.refusedAnswers).toEqual([]);
  });

  it('refuses the feed over discord.maxFeedsPerGuild before fetching it', async () => {
    feeds.setFeed('/second.xml', rss('Second', []));
    feeds.setFeed('/third.xml', rss('Third', []));
    expect((await add([{ name: 'url', type: STRING, value: feeds.url('/second.xml') }, { name: 'id', type: STRING, value: 'second' }])).content).toContain('Added `second`');
    const third = await add([{ name: 'url', type: STRING, value: feeds.url('/third.xml') }, { name: 'id', type: STRING, value: 'third' }]);
    expect(third.content).toBe(
      'This server has 2 feeds added from Discord, and this Herald allows at most 2 per server. Remove one with `/feeds remove` first (the limit is the config key discord.maxFeedsPerGuild).',
    );
    expect(feeds.count('/third.xml')).toBe(0);
    expect((await discord.runCommand('feeds', [{ name: 'remove', type: SUBCOMMAND, options: [{ name: 'id', type: STRING, value: 'second' }] }], MANAGE_GUILD)).content).toBe('Removed `second`.');
    expect((await add([{ name: 'url', type: STRING, value: feeds.url('/third.xml') }, { name: 'id', type: STRING, value: 'third' }])).content).toContain('Added `third`');
  });

  it('counts every answered command by command and outcome', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toContain('herald_commands_total{command="feeds add",outcome="refused"} 3');
    expect(metrics).toContain('herald_commands_total{command="feeds add",outcome="ok"} 3');
    expect(metrics).toContain('herald_commands_total{command="feeds list",outcome="ok"} 1');
    expect(metrics).toContain('herald_commands_total{command="feeds remove",outcome="ok"} 1');
    expect(metrics).toContain('herald_commands_total{command="summary",outcome="refused"} 1');
    expect(herald.logged('command failed')).toEqual([]);
  });
});

describe('/summary without HERALD_ALLOW_PRIVATE_COMMANDS', () => {
  const discord = new FakeDiscord('guard-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ', ['999999999999999999']);
  const pages = new FeedServer();
  let herald: HeraldProcess;

  beforeAll(async () => {
    await Promise.all([discord.start(), pages.start()]);
    pages.setPage('/a.html', articlePage('Private page', ['This page sits on a private address.']));
    const dir = tempDir('guard');
    herald = new HeraldProcess(['run'], {
      ...fakeEnv({ discord }),
      HERALD_CONFIG: writeConfig(dir, { feeds: [], routes: [] }),
      DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HTTP_PORT: '0',
    });
    await herald.waitForLog('discord gateway ready');
  });

  afterAll(async () => {
    herald.kill('SIGKILL');
    await Promise.all([discord.stop(), pages.stop()]);
  });

  it.each([
    ['a loopback address', () => pages.url('/a.html')],
    ['a DNS name that resolves to loopback', () => pages.url('/a.html').replace('127.0.0.1', 'localhost')],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
  ])('refuses %s', async (_, url) => {
    const answer = await discord.runCommand('summary', [{ name: 'url', type: STRING, value: url() }]);
    expect(answer.content).toMatch(/could not be reached \(Herald fetches only public web pages\)/);
    expect(pages.count('/a.html')).toBe(0);
  });
});
