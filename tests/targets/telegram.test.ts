import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError, type SendContext } from '../../src/deliveries/target.js';
import { createLogger } from '../../src/ops/logger.js';
import type { Article } from '../../src/articles/article.js';
import { telegramKind, telegramMessageUrl } from '../../src/targets/telegram/kind.js';
import { createTelegramTarget } from '../../src/targets/telegram/publisher.js';
import { escapeHtml, renderTelegramMessage } from '../../src/targets/telegram/render.js';
import { FakeTelegram, parseTelegramHtml } from '../fakes/telegram.js';
import { readTelegramEnv } from '../../src/targets/telegram/env.js';
import { article as baseArticle } from '../builders.js';
import { isWellFormed } from '../unicode.js';

const TOKEN = '123456789:AAH-telegram-test-token_abcdefghijkl';
const CHANNEL = '@herald_news';
const GROUP = '-1001234567890';

/** This file's article: the shared builder with a newsroom's URL, title and summary. */
const article = (overrides: Partial<Article> = {}): Article =>
  baseArticle({
    id: 'feed:item-1',
    feedId: 'feed',
    url: 'https://www.riverside-courier.com/buses?a=1&b="2"',
    title: 'Council <approves> night buses & trams',
    summary: 'The council voted on Monday. Buses start in March. Riders welcomed the news.',
    author: null,
    siteName: 'Riverside Courier',
    imageUrl: null,
    publishedAt: Date.UTC(2026, 10, 30),
    firstSeenAt: Date.UTC(2026, 10, 30),
    ...overrides,
  });

const context = (address: string, unknownOutcome = false): SendContext => ({ address, unknownOutcome, options: { template: null, style: { name: 'Feed', color: 0 }, priority: 0 } });
const visible = (html: string) => {
  const parsed = parseTelegramHtml(html);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.text;
};

describe('Telegram message HTML', () => {
  it('escapes everything from the feed, and reads as the feed wrote it', () => {
    const { html, previewUrl } = renderTelegramMessage(article({ summary: 'Costs < 5 € & rising; see <b>this</b> "quote" &amp; more.' }));
    expect(html).toBe(
      '<b><a href="https://www.riverside-courier.com/buses?a=1&amp;b=&quot;2&quot;">Council &lt;approves&gt; night buses &amp; trams</a></b>\n\nCosts &lt; 5 € &amp; rising; see &lt;b&gt;this&lt;/b&gt; &quot;quote&quot; &amp;amp; more.',
    );
    expect(visible(html)).toBe('Council <approves> night buses & trams\n\nCosts < 5 € & rising; see <b>this</b> "quote" &amp; more.');
    expect(previewUrl).toBe(article().url);
    expect(escapeHtml('a&<>"b')).toBe('a&amp;&lt;&gt;&quot;b');
  });

  it('never links an account the feed names: @username in the title or summary is broken, e-mail addresses and URLs stay', () => {
    const { html, text } = renderTelegramMessage(article({ title: '@durov joins @telegram', summary: 'Write to news@courier.example or see https://t.me/@x. Ask @admin_bot.' }));
    // Telegram links "@username" by itself (a mention entity); a zero-width space after the sign stops it.
    expect(text).not.toMatch(/(^|\s)@[A-Za-z0-9_]/);
    expect(text).toBe('@\u200Bdurov joins @\u200Btelegram\n\nWrite to news@courier.example or see https://t.me/@x. Ask @\u200Badmin_bot.');
    expect(html).toContain('@\u200Bdurov joins @\u200Btelegram</a>');
  });

  it('fits 4,096 characters after entities parsing, with CJK, emoji and markup-heavy text, cut between graphemes', () => {
    const cases = [
      article({ summary: '東京で新しい路線が開業した。'.repeat(600) }),
      article({ summary: '👩‍👩‍👧‍👦🇺🇦👍🏽 '.repeat(1500) }),
      article({ summary: '<&> '.repeat(3000), title: '&'.repeat(5000) }),
      article({ url: `https://www.courier.co.uk/${'long-path/'.repeat(400)}`, summary: 'Word '.repeat(2000) }),
    ];
    for (const item of cases) {
      const { html } = renderTelegramMessage(item);
      const text = visible(html);
      expect(text.length).toBeLessThanOrEqual(4096);
      expect(text.length).toBeGreaterThan(3000);
      expect(isWellFormed(text)).toBe(true);
      expect(text.replace(/👩‍👩‍👧‍👦|🇺🇦|👍🏽/gu, '')).not.toMatch(/\p{Regional_Indicator}|\p{Emoji_Modifier}|\u200D/u);
    }
  });
});

