import { createHash } from 'node:crypto';
import { MessageFlags, type AutocompleteInteraction, type ChatInputCommandInteraction, type Interaction } from 'discord.js';
import type { Logger } from 'pino';
import { feedsDefinition, runFeeds } from './feeds.js';
import { headlinesDefinition, MORE_PREFIX, moreHeadlines, runHeadlines } from './headlines.js';
import { runSearch, searchDefinition } from './search.js';
import { runStatus, statusDefinition } from './status.js';
import { runSummary, summaryDefinition } from './summary.js';
import type { CommandDeps } from './types.js';
import { runWhy, whyDefinition } from './why.js';

type Handler = (interaction: ChatInputCommandInteraction, deps: CommandDeps) => Promise<void>;

/** Every slash command Herald registers: its definition (plain data) and its handler. */
const COMMANDS: ReadonlyArray<{ definition: { name: string }; run: Handler }> = [
  { definition: headlinesDefinition, run: runHeadlines },
  { definition: searchDefinition, run: runSearch },
  { definition: summaryDefinition, run: runSummary },
  { definition: feedsDefinition, run: runFeeds },
  { definition: statusDefinition, run: runStatus },
  { definition: whyDefinition, run: runWhy },
];

export const COMMAND_DEFINITIONS = COMMANDS.map((command) => command.definition);

/** A stable fingerprint of the definitions: registration is skipped when it has not changed. */
export function definitionsHash(scope: string): string {
  return createHash('sha256').update(scope).update(JSON.stringify(COMMAND_DEFINITIONS)).digest('hex');
}

/** Feed ids for every option that names a feed. */
async function autocompleteFeeds(interaction: AutocompleteInteraction, deps: CommandDeps): Promise<void> {
  const typed = interaction.options.getFocused().toLowerCase();
  const onlyDiscordFeeds = interaction.commandName === 'feeds';
  const choices = deps.feeds
    .list()
    .filter((feed) => !onlyDiscordFeeds || feed.source === 'discord')
    .filter((feed) => feed.id.includes(typed) || feed.name.toLowerCase().includes(typed))
    .slice(0, 25)
    .map((feed) => ({ name: (feed.name === feed.id ? feed.id : `${feed.name} (${feed.id})`).slice(0, 100), value: feed.id }));
  await interaction.respond(choices);
}

/**
 * The one error boundary for interactions: unknown commands and failures are logged with their
 * cause and answered with a short ephemeral message; nothing here can crash the process.
 */
export async function handleInteraction(interaction: Interaction, deps: CommandDeps, log: Logger): Promise<void> {
  const context = { interaction: interaction.id, user: interaction.user?.id, guild: interaction.guildId };
  try {
    if (interaction.isAutocomplete()) {
      await autocompleteFeeds(interaction, deps);
      return;
    }
    if (interaction.isButton() && interaction.customId.startsWith(MORE_PREFIX)) {
      await moreHeadlines(interaction, deps);
      return;
    }
    if (!interaction.isChatInputCommand()) {
      log.warn({ ...context, type: interaction.type }, 'unsupported interaction ignored');
      if (interaction.isRepliable()) await interaction.reply({ content: 'Herald does not handle that yet.', flags: MessageFlags.Ephemeral });
      return;
    }
    const command = COMMANDS.find((c) => c.definition.name === interaction.commandName);
    if (!command) {
      log.warn({ ...context, command: interaction.commandName }, 'unknown command');
      await interaction.reply({ content: `Herald does not know /${interaction.commandName}.`, flags: MessageFlags.Ephemeral });
      return;
    }
    await command.run(interaction, deps);
    log.info({ ...context, command: interaction.commandName }, 'command answered');
  } catch (error) {
    log.error({ ...context, err: error }, 'command failed');
    if (!interaction.isRepliable()) return;
    const content = 'Sorry, that did not work. The error was logged; please try again in a moment.';
    const answer = interaction.deferred && !interaction.replied
      ? interaction.editReply({ content })
      : interaction.replied
        ? interaction.followUp({ content, flags: MessageFlags.Ephemeral })
        : interaction.reply({ content, flags: MessageFlags.Ephemeral });
    await answer.catch((replyError: unknown) => log.warn({ ...context, err: replyError }, 'could not send the error reply'));
  }
}
