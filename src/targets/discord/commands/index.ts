import { createHash } from 'node:crypto';
import { MessageFlags, type Interaction } from 'discord.js';
import type { Logger } from 'pino';
import { autocompleteFeeds, headlinesDefinition, runHeadlines } from './headlines.js';
import type { CommandDeps } from './types.js';

/** Every slash command Herald registers, as plain data. */
export const COMMAND_DEFINITIONS = [headlinesDefinition];

/** A stable fingerprint of the definitions: registration is skipped when it has not changed. */
export function definitionsHash(scope: string): string {
  return createHash('sha256').update(scope).update(JSON.stringify(COMMAND_DEFINITIONS)).digest('hex');
}

const handlers: Record<string, (interaction: never, deps: CommandDeps) => Promise<void>> = {
  [headlinesDefinition.name]: runHeadlines as never,
};

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
    if (!interaction.isChatInputCommand()) {
      log.warn({ ...context, type: interaction.type }, 'unsupported interaction ignored');
      return;
    }
    const handler = handlers[interaction.commandName];
    if (!handler) {
      log.warn({ ...context, command: interaction.commandName }, 'unknown command');
      await interaction.reply({ content: `Herald does not know /${interaction.commandName}.`, flags: MessageFlags.Ephemeral });
      return;
    }
    await handler(interaction as never, deps);
    log.info({ ...context, command: interaction.commandName }, 'command answered');
  } catch (error) {
    log.error({ ...context, err: error }, 'command failed');
    if (!interaction.isRepliable()) return;
    const reply = { content: 'Sorry, that did not work. The error was logged; please try again in a moment.', flags: MessageFlags.Ephemeral } as const;
    await (interaction.replied || interaction.deferred ? interaction.followUp(reply) : interaction.reply(reply)).catch((replyError: unknown) =>
      log.warn({ ...context, err: replyError }, 'could not send the error reply'),
    );
  }
}
