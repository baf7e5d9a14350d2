import { createHash } from 'node:crypto';
import { MessageFlags, type ButtonInteraction, type Interaction, type ModalSubmitInteraction, type RepliableInteraction } from 'discord.js';
import type { Logger } from 'pino';
import { cutText } from '../../../text/cut.js';
import { fitMessage } from '../fit.js';
import { decidedPreview, decisionWords, editModal, readDeskId, type DeskAction } from '../approval.js';
import type { Approval } from '../../../store/store.js';
import { alertsCommand } from './alerts.js';
import type { Command } from './command.js';
import { feedsCommand } from './feeds.js';
import { headlinesCommand, MORE_PREFIX, moreHeadlines } from './headlines.js';
import { searchCommand } from './search.js';
import { statusCommand } from './status.js';
import { summaryCommand } from './summary.js';
import type { ListedFeed } from '../../catalog.js';
import { CommandError, type CommandDeps, type Reply } from './types.js';
import { whyCommand } from './why.js';

/** Every slash command Herald registers, in the order Discord lists them. */
const COMMANDS: readonly Command[] = [headlinesCommand, searchCommand, summaryCommand, feedsCommand, statusCommand, whyCommand, alertsCommand];

export const COMMAND_DEFINITIONS = COMMANDS.map((command) => command.definition);

/** A stable fingerprint of the definitions: registration is skipped when it has not changed. */
export function definitionsHash(scope: string): string {
  return createHash('sha256').update(scope).update(JSON.stringify(COMMAND_DEFINITIONS)).digest('hex');
}

/** ok: answered; refused: a CommandError told the user why not; failed: an unexpected error. */
type CommandOutcome = 'ok' | 'refused' | 'failed';

/** Counts answered interactions (herald_commands_total); `command` is "feeds add", "headlines more", … */
export interface CommandCounter {
  inc(labels: { command: string; outcome: CommandOutcome }): void;
}

const SORRY = 'Sorry, that did not work. The error was logged; please try again in a moment.';

/**
 * The autocomplete choices for an option that names a feed: feeds whose id or name holds `typed`
 * (only those added from Discord when `onlyDiscord`), at most 25, each name cut to Discord's 100
 * characters between whole graphemes.
 */
export function feedChoices(feeds: readonly ListedFeed[], typed: string, onlyDiscord: boolean): Array<{ name: string; value: string }> {
  const wanted = typed.toLowerCase();
  return feeds
    .filter((feed) => !onlyDiscord || feed.source === 'discord')
    .filter((feed) => feed.id.includes(wanted) || feed.name.toLowerCase().includes(wanted))
    .slice(0, 25)
    .map((feed) => ({ name: cutText(feed.name === feed.id ? feed.id : `${feed.name} (${feed.id})`, 100), value: feed.id }));
}

/**
 * Sends a handler's answer, fitted to Discord's limits. The one place that decides how: the edit of
 * a deferred reply, a follow-up after a reply, the update of a button's message, or the reply.
 */
async function answer(interaction: RepliableInteraction, reply: Reply, how: 'reply' | 'update'): Promise<void> {
  const { ephemeral, ...message } = fitMessage(reply);
  const payload = { ...message, allowedMentions: { parse: [] } };
  const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
  if (interaction.deferred && !interaction.replied) await interaction.editReply(payload);
  else if (interaction.replied) await interaction.followUp({ ...payload, flags });
  else if (how === 'update' && interaction.isMessageComponent()) await interaction.update(payload);
  else await interaction.reply({ ...payload, flags });
}

/** Why a second decision changes nothing: what was decided, by whom. */
function alreadyDecided(approval: Approval): string {
  if (approval.status === 'held') return 'This article is still waiting for a decision.';
  return `Already ${decisionWords(approval, (id) => `<@${id}>`)}; nothing changed.`;
}

/**
 * The approval desk's buttons and modal: Edit opens the modal (response type 9); Approve, Skip and
 * the modal's submit decide, and the preview is updated in place (type 7) to say who decided, its
 * buttons removed. A decision that comes second (a double click, the dashboard first) changes
 * nothing and is told so, to the clicker only.
 */
