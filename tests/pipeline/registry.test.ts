import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { FeedRegistry } from '../../src/pipeline/registry.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { TARGET_KINDS } from '../../src/targets/index.js';
import { readTypedWords } from '../../src/targets/discord/added-feed.js';

describe('feeds added from Discord and discord.minEvery', () => {
  it('are never polled more often than the minimum, also when added before it, and follow a new minimum on reload', async () => {
    const store = await openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-min-every-')), 'test.db'));
    try {
      // Added at 1s under an older Herald that had no minimum.
      await store.addDiscordFeed({ id: 'fast', url: 'https://fast.example/rss', everyMs: 1_000, backfill: 0, name: 'Fast', channelId: '1', paused: false, addedBy: null, createdAt: 1 });
      await store.addDiscordFeed({ id: 'slow', url: 'https://slow.example/rss', everyMs: 3_600_000, backfill: 0, name: 'Slow', channelId: '1', paused: false, addedBy: null, createdAt: 1 });
      const registry = new FeedRegistry(parseConfig({}, 'test', TARGET_KINDS), store);
      await registry.load();
      const intervals = () => Object.fromEntries(registry.active().map((feed) => [feed.id, feed.everyMs]));
      expect(intervals()).toEqual({ fast: 300_000, slow: 3_600_000 });
      expect(registry.get('fast')!.everyMs).toBe(300_000);

      const announced: Array<[string, number]> = [];
      registry.onChange({ added: (feed) => announced.push([feed.id, feed.everyMs]), removed: () => {} });
      const changes = registry.replaceConfig(parseConfig({ discord: { minEvery: '30s' } }, 'test', TARGET_KINDS));
      expect(changes.changed).toEqual(['fast']);
      expect(announced).toEqual([['fast', 30_000]]);
      expect(intervals()).toEqual({ fast: 30_000, slow: 3_600_000 });
    } finally {
      await store.close();
    }
  });
});

describe('which feeds may reach private networks', () => {
  const config = (lan: boolean) => parseConfig({ feeds: [{ id: 'lan', url: 'http://10.0.0.5/rss', privateNetwork: lan }, { id: 'web', url: 'https://web.example/rss' }] }, 'test', TARGET_KINDS);
  const reach = (registry: FeedRegistry) => Object.fromEntries(['lan', 'web', 'added'].map((id) => [id, registry.get(id)?.privateNetwork]));

  it('a config feed by its own key, a feed added from Discord by HERALD_ALLOW_PRIVATE_COMMANDS, every feed by HERALD_ALLOW_PRIVATE_NETWORK; also after a reload', async () => {
    const store = await openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-private-')), 'test.db'));
    try {
      await store.addDiscordFeed({ id: 'added', url: 'http://192.168.1.9/rss', everyMs: 300_000, backfill: 0, name: 'Added', channelId: '1', paused: false, addedBy: null, createdAt: 1 });
      const registries = {
        none: new FeedRegistry(config(true), store),
        commands: new FeedRegistry(config(true), store, { allFeeds: false, addedFeeds: true }),
        all: new FeedRegistry(config(false), store, { allFeeds: true, addedFeeds: false }),
      };
      for (const registry of Object.values(registries)) await registry.load();
      expect(reach(registries.none)).toEqual({ lan: true, web: false, added: false });
      expect(reach(registries.commands)).toEqual({ lan: true, web: false, added: true });
      expect(reach(registries.all)).toEqual({ lan: true, web: true, added: true });
      expect(registries.all.active().every((feed) => feed.privateNetwork)).toBe(true);
      registries.none.replaceConfig(config(false));
      registries.all.replaceConfig(config(false));
      expect(reach(registries.none)).toEqual({ lan: false, web: false, added: false });
      expect(reach(registries.all)).toEqual({ lan: true, web: true, added: true });
    } finally {
      await store.close();
    }
  });
});

describe('a feed added from Discord with words and a role (/feeds add include, exclude, mention)', () => {
  it('filters its channel by the words and pings the role, as a route would, and keeps both across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-added-options-'));
    const channel = '411111111111111111';
    const role = '499999999999999999';
    const facts = (title: string) => ({ title, summary: '', text: '', categories: '', author: '', link: 'https://news.example/a', language: 'en' });
    let store = await openSqliteStore(join(dir, 'test.db'));
    const first = new FeedRegistry(parseConfig({}, 'test', TARGET_KINDS), store);
    await first.load();
    const options = { include: ['heat pump', 'solar'], exclude: ['sponsored'], mention: role };
    expect(await first.add({ id: 'energy', url: 'https://energy.example/rss', everyMs: 300_000, backfill: 0, name: 'Energy', channelId: channel, paused: false, addedBy: 'mod', createdAt: 1, options })).toBe('added');
    await store.close();
    // A restart: the options come back from the database.
    store = await openSqliteStore(join(dir, 'test.db'));
    try {
      const registry = new FeedRegistry(parseConfig({}, 'test', TARGET_KINDS), store);
      await registry.load();
      const [passed] = registry.deliveriesFor('energy', facts('New heat-pump grants'));
      expect(passed).toMatchObject({ target: `discord:${channel}`, options: { filter: 'let through by include: words "heat pump" in title', kindOptions: { mention: { roles: [role] } } } });
      expect(passed!.heldBack).toBeUndefined();
      expect(registry.deliveriesFor('energy', facts('Solar panels, sponsored'))[0]!.heldBack).toMatch(/^held back by exclude: words "sponsored"/);
      expect(registry.deliveriesFor('energy', facts('Council budget'))[0]!.heldBack).toMatch(/^held back by include:/);
      // Without facts (preview, old deliveries' options) every item passes.
      expect(registry.deliveriesFor('energy')[0]!.heldBack).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('reads typed words as a route reads words, and refuses what has no letters', () => {
    expect(readTypedWords(' heat   pump , solar,, solar ', '`include`')).toEqual({ words: ['heat pump', 'solar'] });
    expect(readTypedWords(undefined, '`include`')).toEqual({ words: [] });
    expect(readTypedWords('!!, ??', '`exclude`')).toMatchObject({ problem: expect.stringMatching(/^`exclude`: /) });
  });
});
