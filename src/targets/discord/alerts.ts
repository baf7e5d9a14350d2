import type { Logger } from 'pino';
import { z } from 'zod';
import type { Article } from '../../articles/article.js';
import { conditionSchema, matches, type Condition, type FilterFacts } from '../../config/filter.js';
import type { DeliveryPolicy, QueuedDelivery, Verdict } from '../../deliveries/policy.js';
import { splitTargetKey, targetKey } from '../../deliveries/target.js';
import type { AlertDmCounts, MemberAlert, MemberAlerts } from '../../store/member-alerts.js';
import type { NewDelivery } from '../../store/store.js';
import { escapeDiscord } from './render.js';
import type { AlertSettings } from './settings.js';

/**
 * Per-member alerts (/alerts, issue 13): a member of a guild names words, and gets a DM when a new
 * article routed to a channel of that guild matches them. A DM is a delivery like any other, to the
 * target `discord:@<member id>`, so the outbox sends it exactly once per (member, article) and
 * retries it as it retries posts.
 */

/** A DM's address starts with this, then the member's id (a channel id never does). */
const DM_MARK = '@';
/** How a dropped alert DM's reason starts (deliveries skipped by the hourly limit; counted by /alerts list). */
const DROPPED_REASON = 'alert DM limit';
/** How the reason of an alert DM skipped because its member's alerts are paused starts (counted by /alerts list). */
const PAUSED_REASON = "alert DM not sent: the member's alerts are paused";
/** The window of the per-member DM limit, in ms. */
const ALERT_WINDOW_MS = 3_600_000;
/** What an alert's words are looked for in: what the DM shows of the article. */
const ALERT_FIELDS = ['title', 'summary', 'categories'] as const;

/** The delivery target key of a member's alert DMs. */
function alertTarget(memberId: string): string {
  return targetKey('discord', `${DM_MARK}${memberId}`);
}

/** The member a Discord address is a DM to, or null for a channel. */
export function alertMember(address: string): string | null {
  return address.startsWith(DM_MARK) ? address.slice(DM_MARK.length) : null;
}

/**
 * What a member's alert DMs did in the hour (ALERT_WINDOW_MS, 1 h) before `now` (ms since the
 * epoch): sent or being sent, failed (Discord refused them), dropped by the hourly limit, and not
 * sent because their alerts were paused.
 */
export function recentAlertDms(store: MemberAlerts, memberId: string, now: number): Promise<AlertDmCounts> {
  return store.alertDms(alertTarget(memberId), now - ALERT_WINDOW_MS, { dropped: DROPPED_REASON, paused: PAUSED_REASON });
}

/**
 * The words a member typed for an alert: entries separated by commas, each a word or a phrase
 * (`heat pump, solar` alerts on the phrase "heat pump" or the word "solar"). Matched as route
 * filters match words (config/filter.ts): whole words, case- and accent-insensitive; never a
 * regular expression. Returns the entries, or a problem to tell the member (too long, empty, an
 * entry without letters or digits). `maxLength` is in characters, commas included.
 */
export function readAlertWords(typed: string, maxLength: number): { words: string[] } | { problem: string } {
  if (typed.length > maxLength) return { problem: `Alert words are at most ${maxLength} characters; that was ${typed.length}.` };
  const words = [...new Set(typed.split(',').map((entry) => entry.replace(/\s+/g, ' ').trim()).filter(Boolean))];
  if (words.length === 0) return { problem: 'Give at least one word or phrase, e.g. `heat pump, solar`.' };
  const parsed = conditionSchema.safeParse({ words });
  if (!parsed.success) return { problem: `Alert words need letters or digits: ${parsed.error.issues[0]!.message}.` };
  return { words };
}

/** An alert's words as a filter condition over ALERT_FIELDS (words only: members never give a regex). */
function alertCondition(words: readonly string[]): Condition {
  return conditionSchema.parse({ words: [...words], in: [...ALERT_FIELDS] });
}

/**
 * The alerts that match an article, one per member (their oldest matching alert): a member gets one
 * DM for an article however many of their alerts, in however many guilds, match it. Pure.
 */
