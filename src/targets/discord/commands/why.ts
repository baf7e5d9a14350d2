import { ApplicationCommandOptionType, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { canonicalUrl } from '../../../articles/identity.js';
import type { Approval, Delivery, UrlHistory } from '../../../store/store.js';
import { readDeliveryOptions } from '../../../deliveries/options.js';
import { echoUrl } from '../fit.js';
import { defineCommand } from './command.js';
import { CommandError } from './types.js';
import { counted } from '../../../text/count.js';

const whyDefinition = {
  name: 'why',
  description: 'Whether and why an article was posted or not',
  options: [{ type: ApplicationCommandOptionType.String, name: 'url', description: 'The article’s address', required: true, max_length: 2000 }],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** How /why names a delivery's target, why deliveries to it wait regardless of their own state, and where a post is (see CommandDeps). */
interface TargetWords {
  describeTarget(target: string): string;
  waitingFor(target: string): string | null;
  messageUrl(target: string, remoteId: string): string | null;
}

function deliveryLine(delivery: Delivery, words: TargetWords): string {
  const passedBy = readDeliveryOptions(delivery.options)?.filter;
  const where = `${words.describeTarget(delivery.target)}${passedBy ? ` (${passedBy})` : ''}`;
  const waiting = delivery.status === 'pending' ? words.waitingFor(delivery.target) : null;
  if (waiting) return `${where}: waiting: ${waiting}.`;
  switch (delivery.status) {
    case 'sent': {
      if (delivery.digestId) return `${where}: posted in a digest (the destination's pace, quiet hours or schedule).`;
      const link = delivery.remoteId ? words.messageUrl(delivery.target, delivery.remoteId) : null;
      return `${where}: posted${delivery.attempts > 1 ? ` after ${delivery.attempts} attempts` : ''}${link ? ` (${link})` : ''}.`;
    }
    case 'folded':
      return `${where}: waiting in a digest (the destination's pace, quiet hours or schedule): it goes out in the digest, not alone.`;
    case 'failed':
      return `${where}: failed: ${delivery.lastError ?? 'unknown error'}.`;
    case 'skipped':
      return `${where}: not posted: ${delivery.lastError ?? 'skipped'}.`;
    case 'held':
      return `${where}: held for a moderator's decision on the approval desk.`;
    default:
      return delivery.attempts === 0
        ? `${where}: waiting its turn (posts go out in publication order).`
        : `${where}: waiting for a retry <t:${Math.ceil(delivery.nextAttemptAt / 1000)}:R> after ${counted(delivery.attempts, 'attempt')}: ${delivery.lastError ?? ''}`;
  }
}

/** Who decided an article on the approval desk, and when; or where it waits for a decision. */
function approvalLine(approval: Approval): string {
  const at = (ms: number) => `<t:${Math.floor(ms / 1000)}:R>`;
  if (approval.status === 'held') return `Waiting on the approval desk in <#${approval.channel}>; ${approval.onExpiry === 'post' ? 'posted' : 'skipped'} if nobody decides by ${at(approval.expiresAt)}.`;
  const decision = approval.status === 'approved' ? 'Approved' : 'Skipped';
  const who = approval.decidedBy === 'expiry' ? `automatically when nobody decided in time (approval expired)` : approval.decidedBy === 'dashboard' ? 'on the dashboard' : `by <@${approval.decidedBy}>`;
  return `${decision} on the approval desk ${who}${approval.decidedAt === null ? '' : ` ${at(approval.decidedAt)}`}.`;
}

/** The answer to /why as text; pure, so every case is easy to test. `words` name a delivery's target and say why it waits. */
export function explain(url: string, history: UrlHistory, words: TargetWords): string {
  if (history.seen.length === 0 && !history.article) return `Herald has not seen ${echoUrl(url)} in any feed it watches.`;
  const lines: string[] = [];
  for (const seen of history.seen) {
    lines.push(
      seen.posted
        ? `Seen in \`${seen.feedId}\` <t:${Math.floor(seen.seenAt / 1000)}:R>.`
        : `Seen in \`${seen.feedId}\` <t:${Math.floor(seen.seenAt / 1000)}:R> when Herald first read that feed: only the newest \`backfill\` items were posted then, and this one was older, so it was remembered without posting.`,
    );
  }
  if (history.article) {
    if (history.seen.length > 1 || (history.seen.length === 1 && history.seen[0]!.feedId !== history.article.feedId)) {
      lines.push(`The same story came from more than one feed; it is posted once per target.`);
    }
    if (history.deliveries.length === 0) lines.push('No route sends its feed anywhere, so it was not posted.');
    for (const delivery of history.deliveries) lines.push(deliveryLine(delivery, words));
    if (history.approval) lines.push(approvalLine(history.approval));
  }
  return lines.join('\n');
}

export const whyCommand = defineCommand(whyDefinition, async (_interaction, args, deps) => {
  const url = canonicalUrl(args.url.trim());
  if (!url) throw new CommandError('Give a web address starting with http:// or https://.');
  return { content: explain(url, await deps.store.urlHistory(url), deps), ephemeral: true };
});
