import { DiscordAPIError, Routes, type REST } from 'discord.js';
import type { Logger } from 'pino';
import type { Article } from '../../articles/article.js';
import { DeliveryError, type SendContext } from '../../deliveries/target.js';
import type { MemberAlerts } from '../../store/member-alerts.js';
import { alertLine, readAlertOptions, recentAlertDms } from './alerts.js';
import { renderDiscordMessage, renderOptionsOf } from './render.js';
import type { AlertSettings } from './settings.js';

/** Discord's answer to a DM the member does not accept (DMs closed, the bot blocked, no shared guild): "Cannot send messages to this user". */
const DMS_CLOSED = 50007;
/** How long a channel with no guild (Discord said so) is left before asking Discord again, in ms. */
const NO_GUILD_RETRY_MS = 60_000;
/** How long after a failed guild lookup (Discord unreachable, refusing, a 5xx) Discord is asked again, in ms. */
export const GUILD_LOOKUP_RETRY_MS = 5_000;

interface DmDeps {
  rest: REST;
  log: Logger;
  /** The outbox's view of a failed request (client.ts: a refused token or unreachable Discord pauses posting). */
  failure(error: unknown): DeliveryError;
  alerts: { store: MemberAlerts; settings(): AlertSettings };
  /** True while posting to Discord is paused (a refused token, Discord unreachable). */
  paused(): boolean;
}

/**
 * Members' alert DMs over Discord's REST API (discord/alerts.ts decides who gets one): send and edit
 * a DM, and the guild of a channel (which guild's members an article reaches).
 */
export function createDms({ rest, log, failure, alerts, paused }: DmDeps) {
  /** DM channels by member id: Discord answers POST /users/@me/channels with the same channel every time. */
  const dmChannels = new Map<string, string>();
  async function dmChannel(member: string): Promise<string> {
    const known = dmChannels.get(member);
    if (known) return known;
    const channel = (await rest.post(Routes.userChannels(), { body: { recipient_id: member } })) as { id: string };
    dmChannels.set(member, channel.id);
    return channel.id;
  }

  /** Guilds by channel id as Discord answered, with when to ask again (never for a guild: a channel never moves). */
  const guilds = new Map<string, { guild: string | null; retryAt: number }>();
  /** Channels whose guild lookup failed: the reason, and when to ask again (epoch ms). */
  const failed = new Map<string, { reason: string; retryAt: number }>();

  return {
    /**
     * An alert DM: the article's default message under a line naming the alert, in the member's DM
     * channel (opened with POST /users/@me/channels). When the member does not accept it (50007),
     * every alert of theirs is paused, so nothing more is queued for them, and the delivery fails for
     * good (DeliveryError 'permanent'); /alerts list says so and /alerts resume undoes it.
     */
    async send(article: Article, context: SendContext, member: string): Promise<{ remoteId: string | null }> {
      const alert = readAlertOptions(context.options.kindOptions);
      const message = renderDiscordMessage(article, renderOptionsOf(context));
      const { dmsPerHour } = alerts.settings();
      // This DM is counted among those sent: it is the hour's last when the attempts reach the limit.
      const { sent, failed } = await recentAlertDms(alerts.store, member, Date.now());
      const line = alert ? alertLine(alert, sent + failed >= dmsPerHour ? { dmsPerHour } : null) : null;
      const body = { ...message, ...(line ? { content: line } : {}) };
      try {
        const posted = (await rest.post(Routes.channelMessages(await dmChannel(member)), { body })) as { id?: string };
        return { remoteId: posted?.id ?? null };
      } catch (error) {
        if (error instanceof DiscordAPIError && Number(error.code) === DMS_CLOSED) {
          const count = await alerts.store.setAlertsPaused(member, Date.now());
          log.info({ target: 'discord', member, paused: count }, "a member's DMs are closed; their alerts are paused");
          throw new DeliveryError(`Discord ${error.status} ${error.code}: the member does not accept DMs; their alerts are paused`, 'permanent');
        }
        throw failure(error);
      }
    },
    /** Updates an alert DM to the article as it is now; its first line (the alert) stays. Throws DeliveryError. */
    async edit(article: Article, context: SendContext & { remoteId: string }, member: string): Promise<void> {
      const { embeds, allowed_mentions } = renderDiscordMessage(article, renderOptionsOf(context));
      try {
        await rest.patch(Routes.channelMessage(await dmChannel(member), context.remoteId), { body: { embeds, allowed_mentions } });
      } catch (error) {
        throw failure(error);
      }
    },
    /**
     * The guild a channel belongs to (GET /channels/{id}, remembered: a channel never moves), or null
     * when Discord answers that it has none or refuses to say (a DM, an unknown channel, no access;
     * asked again after a minute). Throws when Discord cannot be asked (posting paused, a refused
     * token, unreachable, a 5xx, a rate limit): then Discord is asked
     * again at the first call 5 s later (GUILD_LOOKUP_RETRY_MS), earlier calls throw the same reason.
     */
    async guildOf(channelId: string): Promise<string | null> {
      const known = guilds.get(channelId);
      if (known && (known.guild !== null || Date.now() < known.retryAt)) return known.guild;
      const failing = failed.get(channelId);
      if (failing && Date.now() < failing.retryAt) throw new Error(failing.reason);
      const fail = (reason: string): never => {
        if (!failing) log.warn({ target: 'discord', channel: channelId, reason }, 'could not read the guild of a channel; alerts matching its articles wait until Discord answers');
        failed.set(channelId, { reason, retryAt: Date.now() + GUILD_LOOKUP_RETRY_MS });
        throw new Error(reason);
      };
      if (paused()) return fail('posting to Discord is paused');
      let channel: { guild_id?: string };
      try {
        channel = (await rest.get(Routes.channel(channelId))) as { guild_id?: string };
      } catch (error) {
        // A refusal about the channel (404 Unknown Channel, 403 Missing Access) is Discord's answer: no guild to go by.
        if (error instanceof DiscordAPIError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 429) channel = {};
        else return fail((error as Error).message);
      }
      failed.delete(channelId);
      const guild = channel.guild_id ?? null;
      guilds.set(channelId, { guild, retryAt: guild ? Number.POSITIVE_INFINITY : Date.now() + NO_GUILD_RETRY_MS });
      return guild;
    },
  };
}
