import { Gauge } from 'prom-client';
import { z } from 'zod';
import type { TargetKind } from '../../deliveries/kind.js';
import type { KeyValues, Leases } from '../../store/store.js';
import type { MemberAlerts } from '../../store/member-alerts.js';
import type { TargetDeps } from '../deps.js';
import { DISCORD_ENV, readDiscordEnv } from './env.js';
import { discordEntrySchema } from './destination.js';
import { discordSettings, discordSettingsSchema } from './settings.js';
import { locationOf } from './forum.js';
import { alertMember } from './alerts.js';

const channelId = z.string().regex(/^\d{17,20}$/, 'expected a Discord channel id (17–20 digits, quoted in YAML)');

/**
 * Discord channels: `{ discord: "<channel id>" }` in a route's `to:` list, or the shorthand
 * `discord: ["<channel id>", …]`. Posts over REST with a nonce (idempotent; a forum post, which has
 * no nonce, is looked for before it is made again), edits messages when the publisher edits, and answers slash commands from the one process that holds the gateway.
 * discord.js is loaded only when Discord is configured or printed.
 */
export const discordKind: TargetKind<Omit<TargetDeps, 'store'> & { store: KeyValues & Leases & MemberAlerts }> = {
  name: 'discord',
  entry: discordEntrySchema,
  shorthand: {
    keys: { discord: z.array(channelId).default([]) },
    destinations: (values) => (values.discord as string[]).map((address) => ({ address, template: null })),
  },
  settings: discordSettingsSchema,
  env: DISCORD_ENV,
  fromEnv(environment) {
    const bot = readDiscordEnv(environment);
    if (!bot) return null;
    return {
      async create(deps) {
        const { createDiscord } = await import('./client.js');
        const { memberAlerts } = await import('./alerts.js');
        const { GUILD_LOOKUP_RETRY_MS } = await import('./dm.js');
        const log = deps.log.child({ component: 'discord' });
        const settings = () => discordSettings(deps.config()).alerts;
        const discord = createDiscord({ ...bot, store: deps.store, httpFor: deps.httpFor, log, commands: deps.commands, commandCounter: deps.commandCounter, alerts: { store: deps.store, settings } });
        const alerts = memberAlerts({ store: deps.store, guildOf: discord.guildOf, confirmRetryMs: GUILD_LOOKUP_RETRY_MS, settings, log: log.child({ component: 'alerts' }) });
        new Gauge({
          name: 'herald_discord_gateway_up',
          help: '1 while this process holds a connected Discord gateway (slash commands), else 0',
          registers: [deps.metrics],
          collect() {
            this.set(discord.gatewayUp() ? 1 : 0);
          },
        });
        return { target: discord.target, start: discord.start, ready: discord.ready, close: discord.close, policy: alerts.policy, moreDeliveries: alerts.deliveriesFor };
      },
      // A message link needs the guild, known here only when DISCORD_GUILD_ID is set; a forum post's message is in its thread; an alert DM has none.
      messageUrl: (address, remoteId) => {
        const { channelId, messageId } = locationOf(address, remoteId);
        return bot.guildId && alertMember(address) === null ? `https://discord.com/channels/${bot.guildId}/${channelId}/${messageId}` : null;
      },
    };
  },
  idempotent: true,
  canEdit: true,
  sampleAddress: '000000000000000000',
  demo: { entry: '123456789012345678' },
  setup: 'set DISCORD_TOKEN',
  // A member's alert DM is not named: /why and /status must not tell others who has which alert.
  describe: (address) => (alertMember(address) === null ? `<#${address}>` : "a member's alert DM"),
  title: 'Discord',
  printer(print) {
    return {
      kind: 'discord',
      async send(article, context) {
        const { renderDiscordMessage, renderOptionsOf } = await import('./render.js');
        const payload = renderDiscordMessage(article, renderOptionsOf(context));
        const { pacing } = context.options;
        const pace = pacing ? ` (${(await import('../../deliveries/pace.js')).describePacing(pacing)})` : '';
        print(`── would post to Discord channel ${context.address}${pace} ──\n${JSON.stringify(payload, null, 2)}\n`);
        return { remoteId: null };
      },
      async sendDigest(digest, part, context) {
        const { renderDigestMessages, renderOptionsOf } = await import('./render.js');
        const messages = renderDigestMessages(digest, renderOptionsOf(context));
        print(`── would post a digest to Discord channel ${context.address} (message ${part + 1} of ${messages.length}) ──\n${JSON.stringify(messages[part], null, 2)}\n`);
        return { remoteId: null, parts: messages.length };
      },
    };
  },
  async preview(article, options) {
    const { renderDiscordMessage, renderOptionsOf } = await import('./render.js');
    const message = renderDiscordMessage(article, renderOptionsOf({ address: '0', unknownOutcome: false, options }));
    // A route's template may have no embed: its content shows as the card's text.
    const embed = message.embeds[0] ?? { color: options.style.color, title: article.title, url: article.url, description: message.content };
    // Discord shows an escaped character without its backslash.
    const shown = (text: string | undefined) => (text === undefined ? null : text.replace(/\\(.)/gsu, '$1'));
    return {
      look: 'card',
      author: embed.author?.name ?? null,
      title: shown(embed.title) ?? article.title,
      url: embed.url ?? article.url,
      description: shown(embed.description),
      footer: embed.footer?.text ?? null,
      color: embed.color,
      imageUrl: embed.image?.url ?? null,
      timestamp: embed.timestamp ?? null,
    };
  },
};
