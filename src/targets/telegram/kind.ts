import { z } from 'zod';
import type { TargetKind, TargetUsage } from '../../deliveries/kind.js';
import { freeUsage } from '../usage.js';
import type { UsageLedger } from '../../store/store.js';
import type { TargetDeps } from '../deps.js';
import { readTelegramEnv, TELEGRAM_ENV } from './env.js';

/** A chat the bot posts in: a numeric id (groups and channels: -100…) or a public channel's @username (5–32 characters). */
const chatId = z
  .string()
  .regex(/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/, 'expected a Telegram chat id such as "-1001234567890" or a channel such as "@herald_news" (quoted in YAML)');

/**
 * The web address of message `messageId` in `chat` (core.telegram.org/api/links#message-links):
 * t.me/<username>/<id> for a public channel or group, t.me/c/<id without -100>/<id> for a private
 * supergroup or channel (it opens for members); null for a basic group or a user, which have none.
 */
export function telegramMessageUrl(chat: string, messageId: string): string | null {
  if (chat.startsWith('@')) return `https://t.me/${chat.slice(1)}/${messageId}`;
  const supergroup = /^-100(\d+)$/.exec(chat);
  return supergroup ? `https://t.me/c/${supergroup[1]}/${messageId}` : null;
}

/** Telegram's limits on a bot (core.telegram.org/bots/faq, "My bot is hitting limits"): flood limits, no daily cap. */
const TELEGRAM_LIMITS: Pick<TargetUsage, 'postsLeft' | 'notes'> = {
  postsLeft: { day: null, month: null },
  notes: ['Telegram has no daily cap on a bot’s messages; it allows about 20 messages a minute in one group and 30 a second in all, and answers more with 429 and a time to wait, which Herald waits out.'],
};

/**
 * Telegram chats and channels: `{ telegram: "<chat id or @channel>" }` in a route's `to:` list; the
 * bot from the environment must be a member (an admin of a channel). The Bot API has no idempotency
 * key: after an unknown outcome the outbox resends at most once. Messages follow the publisher's edits.
 * grammY is loaded only when Telegram is configured.
 */
export const telegramKind: TargetKind<Pick<TargetDeps, 'log'> & { store: Pick<UsageLedger, 'sentSince'> }> = {
  name: 'telegram',
  entry: chatId.transform((address) => ({ address, template: null })),
  shorthand: { keys: {}, destinations: () => [] },
  env: TELEGRAM_ENV,
  fromEnv(environment) {
    const bot = readTelegramEnv(environment);
    if (!bot) return null;
    return {
      async create(deps) {
        const { createTelegramTarget } = await import('./publisher.js');
        return { target: createTelegramTarget({ ...bot, log: deps.log.child({ component: 'telegram' }) }), usage: (now) => freeUsage(deps.store, 'telegram', now, () => TELEGRAM_LIMITS) };
      },
      messageUrl: telegramMessageUrl,
    };
  },
  idempotent: false,
  canEdit: true,
  sampleAddress: '@herald_news',
  demo: { entry: '@herald_demo' },
  setup: 'set TELEGRAM_BOT_TOKEN',
  title: 'Telegram',
  describe: (address) => `Telegram ${address}`,
  printer(print) {
    return {
      kind: 'telegram',
      async send(article, context) {
        const { renderTelegramMessage } = await import('./render.js');
        const { html, previewUrl } = renderTelegramMessage(article);
        print(`── would post to Telegram ${context.address} (HTML, link preview ${previewUrl}) ──\n${html}\n`);
        return { remoteId: null };
      },
    };
  },
  async preview(article) {
    const { renderTelegramMessage } = await import('./render.js');
    return { look: 'text', text: renderTelegramMessage(article).text, replies: [] };
  },
};