describe('Telegram on the dashboard', () => {
  it('previews the message as Telegram shows it (the HTML without tags and escapes)', async () => {
    for (const summary of ['', 'Fares & <routes> "unchanged". '.repeat(300)]) {
      const message = renderTelegramMessage(article({ summary }));
      expect(message.text).toBe(visible(message.html));
    }
    const shown = await telegramKind.preview!(article(), context(CHANNEL).options, {} as never);
    expect(shown).toEqual({ look: 'text', text: 'Council <approves> night buses & trams\n\nThe council voted on Monday. Buses start in March. Riders welcomed the news.', replies: [] });
  });

  it('links a posted message in a public channel or a supergroup; a basic group or a user has no link', () => {
    expect(telegramMessageUrl(CHANNEL, '42')).toBe('https://t.me/herald_news/42');
    expect(telegramMessageUrl(GROUP, '42')).toBe('https://t.me/c/1234567890/42');
    expect(telegramMessageUrl('-123456', '42')).toBeNull();
    expect(telegramMessageUrl('123456', '42')).toBeNull();
    expect(telegramKind.fromEnv({ TELEGRAM_BOT_TOKEN: TOKEN })!.messageUrl).toBe(telegramMessageUrl);
  });
});

describe('Telegram environment', () => {
  it('reads TELEGRAM_BOT_TOKEN and the Bot API address', () => {
    expect(readTelegramEnv({})).toBeNull();
    expect(readTelegramEnv({ TELEGRAM_BOT_TOKEN: TOKEN })).toEqual({ token: TOKEN, apiRoot: 'https://api.telegram.org' });
    expect(readTelegramEnv({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_URL: 'http://127.0.0.1:8081/' })).toEqual({ token: TOKEN, apiRoot: 'http://127.0.0.1:8081' });
    expect(() => readTelegramEnv({ TELEGRAM_BOT_TOKEN: 'not-a-token' })).toThrow(/TELEGRAM_BOT_TOKEN: expected the token @BotFather gives/);
  });
});

describe('Telegram target against a fake Bot API (grammY)', () => {
  let telegram: FakeTelegram;
  const log = createLogger({ level: 'silent', secrets: [], stream: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  const target = (token = TOKEN) => createTelegramTarget({ token, apiRoot: telegram.apiRoot, log });

  beforeEach(async () => {
    telegram = new FakeTelegram(TOKEN, [CHANNEL, GROUP]);
    await telegram.start();
  });
  afterEach(async () => {
    await telegram.stop();
  });

  it('sends to a channel and a group with the article as the link preview', async () => {
    const { remoteId } = await target().send(article(), context(CHANNEL));
    await target().send(article({ id: 'feed:item-2', title: 'Second' }), context(GROUP));
    expect(telegram.refused).toEqual([]);
    expect(telegram.messagesIn(CHANNEL)).toEqual([expect.objectContaining({ text: `Council <approves> night buses & trams\n\n${article().summary}`, previewUrl: article().url })]);
    expect(remoteId).toBe(String(telegram.messagesIn(CHANNEL)[0]!.messageId));
    expect(telegram.messagesIn(GROUP)).toHaveLength(1);
  });

  it('a long CJK summary goes out within the limit', async () => {
    await target().send(article({ summary: '東京で新しい路線が開業した。'.repeat(600) }), context(CHANNEL));
    expect(telegram.refused).toEqual([]);
    expect(telegram.messages[0]!.text.length).toBeLessThanOrEqual(4096);
  });

  it('edits the message when the publisher edits; an unchanged edit is no error', async () => {
    const posted = target();
    const { remoteId } = await posted.send(article(), context(CHANNEL));
    await posted.edit!(article({ title: 'Council approves night buses for all districts' }), { ...context(CHANNEL), remoteId: remoteId! });
    expect(telegram.messages[0]!.text).toMatch(/^Council approves night buses for all districts\n\n/);
    await posted.edit!(article({ title: 'Council approves night buses for all districts' }), { ...context(CHANNEL), remoteId: remoteId! });
    expect(telegram.messages[0]!.history).toHaveLength(1);
    expect(telegram.messages).toHaveLength(1);
  });

  it('a 429 waits retry_after seconds', async () => {
    telegram.injected.push({ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } } });
    const before = Date.now();
    const error = (await target().send(article(), context(CHANNEL)).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.kind).toBe('retry');
    expect(error.retryAt! - before).toBeGreaterThanOrEqual(7000);
    expect(error.retryAt! - Date.now()).toBeLessThanOrEqual(7000);
    expect(telegram.messages).toEqual([]);
  });

  it('a lost answer is an unknown outcome (no idempotency key: the outbox resends at most once)', async () => {
    telegram.injected.push({ drop: true });
    const error = (await target().send(article(), context(CHANNEL)).catch((e: unknown) => e)) as DeliveryError;
    expect(error.kind).toBe('unknown');
    expect(telegram.messages).toHaveLength(1);
  });

  it('an unknown chat is a permanent failure; a refused token holds messages with one clear error', async () => {
    const unknown = (await target().send(article(), context('@not_a_member')).catch((e: unknown) => e)) as DeliveryError;
    expect(unknown.kind).toBe('permanent');
    expect(unknown.message).toContain('chat not found');
    const refused = target('987654321:AAH-revoked-token-abcdefghijklmnop');
    const error = (await refused.send(article(), context(CHANNEL)).catch((e: unknown) => e)) as DeliveryError;
    expect(error.kind).toBe('held');
    expect(error.message).toContain('TELEGRAM_BOT_TOKEN');
    expect(await refused.ready!()).toMatchObject({ kind: 'wait', reason: error.message });
  });
});
