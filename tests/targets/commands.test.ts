import { ApplicationCommandOptionType, type CommandInteractionOption } from 'discord.js';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ListedFeed } from '../../src/targets/catalog.js';
import { readArgs, type CommandArgs } from '../../src/targets/discord/commands/args.js';
import { feedChoices } from '../../src/targets/discord/commands/index.js';
import { feedsDefinition, feedsInGuild } from '../../src/targets/discord/commands/feeds.js';
import { headlinesDefinition, renderArticleList } from '../../src/targets/discord/commands/headlines.js';
import { summaryDefinition } from '../../src/targets/discord/commands/summary.js';
import { CommandError } from '../../src/targets/discord/commands/types.js';
import { cutMarkdown, DISCORD_LIMITS, echoUrl, fitMessage } from '../../src/targets/discord/fit.js';
import { cutText } from '../../src/text/cut.js';
import { limitViolations } from '../fakes/discord.js';

const { String: STRING, Integer: INTEGER, Boolean: BOOLEAN, Subcommand: SUBCOMMAND, Channel: CHANNEL } = ApplicationCommandOptionType;

describe('handler options typed from the command definition', () => {
  it('gives each option the type its definition declares; a name not in the definition does not compile', () => {
    expectTypeOf<CommandArgs<typeof summaryDefinition>>().toEqualTypeOf<{ url: string; public?: boolean }>();
    expectTypeOf<CommandArgs<typeof headlinesDefinition>>().toEqualTypeOf<{ count?: number; feed?: string }>();
    const read = (args: CommandArgs<typeof summaryDefinition>) => {
      // @ts-expect-error: /summary has `url`, not `link`: renaming the option breaks every handler that reads the old name
      return args.link;
    };
    expect(read({ url: 'https://example.com/' })).toBeUndefined();
  });

  it('types subcommands as a union tagged by `subcommand`', () => {
    type Feeds = CommandArgs<typeof feedsDefinition>;
    expectTypeOf<Extract<Feeds, { subcommand: 'add' }>>().toEqualTypeOf<{ subcommand: 'add'; url: string; id?: string; channel?: string; every?: string; include?: string; exclude?: string; mention?: string; webhook?: string }>();
    expectTypeOf<Extract<Feeds, { subcommand: 'remove' }>>().toEqualTypeOf<{ subcommand: 'remove'; id: string }>();
    expectTypeOf<Feeds['subcommand']>().toEqualTypeOf<'list' | 'add' | 'remove' | 'pause' | 'resume' | 'import' | 'test'>();
    expectTypeOf<Extract<Feeds, { subcommand: 'import' }>>().toEqualTypeOf<{ subcommand: 'import'; file: string }>();
  });

  it('reads what Discord sent against the definition', () => {
    const sent: CommandInteractionOption[] = [{ name: 'url', type: STRING, value: 'https://example.com/a' }, { name: 'public', type: BOOLEAN, value: true }];
    expect(readArgs(summaryDefinition, sent)).toEqual({ url: 'https://example.com/a', public: true });
    const add: CommandInteractionOption[] = [
      { name: 'add', type: SUBCOMMAND, options: [{ name: 'url', type: STRING, value: 'https://example.com/rss' }, { name: 'channel', type: CHANNEL, value: '888888888888888888' }] },
    ];
    expect(readArgs(feedsDefinition, add)).toEqual({ subcommand: 'add', url: 'https://example.com/rss', channel: '888888888888888888' });
  });

  it('refuses options that an older registration would send: missing, mistyped, out of range', () => {
    expect(() => readArgs(summaryDefinition, [])).toThrow(CommandError);
    expect(() => readArgs(summaryDefinition, [{ name: 'url', type: INTEGER, value: 3 }])).toThrow(/unexpected `url`/);
    expect(() => readArgs(headlinesDefinition, [{ name: 'count', type: INTEGER, value: 11 }])).toThrow(/unexpected `count`/);
    expect(() => readArgs(feedsDefinition, [{ name: 'rename', type: SUBCOMMAND, options: [] }])).toThrow(/unexpected `rename`/);
  });
});

