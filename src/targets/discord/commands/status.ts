import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { redactUrlSecrets } from '../../../ops/redact.js';
import { cutText } from '../../../text/cut.js';
import { escapeDiscord } from '../render.js';
import { statusSnapshot } from '../../status.js';
import { defineCommand } from './command.js';
import type { CommandDeps } from './types.js';

const statusDefinition = {
  name: 'status',
  description: 'How Herald is doing: feeds, failures, deliveries, uptime',
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

function formatUptime(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  return days > 0 ? `${days}d ${hours}h` : hours > 0 ? `${hours}h ${minutes % 60}m` : `${minutes}m`;
}

/** "3 pushed, " when WebSub hubs push some feeds, else nothing. */
function pushedCount(feeds: ReadonlyArray<{ id: string }>, deps: CommandDeps): string {
  const pushed = feeds.filter((feed) => deps.watch?.watchOf(feed.id)?.pushed).length;
  return pushed > 0 ? `${pushed} pushed, ` : '';
}

export const statusCommand = defineCommand(statusDefinition, async (_interaction, _args, deps) => {
  const now = Date.now();
  const { feeds: statuses, counts, failed, waiting } = await statusSnapshot(deps.store, deps.feeds, 5, now);
  const feeds = statuses.map(({ feed }) => feed);
  const failing = statuses.filter(({ health }) => health === 'failing');
  const held = statuses.filter(({ health }) => health === 'held');
  const lastPolls = statuses
    .slice(0, 15)
    .map(({ feed, state }) => {
      const when = state?.lastPollAt ? `<t:${Math.floor(state.lastPollAt / 1000)}:R>` : 'not yet';
      const pushed = deps.watch?.watchOf(feed.id)?.pushed ? ' (pushed)' : '';
      return `\`${feed.id}\`${feed.paused ? ' (paused)' : pushed}: ${when}`;
    })
    .join('\n');
  const fields = [
    { name: 'Feeds', value: `${feeds.length} watched, ${pushedCount(feeds, deps)}${failing.length} failing${held.length > 0 ? `, ${held.length} held` : ''}`, inline: true },
    { name: 'Deliveries', value: `${counts.pending + counts.sending} pending, ${counts.folded ? `${counts.folded} in digests, ` : ''}${counts.failed} failed, ${counts.skipped} skipped, ${counts.sent} sent`, inline: true },
    { name: 'Up', value: `${formatUptime(now - deps.startedAt)} · Herald ${deps.version}`, inline: true },
    { name: 'Last polls', value: lastPolls || 'no feeds' },
  ];
  if (failing.length > 0) {
    fields.push({
      name: 'Failing feeds',
      value: failing
        .slice(0, 10)
        .map(({ feed, state }) => `\`${feed.id}\` (${state!.failures}×): ${escapeDiscord(cutText(redactUrlSecrets(state!.lastError ?? ''), 150))}`)
        .join('\n'),
    });
  }
  // A host that said "come back later" (429/503 with Retry-After) holds its feeds: not a failure.
  if (held.length > 0) {
    fields.push({
      name: 'Held by their host (Retry-After)',
      value: held
        .slice(0, 10)
        .map(({ feed, state }) => `\`${feed.id}\` until <t:${Math.ceil(state!.heldUntil! / 1000)}:R>`)
        .join('\n'),
    });
  }
  // A queue whose head is not due holds everything behind it: say what it waits for (a cap, a paused X login, a rate limit).
  if (waiting.length > 0) {
    fields.push({
      name: 'Waiting',
      value: waiting
        .slice(0, 10)
        .map(({ delivery }) => `${delivery.target}: ${escapeDiscord(cutText(redactUrlSecrets(delivery.lastError!), 150))}, next try <t:${Math.ceil(delivery.nextAttemptAt / 1000)}:R>`)
        .join('\n'),
    });
  }
  if (failed.length > 0) {
    fields.push({
      name: 'Recent failed or skipped deliveries',
      value: failed.map(({ delivery, article }) => `${delivery.status === 'skipped' ? 'skipped' : 'failed'}: ${escapeDiscord(cutText(article.title, 60))} → ${delivery.target}: ${escapeDiscord(cutText(redactUrlSecrets(delivery.lastError ?? ''), 120))}`).join('\n'),
    });
  }
  return { embeds: [{ title: 'Herald status', fields, color: failing.length > 0 ? 0xe67e22 : 0x2ecc71 }], ephemeral: true };
});
