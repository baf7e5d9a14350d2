import type { TargetKind } from '../../deliveries/kind.js';
import type { TargetDeps } from '../deps.js';
import { discordKind } from '../discord/kind.js';
import { readWebhookDestination, webhookEntrySchema } from './destination.js';
import { discordApiUrl, parseWebhookUrl, unsealWebhook, webhookFromEnv } from './env.js';
import { secretKeyOf } from '../../config/env.js';

/**
 * Discord webhooks: `{ discord_webhook: { url_env: "NEWS_WEBHOOK", username: "{feed}", avatar,
 * message, mention } }` in a route's `to:` list. The URL is a secret: the route names the variable
 * that holds it, checked at load; a delivery's target key holds only the webhook id. Needs no bot
 * (no DISCORD_TOKEN): the kind is configured when a variable holds a Discord webhook URL (the ones
 * routes name are checked at load), or when HERALD_SECRET_KEY is set (webhooks added with /feeds add,
 * their URL sealed in the database). Posts under a per-feed name and avatar and follows the
 * publisher's edits; no nonce, so after an unknown outcome the outbox resends at most once.
 * discord.js is loaded only when the kind is configured.
 */
export const discordWebhookKind: TargetKind<Pick<TargetDeps, 'log'>> = {
  name: 'discord_webhook',
  entry: webhookEntrySchema,
  shorthand: { keys: {}, destinations: () => [] },
  resolve(destination, environment) {
    const variable = readWebhookDestination(destination.kindOptions)?.url_env ?? '';
    const webhook = webhookFromEnv(environment, variable, discordApiUrl(environment));
    return typeof webhook === 'string' ? `url_env: ${webhook}` : { ...destination, address: webhook.id };
  },
  // Its own variables are those its routes name (url_env); it reads DISCORD_API_URL too, which the Discord kind lists.
  env: [],
  fromEnv(environment) {
    const apiUrl = discordApiUrl(environment);
    const key = secretKeyOf(environment);
    if (!key && !Object.values(environment).some((value) => value !== undefined && parseWebhookUrl(value, apiUrl))) return null;
    return {
      async create(deps) {
        const { createWebhookTarget } = await import('./publisher.js');
        const target = createWebhookTarget({ apiUrl, credentials: (name) => webhookFromEnv(environment, name, apiUrl), unsealed: (sealed) => unsealWebhook(sealed, key, apiUrl), log: deps.log.child({ component: 'discord_webhook' }) });
        return { target };
      },
    };
  },
  idempotent: false,
  canEdit: true,
  sampleAddress: '000000000000000000',
  demo: {
    entry: { url_env: 'DEMO_WEBHOOK', username: '{feed}' },
    environment: { DEMO_WEBHOOK: `https://discord.com/api/webhooks/123456789012345678/${'demo'.repeat(17)}` },
  },
  setup: 'put a Discord webhook URL in a variable that the route names (url_env)',
  describe: (address) => `Discord webhook ${address}`,
  title: 'Discord webhook',
  // The dashboard shows the message as for a channel: the same template and embed.
  preview: (article, options, config) => discordKind.preview!(article, options, config),
  printer(print) {
    return {
      kind: 'discord_webhook',
      async send(article, context) {
        const { renderOptionsOf, renderWebhookMessage } = await import('../discord/render.js');
        const destination = readWebhookDestination(context.options.kindOptions);
        const payload = renderWebhookMessage(article, renderOptionsOf(context), { username: destination?.username, avatar: destination?.avatar });
        print(`── would post to Discord webhook ${context.address}${destination?.url_env ? ` (${destination.url_env})` : ''} ──\n${JSON.stringify(payload, null, 2)}\n`);
        return { remoteId: null };
      },
    };
  },
};
