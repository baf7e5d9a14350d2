import twitterText from 'twitter-text';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/articles/article.js';
import { DISCORD_LIMITS } from '../../src/targets/discord/fit.js';
import { discordEntrySchema, readDiscordDestination } from '../../src/targets/discord/destination.js';
import { alertLine } from '../../src/targets/discord/alerts.js';
import { approvalPreview } from '../../src/targets/discord/approval.js';
import { discordNonce, renderDigestMessages, renderDiscordMessage, renderWebhookMessage } from '../../src/targets/discord/render.js';
import { threadName } from '../../src/targets/discord/threads.js';
import { renderXPost } from '../../src/targets/x/render.js';
import { article } from '../builders.js';
import { graphemes, isWellFormed } from '../unicode.js';

/** The post for an article with the default template. */
const renderTweet = (story: Article) => renderXPost(story).text;

/** A full story to render: every field set, a long URL with a query. */
const SAMPLE: Partial<Article> = {
  id: 'abc123',
  feedId: 'news',
  url: 'https://news.example/2022/01/a-very-long-path/that-goes-on-and-on?id=12345',
  title: 'Council approves night buses',
  summary: 'The council voted on Monday. Buses start in March. Riders welcomed the news.',
  author: 'Dana Whitfield',
  siteName: 'Riverside Courier',
  imageUrl: 'https://news.example/bus.jpg',
  publishedAt: Date.UTC(2022, 0, 11, 8, 30),
  firstSeenAt: Date.UTC(2022, 0, 11, 8, 31),
};

describe('X posts with the default template', () => {
  const weight = (text: string) => twitterText.parseTweet(text).weightedLength;

  it('posts title, summary and link when they fit', () => {
    expect(renderTweet(article(SAMPLE))).toBe(
      'Council approves night buses\n\nThe council voted on Monday. Buses start in March. Riders welcomed the news.\n\nhttps://news.example/2022/01/a-very-long-path/that-goes-on-and-on?id=12345',
    );
  });

  it('trims the summary at a sentence, then a word, to 280 weighted characters (a URL counts 23)', () => {
    const long = article({ ...SAMPLE, summary: `${'Sentence number one is here. '.repeat(12)}` });
    const tweet = renderTweet(long);
    expect(weight(tweet)).toBeLessThanOrEqual(280);
    expect(tweet).toMatch(/here\.\n\nhttps:/);

    const oneSentence = article({ ...SAMPLE, summary: `${'word '.repeat(100)}end.` });
    const cut = renderTweet(oneSentence);
    expect(weight(cut)).toBeLessThanOrEqual(280);
    expect(cut).toMatch(/word…\n\nhttps:/);
  });

  it('weighs CJK and emoji double', () => {
    const cjk = article({ ...SAMPLE, title: '東京で大雨', summary: '東京都心で記録的な大雨が降りました。'.repeat(20) });
    const tweet = renderTweet(cjk);
    expect(weight(tweet)).toBeLessThanOrEqual(280);
    expect(weight(tweet)).toBeGreaterThan(200);
    const emoji = renderTweet(article({ ...SAMPLE, summary: '🎉 '.repeat(200) }));
    expect(weight(emoji)).toBeLessThanOrEqual(280);
  });

  it('shortens an overlong title and always keeps the link', () => {
    const tweet = renderTweet(article({ ...SAMPLE, title: 'Long title words '.repeat(40), summary: '' }));
    expect(weight(tweet)).toBeLessThanOrEqual(280);
    expect(tweet.endsWith(article(SAMPLE).url)).toBe(true);
  });
});

