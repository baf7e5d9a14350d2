import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { fakeEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const TOKEN = 'routes-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** filtered, … */
const CHANNELS = ['311111111111111111', '322222222222222222'];
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
    );
    feeds.setFeed('/tech.xml', rss('Tech', items));
    const config = writeConfig(dir, {
      feeds: [{ id: 'tech', url: feeds.url('/tech.xml'), every: '1s', backfill: 10, name: 'Tech' }],
      routes: [{ feeds: ['tech'], to: [{ discord: CHANNELS[0] }], filter: { exclude: { words: 'sponsored', in: ['title', 'categories'] } } }],
    });
    herald = new HeraldProcess(['run'], {
      ...fakeEnv({ discord }),
      HERALD_CONFIG: config,
      DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_ALLOW_PRIVATE_NETWORK: '1',
      HTTP_PORT: '0',
    });
    await herald.waitForLog('new article', { url: items[1]!.link });
    await waitFor('the post that passed the filter', () => discord.messagesIn(CHANNELS[0]!).length >= 1);
  });

  afterAll(async () => {
    herald?.kill('SIGKILL');
    await Promise.all([discord.stop(), feeds.stop()]);
  });

  it('a filter holds an item back, and /why says which rule did', async () => {
    expect(discord.messagesIn(CHANNELS[0]!).map((m) => m.body.embeds![0]!.title)).toEqual(['Rust 2.0 released']);
    const held = herald.logged('new article', { url: items[1]!.link })[0]!;
    expect(held.targets).toEqual([]);
    expect(held.filtered).toEqual([{ target: `discord:${CHANNELS[0]}`, pass: false, reason: 'held back by exclude: words "sponsored" in title' }]);
    const why = await discord.runCommand('why', [{ name: 'url', type: STRING, value: items[1]!.link }]);
    expect(why.content).toContain(`<#${CHANNELS[0]}>: not posted: held back by exclude: words "sponsored" in title.`);
    const passed = await discord.runCommand('why', [{ name: 'url', type: STRING, value: items[0]!.link }]);
    expect(passed.content).toContain(`<#${CHANNELS[0]}> (let through: no exclude rule matched): posted.`);
  });
});
