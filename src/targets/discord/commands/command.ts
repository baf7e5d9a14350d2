import type { ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { readArgs, type CommandArgs, type CommandDefinition } from './args.js';
import type { CommandDeps, Reply } from './types.js';

/** A registered command: its definition (plain data) and the handler typed from it. */
export interface Command {
  readonly definition: CommandDefinition & RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** Reads the options against the definition, then runs the handler. Throws CommandError for the user. */
  run(interaction: ChatInputCommandInteraction, deps: CommandDeps): Promise<Reply>;
}

export type Handler<D extends CommandDefinition> = (interaction: ChatInputCommandInteraction, args: CommandArgs<D>, deps: CommandDeps) => Promise<Reply>;

/**
 * Pairs a definition with its handler; the handler's `args` type comes from the definition
 * (the way the discord.js team's Yuudachi types its commands).
 */
export function defineCommand<const D extends CommandDefinition & RESTPostAPIChatInputApplicationCommandsJSONBody>(
  definition: D,
  handler: Handler<D>,
): Command {
  return { definition, run: (interaction, deps) => handler(interaction, readArgs(definition, interaction.options.data), deps) };
}