async function answerDesk(interaction: ButtonInteraction | ModalSubmitInteraction, { action, articleId }: { action: DeskAction; articleId: string }, deps: CommandDeps): Promise<void> {
  if (!deps.desk) throw new CommandError('The approval desk does not run in this Herald.');
  const missing = 'That article is not on the approval desk.';
  if (action === 'edit') {
    const draft = await deps.desk.draft(articleId);
    if (!draft) throw new CommandError(missing);
    if (draft.approval.status !== 'held') throw new CommandError(alreadyDecided(draft.approval));
    if (interaction.isButton()) await interaction.showModal(editModal(articleId, draft));
    return;
  }
  const edit =
    action === 'modal' && interaction.isModalSubmit()
      ? { summary: interaction.fields.getTextInputValue('summary'), xText: interaction.fields.fields.has('xText') ? interaction.fields.getTextInputValue('xText') : null }
      : undefined;
  const outcome = await deps.desk.decide(articleId, action === 'skip' ? 'skipped' : 'approved', interaction.user.id, edit);
  if (!outcome) throw new CommandError(missing);
  if (!outcome.decided) throw new CommandError(alreadyDecided(outcome.approval));
  const { allowed_mentions: _mentions, ...message } = decidedPreview(outcome.article, outcome.approval, outcome.destinations);
  const payload = { ...message, allowedMentions: { parse: [] } };
  if (interaction.isButton() || interaction.isFromMessage()) await interaction.update(payload);
  else await interaction.reply(payload);
}

/** The name a command is counted and logged under: "feeds add", "headlines more", "status". */
function commandLabel(interaction: Interaction): string {
  if (interaction.isChatInputCommand()) {
    const subcommand = interaction.options.getSubcommand(false);
    return COMMANDS.some((c) => c.definition.name === interaction.commandName) ? [interaction.commandName, subcommand].filter(Boolean).join(' ') : 'unknown';
  }
  if (interaction.isButton() && interaction.customId.startsWith(MORE_PREFIX)) return 'headlines more';
  const desk = interaction.isButton() || interaction.isModalSubmit() ? readDeskId(interaction.customId) : null;
  if (desk) return `approval ${desk.action}`;
  return 'unsupported';
}

/**
 * The one boundary for interactions: runs the command, sends its answer, logs and counts the outcome.
 * A CommandError is shown to the user as it is (refused); anything else is logged with its cause and
 * answered with a short apology (failed). Nothing here throws, so nothing can crash the process.
 */
export async function handleInteraction(interaction: Interaction, deps: CommandDeps, log: Logger, counter: CommandCounter): Promise<void> {
  const context = { interaction: interaction.id, user: interaction.user?.id, guild: interaction.guildId };
  if (interaction.isAutocomplete()) {
    try {
      await interaction.respond(feedChoices(deps.feeds.list(), interaction.options.getFocused(), interaction.commandName === 'feeds'));
    } catch (error) {
      log.warn({ ...context, err: error }, 'autocomplete failed');
    }
    return;
  }
  if (!interaction.isRepliable()) return;
  const command = commandLabel(interaction);
  try {
    const desk = interaction.isButton() || interaction.isModalSubmit() ? readDeskId(interaction.customId) : null;
    if (interaction.isButton() && interaction.customId.startsWith(MORE_PREFIX)) {
      await answer(interaction, await moreHeadlines(interaction, deps), 'update');
    } else if (desk && (interaction.isButton() || interaction.isModalSubmit())) {
      await answerDesk(interaction, desk, deps);
    } else if (interaction.isChatInputCommand()) {
      const found = COMMANDS.find((c) => c.definition.name === interaction.commandName);
      if (!found) throw new CommandError(`Herald does not know /${interaction.commandName}.`);
      await answer(interaction, await found.run(interaction, deps), 'reply');
    } else {
      throw new CommandError('Herald does not handle that yet.');
    }
    counter.inc({ command, outcome: 'ok' });
    log.info({ ...context, command }, 'command answered');
  } catch (error) {
    const refused = error instanceof CommandError;
    counter.inc({ command, outcome: refused ? 'refused' : 'failed' });
    if (refused) log.info({ ...context, command, reason: error.message }, 'command refused');
    else log.error({ ...context, command, err: error }, 'command failed');
    await answer(interaction, { content: refused ? error.message : SORRY, ephemeral: true }, 'reply').catch((replyError: unknown) =>
      log.warn({ ...context, err: replyError }, 'could not send the error reply'),
    );
  }
}