describe('answers fitted to Discord limits', () => {
  it('cuts between whole graphemes and ends with an ellipsis', () => {
    expect(cutMarkdown('short', 10)).toBe('short');
    expect(cutMarkdown('abcdefghij', 5)).toBe('abcd…');
    const family = '👨‍👩‍👧‍👦'; // 11 UTF-16 code units, one grapheme
    expect(cutMarkdown(`ab${family}cd`, 12)).toBe('ab…');
    expect(cutMarkdown(`ab${family}cd`, 14)).toBe(`ab${family}…`);
    expect(cutMarkdown('e\u0301'.repeat(10), 6)).toBe('e\u0301'.repeat(2) + '…');
    // A markdown escape cut from what it escapes would escape the ellipsis instead.
    expect(cutText('\\*\\*\\*', 4)).toBe('\\*\\…');
    expect(cutMarkdown('\\*\\*\\*', 4)).toBe('\\*…');
  });

  it('fits content, every embed part and the 6,000 total, keeping the start', () => {
    const long = (n: number) => 'x'.repeat(n);
    const fitted = fitMessage({
      content: long(2500),
      embeds: Array.from({ length: 12 }, () => ({ title: long(300), description: long(5000), url: `https://example.com/${long(3000)}`, footer: { text: long(2100) }, fields: Array.from({ length: 30 }, () => ({ name: long(300), value: long(2000) })) })),
    });
    expect(limitViolations(fitted)).toEqual([]);
    expect(fitted.content).toBe(`${long(DISCORD_LIMITS.content - 1)}…`);
    expect(fitted.embeds![0]!.title).toBe(`${long(255)}…`);
    expect(fitted.embeds![0]!.url).toBeUndefined();
    expect(fitMessage({ content: 'fine', embeds: [{ title: 'ok', description: 'short' }] })).toEqual({ content: 'fine', embeds: [{ title: 'ok', description: 'short' }] });
  });

  it('shrinks the last parts first when the embeds together exceed 6,000', () => {
    const fitted = fitMessage({ embeds: [{ title: 'first', description: 'd'.repeat(4000) }, { title: 'second', description: 'e'.repeat(4000) }] });
    expect(limitViolations(fitted)).toEqual([]);
    expect(fitted.embeds![0]!.description).toBe('d'.repeat(4000));
    expect(fitted.embeds![1]!.description!.endsWith('e…')).toBe(true);
  });

  it('echoes a long URL as a shortened code span, a short one as a link', () => {
    expect(echoUrl('https://example.com/a')).toBe('<https://example.com/a>');
    const shown = echoUrl(`https://example.com/${'%E6%96%B0'.repeat(2000)}`);
    expect(shown.length).toBeLessThanOrEqual(202);
    expect(shown).toMatch(/^`https:\/\/example\.com\/%E6.*…`$/);
  });
});

describe('/headlines with long article URLs', () => {
  it('lists whole stories only, as many as fit in a description, and says how many', () => {
    const articles = Array.from({ length: 10 }, (_, i) => ({
      id: `a${i}`, feedId: 'city', url: `https://news.example/${i}/${'long-slug-'.repeat(60)}`, title: `Story ${i}`, summary: '', author: null, siteName: null, imageUrl: null, publishedAt: null, firstSeenAt: 1_700_000_000_000,
    }));
    const list = renderArticleList(articles, new Map([['city', 'City']]));
    expect(list.text.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(list.shown).toBe(6);
    expect(list.text.split('\n\n')).toHaveLength(6);
    expect(list.text.endsWith('<t:1700000000:R>')).toBe(true);
  });
});

const feed = (id: string, source: 'config' | 'discord', channelId: string | null): ListedFeed => ({ id, url: 'x', everyMs: 1, minEveryMs: 1, maxEveryMs: 1, backfill: 0, name: id, siteName: null, color: 0, priority: 0, category: null, privateNetwork: false, source, paused: false, channelId });

describe('the per-guild cap', () => {
  it("counts the Discord feeds whose channel is in the guild, or all of them when the guild's channels are not known", () => {
    const feeds = [feed('a', 'discord', '1'), feed('b', 'discord', '2'), feed('c', 'config', null), feed('d', 'discord', '3')];
    expect(feedsInGuild(feeds, new Set(['1', '3', '9']))).toBe(2);
    expect(feedsInGuild(feeds, null)).toBe(3);
  });
});

describe('feed autocompletion', () => {
  it('offers matching feeds, names cut to 100 characters between whole graphemes', () => {
    const named = { ...feed('world', 'discord', '1'), name: `${'W'.repeat(99)}🌍 world news` };
    const choices = feedChoices([feed('city', 'config', null), named], 'w', false);
    expect(choices).toHaveLength(1);
    expect(choices[0]!.value).toBe('world');
    expect(choices[0]!.name.length).toBeLessThanOrEqual(100);
    expect(choices[0]!.name).toBe(`${'W'.repeat(99)}…`);
    expect(feedChoices([feed('city', 'config', null), named], '', true).map((c) => c.value)).toEqual(['world']);
  });
});