export function matchingAlerts(alerts: readonly MemberAlert[], facts: FilterFacts): MemberAlert[] {
  const byMember = new Map<string, MemberAlert>();
  for (const alert of alerts) {
    if (byMember.has(alert.memberId)) continue;
    if (matches(alertCondition(alert.words), facts)) byMember.set(alert.memberId, alert);
  }
  return [...byMember.values()];
}

/**
 * What an alert DM carries beside its route's options (DeliveryOptions.kindOptions): which alert
 * matched; `unconfirmed` when the guilds of the article's channels could not be read at ingest: the
 * member's guilds whose alerts matched, and the channels whose guild decides (admit checks them).
 */
const alertOptionsSchema = z.object({
  alert: z.object({
    id: z.number().int(),
    /** The alert's number among its member's alerts (MemberAlert.number); absent on DMs queued before alerts were numbered per member. */
    number: z.number().int().optional(),
    words: z.array(z.string()).min(1),
    unconfirmed: z.object({ guilds: z.array(z.string()).min(1), channels: z.array(z.string()).min(1) }).optional(),
  }),
});
export type AlertOptions = z.infer<typeof alertOptionsSchema>['alert'];

/** The alert an alert DM's kindOptions name, or null when they name none (or not validly). */
export function readAlertOptions(kindOptions: unknown): AlertOptions | null {
  const parsed = alertOptionsSchema.safeParse(kindOptions ?? {});
  return parsed.success ? parsed.data.alert : null;
}

/** The line above an alert DM's embed: which alert matched, and (`last`) that the hour's limit is reached. */
export function alertLine(alert: AlertOptions, last: { dmsPerHour: number } | null): string {
  const words = alert.words.map((word) => `“${escapeDiscord(word)}”`).join(', ');
  const line = `🔔 Your alert ${alert.number !== undefined ? `#${alert.number} ` : ''}(${words}) matched a new article.`;
  if (!last) return line;
  return `${line}\nThat makes ${last.dmsPerHour} alert DMs this hour, the most Herald sends you: further matches this hour are dropped (\`/alerts list\` counts them).`;
}

export interface AlertDeps {
  store: MemberAlerts;
  /** The guild a channel belongs to, or null when it has none; throws while Discord cannot be asked (an outage). */
  guildOf(channelId: string): Promise<string | null>;
  /** How long a DM whose guild cannot be confirmed yet waits before it is looked at again, in ms. */
  confirmRetryMs: number;
  /** The `discord.alerts` settings as currently loaded. */
  settings(): AlertSettings;
  log: Logger;
  /** Clock, in ms since the epoch. */
  now?: () => number;
}

/** The reason an unconfirmed alert DM is skipped with: its article reached none of the member's guilds. */
const NOT_IN_GUILD = "alert DM not sent: the article was not posted in the member's server";

/**
 * Members' alerts as the pipeline and the outbox see them:
 * - `deliveriesFor`: the alert DMs a new article gets. Only guilds the article reaches count: those
 *   of the Discord channels its routes send it to (a channel a filter held it back from does not), so
 *   no member learns of a feed their guild does not carry. A DM waits for the approval desk when the
 *   article's channel posts do. When Discord cannot say a channel's guild (an outage), every active
 *   alert of another guild that matches is recorded too, marked unconfirmed: nothing is lost.
 * - `policy`: an unconfirmed DM waits until Discord names its channels' guilds, then goes if one of
 *   them is the member's and is skipped otherwise (never sent to a member whose server does not carry
 *   the feed). Then the per-member limit: a member gets at most `dmsPerHour` alert DMs in any hour; a
 *   DM due past it is dropped (skipped, counted by /alerts list), not folded or delayed.
 */
