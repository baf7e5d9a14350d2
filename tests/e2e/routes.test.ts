import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { heraldEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const TOKEN = 'routes-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** A text channel with a filter; an announcement channel with a template, a role ping and crossposts. */
const CHANNELS = ['311111111111111111', '322222222222222222'];
const ROLE = '399999999999999999';
const BASE = Date.UTC(2026, 10, 12, 9, 0, 0);
const STRING = 3;

describe('routes: filters, templates and role pings through the real discord.js client', () => {
  const discord = new FakeDiscord(TOKEN, CHANNELS);
  const feeds = new FeedServer();
  const dir = tempDir('routes');
  let herald: HeraldProcess;
  const items: TestItem[] = [];

  function story(slug: string, title: string, minutes: number, extra: Partial<TestItem> = {}): TestItem {
    feeds.setPage(`/tech/${slug}.html`, articlePage(title, [`${title}: the lead sentence says what happened today in the project.`, 'A second paragraph with more detail for readers.']));
    return { guid: slug, title, link: feeds.url(`/tech/${slug}.html`), pubDate: new Date(BASE + minutes * 60_000), ...extra };
  }

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start()]);
    items.push(
      story('rust', 'Rust 2.0 released', 1, { categories: ['Languages'] }),
      story('sponsored', 'Sponsored: a gadget you need', 2, { categories: ['Deals'] }),
      story('breaking', `Breaking: kernel bug found ${'🐧'.repeat(60)}`, 3, { categories: ['Security', 'Linux'], author: 'Ada Lovelace' }),
    );
    feeds.setFeed('/tech.xml', rss('Tech', items));
    const config = writeConfig(dir, {
      feeds: [{ id: 'tech', url: feeds.url('/tech.xml'), every: '1s', backfill: 10, name: 'Tech' }],
      filters: { breaking: { words: 'breaking', in: ['title'] } },
      routes: [
        { feeds: ['tech'], to: [{ discord: { channel: CHANNELS[0], thread: true } }], filter: { exclude: { words: 'sponsored', in: ['title', 'categories'] } } },
        {
          feeds: ['tech'],
          to: [
            {
              discord: {
                channel: CHANNELS[1],
                message: {
                  content: '📰 {title} ({published})',
                  embed: { description: '{summary}\n\nFiled under {categories}', footer: 'From {feed}', color: '#112233', image: 'thumbnail', fields: [{ name: 'Source', value: '{site}', inline: true }] },
                },
                mention: { roles: [ROLE], when: 'breaking' },
                crosspost: true,
              },
            },
          ],
        },
      ],
    });
    herald = new HeraldProcess(['run'], heraldEnv({ dir, config, discord }));
    await herald.waitForLog('new article', { url: items[1]!.link });
    await waitFor('the posts that passed the filter', () => discord.messagesIn(CHANNELS[0]!).length >= 2);
    await waitFor('every post in the announcement channel, published', () => discord.crossposts.length >= 3);
    await waitFor('a thread on each post in the text channel', () => discord.threads.length >= 2);
  });

  afterAll(async () => {
    herald?.kill('SIGKILL');
    await Promise.all([discord.stop(), feeds.stop()]);
  });

  it('a filter holds an item back, and /why says which rule did', async () => {
    expect(discord.messagesIn(CHANNELS[0]!).map((m) => m.body.embeds![0]!.title)).toEqual([items[0]!.title, items[2]!.title]);
    const held = herald.logged('new article', { url: items[1]!.link })[0]!;
    expect(held.targets).toEqual([`discord:${CHANNELS[1]}`]);
    expect(held.filtered).toEqual([{ target: `discord:${CHANNELS[0]}`, pass: false, reason: 'held back by exclude: words "sponsored" in title' }]);
    const why = await discord.runCommand('why', [{ name: 'url', type: STRING, value: items[1]!.link }]);
    expect(why.content).toContain(`<#${CHANNELS[0]}>: not posted: held back by exclude: words "sponsored" in title.`);
    const passed = await discord.runCommand('why', [{ name: 'url', type: STRING, value: items[0]!.link }]);
    expect(passed.content).toContain(`<#${CHANNELS[0]}> (let through: no exclude rule matched): posted.`);
  });

  it("a route's template shapes content and embed, with placeholders filled", () => {
    const [rust] = discord.messagesIn(CHANNELS[1]!);
    const seconds = Math.floor((BASE + 60_000) / 1000);
    expect(rust!.body.content).toBe(`📰 Rust 2.0 released (<t:${seconds}:R>)`);
    const embed = rust!.body.embeds![0]!;
    expect(embed).toMatchObject({ title: 'Rust 2.0 released', url: items[0]!.link, color: 0x112233, footer: { text: 'From Tech' }, fields: [{ name: 'Source', value: 'Tech', inline: true }] });
    expect(embed.description).toMatch(/^Rust 2\.0 released: the lead sentence[\s\S]*\n\nFiled under Languages$/);
    expect(embed.thumbnail?.url).toMatch(/^https:\/\/news\.example\/img\//);
    expect(embed.image).toBeUndefined();
    expect(discord.refusedMessages).toEqual([]);
  });

  it("pings the route's role only when the named filter matches, and allows no other mention", () => {
    const [rust, sponsored, breaking] = discord.messagesIn(CHANNELS[1]!);
    expect(sponsored!.body.embeds![0]!.title).toBe('Sponsored: a gadget you need');
    for (const quiet of [rust!, sponsored!]) {
      expect(quiet.body.content).not.toContain('<@&');
      expect(quiet.body.allowed_mentions).toEqual({ parse: [] });
    }
    expect(breaking!.body.content).toMatch(new RegExp(`^<@&${ROLE}> 📰 Breaking: kernel bug found`));
    expect(breaking!.body.allowed_mentions).toEqual({ parse: [], roles: [ROLE] });
  });

  it('publishes every message of the announcement channel (crosspost), and none elsewhere', () => {
    expect(discord.crossposts).toEqual(discord.messagesIn(CHANNELS[1]!).map((m) => ({ channelId: CHANNELS[1], messageId: m.id })));
  });

  it('starts a thread on each message of a text channel, named by its title cut between whole characters to 100', () => {
    const posted = discord.messagesIn(CHANNELS[0]!);
    expect(discord.threads.map(({ channelId, messageId }) => ({ channelId, messageId }))).toEqual(posted.map((m) => ({ channelId: CHANNELS[0], messageId: m.id })));
    expect(discord.threads[0]!.name).toBe('Rust 2.0 released');
    const long = discord.threads[1]!.name;
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long).toMatch(/^Breaking: kernel bug found (🐧)+…$/u);
  });

  it('an edit drops a role ping the retitled article no longer earns, and never adds one', async () => {
    const [rust, , breaking] = discord.messagesIn(CHANNELS[1]!);
    // Last, since the edits rename the text channel's threads. The publisher retitles both: the
    // breaking story loses the word its role ping was for, and the quiet one gains it.
    items[0] = { ...items[0]!, title: 'Breaking: Rust 2.0 released' };
    items[2] = { ...items[2]!, title: 'Kernel bug found and fixed' };
    feeds.setFeed('/tech.xml', rss('Tech', items));
    const editOf = (messageId: string) => discord.edits.find((edit) => edit.channelId === CHANNELS[1] && edit.messageId === messageId);
    await waitFor('both messages of the announcement channel edited', () => editOf(rust!.id) !== undefined && editOf(breaking!.id) !== undefined);
    const unpinged = editOf(breaking!.id)!.body;
    expect(unpinged.content).toMatch(/^📰 Kernel bug found and fixed \(<t:\d+:R>\)$/);
    expect(unpinged.allowed_mentions).toEqual({ parse: [] });
    const retitled = editOf(rust!.id)!.body;
    expect(retitled.content).toMatch(/^📰 Breaking: Rust 2\.0 released \(<t:\d+:R>\)$/);
    expect(retitled.allowed_mentions).toEqual({ parse: [] });
  });
});