describe('renderDiscordMessage', () => {
  it('builds one embed linked to the article, with no pings allowed', () => {
    const message = renderDiscordMessage(article(SAMPLE), { channelId: '123456789012345678', feedName: 'News', color: 0x123456 });
    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(message.enforce_nonce).toBe(true);
    expect(message.nonce.length).toBeLessThanOrEqual(25);
    expect(message.embeds).toHaveLength(1);
    expect(message.embeds[0]).toMatchObject({
      title: 'Council approves night buses',
      url: article(SAMPLE).url,
      color: 0x123456,
      author: { name: 'Riverside Courier' },
      footer: { text: 'By Dana Whitfield' },
      image: { url: 'https://news.example/bus.jpg' },
      timestamp: '2022-01-11T08:30:00.000Z',
    });
  });

  it('escapes markdown and masked links in titles and summaries', () => {
    const message = renderDiscordMessage(article({ ...SAMPLE, title: '**Bold** [click](https://evil.example) @everyone', summary: '# Heading\n- item _x_' }), {
      channelId: '1',
      feedName: 'N',
      color: 0,
    });
    expect(message.embeds[0]!.title).toBe('\\*\\*Bold\\*\\* \\[click](https://evil.example) @\u200Beveryone');
    expect(message.embeds[0]!.description).toContain('\\# Heading');
    expect(message.embeds[0]!.description).toContain('\\_x\\_');
  });

  it('respects every embed length limit', () => {
    const message = renderDiscordMessage(article({ ...SAMPLE, title: 'T'.repeat(1000), summary: 'S '.repeat(5000), author: 'A'.repeat(3000), siteName: 'N'.repeat(500) }), {
      channelId: '1',
      feedName: 'N',
      color: 0,
    });
    const embed = message.embeds[0]!;
    expect(embed.title!.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect(embed.description!.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(embed.author!.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.authorName);
    const total = embed.title!.length + embed.description!.length + embed.author!.name.length + embed.footer!.text.length;
    expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
  });

  /** What Discord shows for an escaped text: a backslash before ASCII punctuation is dropped. */
  const shown = (text: string) => text.replace(/\\([!-/:-@[-`{-~])/g, '$1');

  it('neutralises every block a description or title line can start: quote, heading, subtext, list', () => {
    // Discord's block syntax: quote "> " / ">>> ", heading "# " to "### ", subtext "-# ", lists "- ", "* ", "1. ".
    const BLOCK = /^ *(>|#{1,3} |-# |[-*] |\d+\. )/m;
    for (const start of ['>', '> ', '>>> ', '# ', '## ', '### ', '-# ', '- ', '* ', '1. ', '12. ', '  > ']) {
      const text = `${start}Council approves night buses`;
      const embed = renderDiscordMessage(article({ ...SAMPLE, title: text, summary: `First line.\n${text}` }), { channelId: '1', feedName: 'N', color: 0 }).embeds[0]!;
      for (const escaped of [embed.title!, embed.description!]) {
        expect(escaped, JSON.stringify(start)).not.toMatch(BLOCK);
        expect(shown(escaped)).toBe(escaped === embed.title ? text : `First line.\n${text}`);
      }
    }
  });

  it('leaves author and footer unescaped: Discord renders no markdown there, so underscores stay readable', () => {
    const embed = renderDiscordMessage(article({ ...SAMPLE, siteName: 'the_daily_bugle', author: 'jane_doe *staff*' }), { channelId: '1', feedName: 'N', color: 0 }).embeds[0]!;
    expect(embed.author!.name).toBe('the_daily_bugle');
    expect(embed.footer!.text).toBe('By jane_doe *staff*');
  });

  it('cuts a title between whole graphemes, whatever straddles the 256 limit', () => {
    for (const cluster of ['🎉', '👍🏽', '👨‍👩‍👧‍👦', '🇺🇦', '1️⃣']) {
      for (let lead = 248; lead <= 256; lead++) {
        const title = `${'速'.repeat(lead)}${cluster.repeat(3)}${'続き'.repeat(20)}`;
        const cut = renderDiscordMessage(article({ ...SAMPLE, title }), { channelId: '1', feedName: 'N', color: 0 }).embeds[0]!.title!;
        expect(cut.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
        expect(isWellFormed(cut)).toBe(true);
        expect(cut.endsWith('…')).toBe(true);
        expect(graphemes(cut.slice(0, -1)).every((part) => part === '速' || part === cluster || part === '続' || part === 'き')).toBe(true);
      }
    }
  });

  it('cuts before escaping, so a cut title leaves no dangling backslash and stays within the limit once escaped', () => {
    const title = `${'*_'.repeat(200)}`;
    const cut = renderDiscordMessage(article({ ...SAMPLE, title, summary: `${'**bold** '.repeat(600)}` }), { channelId: '1', feedName: 'N', color: 0 }).embeds[0]!;
    expect(cut.title!.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect(cut.title).toMatch(/[^\\]…$/);
    expect(title.startsWith(shown(cut.title!).slice(0, -1))).toBe(true);
    expect(cut.description!.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(shown(cut.description!)).toMatch(/^(\*\*bold\*\* )+\*\*bold\*\*…$/);
  });

  it('derives a distinct nonce per channel and a stable one per (article, channel)', () => {
    expect(discordNonce('a', '1')).toBe(discordNonce('a', '1'));
    expect(discordNonce('a', '1')).not.toBe(discordNonce('a', '2'));
    expect(discordNonce('a', '1')).not.toBe(discordNonce('b', '1'));
  });
});

describe('Discord messages from a route template', () => {
  const entry = (written: object) => readDiscordDestination(discordEntrySchema.parse({ channel: '123456789012345678', ...written }).kindOptions);

  it('stay within Discord limits after substitution, cut between whole characters', () => {
    const long = article({ ...SAMPLE, title: '🚌 '.repeat(200), summary: 'Word and **bold** '.repeat(400), categories: Array.from({ length: 20 }, (_, i) => `Category ${i}`) });
    const message = renderDiscordMessage(long, {
      channelId: '1',
      feedName: 'N',
      color: 0,
      destination: entry({ message: { content: '{title} {summary} {summary}', embed: { title: '{title} {title}', description: '{summary}{summary}', fields: [{ name: '{title}', value: '{summary}' }] } }, mention: { roles: ['223456789012345678'] } }),
    });
    expect(message.content!.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
    expect(message.content).toMatch(/^<@&223456789012345678> 🚌/);
    const embed = message.embeds[0]!;
    expect(embed.title!.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect(embed.fields![0]!.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    const total = embed.title!.length + (embed.description?.length ?? 0) + embed.fields!.reduce((sum, f) => sum + f.name.length + f.value.length, 0) + (embed.author?.name.length ?? 0) + (embed.footer?.text.length ?? 0);
    expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    for (const text of [message.content!, embed.title!, embed.description ?? '', embed.fields![0]!.value]) expect(isWellFormed(text)).toBe(true);
  });

  it('escape what the article says, not what the route wrote', () => {
    const message = renderDiscordMessage(article({ ...SAMPLE, title: '**Win** @everyone' }), { channelId: '1', feedName: 'N', color: 0, destination: entry({ message: { content: '**New:** {title}', embed: false } }) });
    expect(message.content).toBe('**New:** \\*\\*Win\\*\\* @\u200Beveryone');
    expect(message.embeds).toEqual([]);
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });

  it('never carry a mention, role, channel or command pill from the feed, wherever its text goes: content, embeds, names, digests, approval previews', () => {
    const hostile = '@everyone breaking <@&399999999999999999> <@123456789012345678> <@!123456789012345678> <#411111111111111111> </alerts list:1234567890> <id:customize> @here';
    const pill = /@(everyone|here)|<[@#/]|<id:/i;
    const story = article({ ...SAMPLE, title: hostile, summary: hostile, author: hostile, siteName: hostile, categories: [hostile] });
    const templated = entry({ message: { content: '{title} {summary} {author} {categories} {feed} {site} {published}', embed: { title: '{title}', description: '{summary}', author: '{author}', footer: '{site}', fields: [{ name: '{title}', value: '{categories}' }] } }, mention: { roles: ['223456789012345678'] } });
    const options = { channelId: '1', feedName: hostile, color: 0 };
    const pinged = renderDiscordMessage(story, { ...options, destination: templated });
    const shown = [
      pinged,
      renderDiscordMessage(story, options),
      renderWebhookMessage(story, { ...options, destination: templated }, { username: '{title}' }),
      ...renderDigestMessages({ id: 1, cause: 'pace', articles: [story] }, options),
      approvalPreview(story, { expiresAt: 0, onExpiry: 'skip' }, ['discord:1']),
    ];
    const texts = [...shown.map((message) => JSON.stringify(message)), threadName(hostile), alertLine({ id: 1, words: ['<@&399999999999999999>', '@here'] }, null)];
    // The route's own ping stays, and the time the route wrote; nothing from the feed is a pill.
    expect(pinged.content).toMatch(/^<@&223456789012345678> @\u200Beveryone breaking <\u200B@&399999999999999999>/);
    expect(pinged.content).toContain(`<t:${Math.floor(SAMPLE.publishedAt! / 1000)}:R>`);
    for (const text of texts) expect(text.replace('<@&223456789012345678>', '')).not.toMatch(pill);
    expect(threadName(hostile)).toMatch(/^@\u200Beveryone breaking <\u200B@&399999999999999999> <\u200B@123456789012345678>/);
  });

  it('are refused at load with the key and what is wrong', () => {
    expect(() => discordEntrySchema.parse({ channel: '123456789012345678', message: { content: '{titel}' } })).toThrow(/unknown placeholder \{titel\}/);
    expect(() => discordEntrySchema.parse({ channel: '123456789012345678', message: { embed: false } })).toThrow(/a message without an embed needs content/);
    expect(() => discordEntrySchema.parse({ channel: '123456789012345678', mention: { roles: ['everyone'] } })).toThrow(/expected a Discord role id/);
  });
});