export function memberAlerts(deps: AlertDeps): { deliveriesFor(article: Article, facts: FilterFacts, routed: readonly NewDelivery[]): Promise<NewDelivery[]>; policy: DeliveryPolicy } {
  const now = deps.now ?? Date.now;
  /**
   * The member's own rules, asked of each DM as it comes due (a burst matched in one poll queues
   * several): paused alerts (Discord refused a DM since it was queued) skip every DM queued for
   * them; past `dmsPerHour` attempts (sent, or refused by Discord) in the hour, the DM is dropped.
   */
  async function memberRules(due: QueuedDelivery, member: string, queue: () => Promise<QueuedDelivery[]>): Promise<Verdict> {
    const skip = (ids: readonly number[], reason: string, logMessage: string): Verdict => ({ kind: 'triage', skip: new Set(ids), reason, logMessage });
    if ((await deps.store.alertsOf(member)).some((alert) => alert.pausedAt !== null)) {
      return skip((await queue()).map((queued) => queued.delivery.id), `${PAUSED_REASON} (Discord refused to DM them) until /alerts resume`, 'alert DM not sent');
    }
    const { dmsPerHour } = deps.settings();
    const { sent, failed } = await recentAlertDms(deps.store, member, now());
    if (sent + failed < dmsPerHour) return { kind: 'send' };
    return skip([due.delivery.id], `${DROPPED_REASON}: at most ${dmsPerHour} alert DMs an hour per member`, 'alert DM dropped');
  }
  return {
    async deliveriesFor(article, facts, routed) {
      if (!deps.settings().enabled) return [];
      const channels = routed.filter((delivery) => delivery.heldBack === undefined).flatMap((delivery) => {
        const { kind, address } = splitTargetKey(delivery.target);
        return kind === 'discord' && alertMember(address) === null ? [delivery] : [];
      });
      if (channels.length === 0) return [];
      const guilds = new Map<string, NewDelivery>();
      const unread: NewDelivery[] = [];
      for (const delivery of channels) {
        let guild: string | null;
        try {
          guild = await deps.guildOf(splitTargetKey(delivery.target).address);
        } catch {
          unread.push(delivery);
          continue;
        }
        if (guild && !guilds.has(guild)) guilds.set(guild, delivery);
      }
      const matched = matchingAlerts(await deps.store.activeAlerts([...guilds.keys()]), facts);
      const dm = (alert: MemberAlert, routedTo: NewDelivery, unconfirmed?: AlertOptions['unconfirmed']): NewDelivery => {
        const { template: _template, filter: _filter, kindOptions: _kindOptions, matches: _matches, ...options } = routedTo.options;
        return {
          target: alertTarget(alert.memberId),
          options: { ...options, template: null, kindOptions: { alert: { id: alert.id, number: alert.number, words: alert.words, ...(unconfirmed ? { unconfirmed } : {}) } } },
          ...(routedTo.approval ? { approval: routedTo.approval } : {}),
        };
      };
      const dms = matched.map((alert) => dm(alert, guilds.get(alert.guildId)!));
      if (unread.length > 0) {
        const members = new Set(matched.map((alert) => alert.memberId));
        const others = (await deps.store.activeAlerts('all')).filter((alert) => !guilds.has(alert.guildId) && !members.has(alert.memberId));
        const channelIds = unread.map((delivery) => splitTargetKey(delivery.target).address);
        const matching = others.filter((alert) => matchingAlerts([alert], facts).length > 0);
        for (const alert of matchingAlerts(matching, facts)) {
          const theirs = [...new Set(matching.filter((other) => other.memberId === alert.memberId).map((other) => other.guildId))];
          dms.push(dm(alert, unread[0]!, { guilds: theirs, channels: channelIds }));
        }
        deps.log.warn({ article: article.id, channels: channelIds, unconfirmed: dms.length - matched.length }, "Discord cannot say the guild of the article's channels now: matching alerts are queued, and each DM goes once Discord confirms the member's server carries it");
      }
      if (dms.length > 0) deps.log.info({ article: article.id, members: dms.length }, 'alerts matched');
      return dms;
    },
    policy: {
      async admit(due, queue) {
        const member = alertMember(splitTargetKey(due.delivery.target).address);
        if (member === null) return { kind: 'send' };
        const unconfirmed = readAlertOptions(due.options.kindOptions)?.unconfirmed;
        if (unconfirmed) {
          const reached: string[] = [];
          try {
            for (const channel of unconfirmed.channels) {
              const guild = await deps.guildOf(channel);
              if (guild) reached.push(guild);
            }
          } catch (error) {
            return { kind: 'wait', until: now() + deps.confirmRetryMs, reason: `waiting for Discord to name the server of the article's channels: ${(error as Error).message}` };
          }
          if (!unconfirmed.guilds.some((guild) => reached.includes(guild))) return { kind: 'triage', skip: new Set([due.delivery.id]), reason: NOT_IN_GUILD, logMessage: 'alert DM not sent' };
        }
        return memberRules(due, member, queue);
      },
    },
  };
}
