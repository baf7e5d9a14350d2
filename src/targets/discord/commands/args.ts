import { ApplicationCommandOptionType, type CommandInteractionOption } from 'discord.js';
import { CommandError } from './types.js';

/** One option as a command definition writes it (the part Herald reads back). */
interface OptionDefinition {
  readonly type: ApplicationCommandOptionType;
  readonly name: string;
  readonly required?: boolean;
  readonly min_length?: number;
  readonly max_length?: number;
  readonly min_value?: number;
  readonly max_value?: number;
  readonly options?: readonly OptionDefinition[];
}

/** A slash command's definition as registered with Discord (plain data, `as const`). */
export interface CommandDefinition {
  readonly name: string;
  readonly options?: readonly OptionDefinition[];
}

/** What each option type holds; user, role, channel, mentionable and attachment options hold the id (a snowflake). */
interface OptionValues {
  [ApplicationCommandOptionType.String]: string;
  [ApplicationCommandOptionType.Integer]: number;
  [ApplicationCommandOptionType.Number]: number;
  [ApplicationCommandOptionType.Boolean]: boolean;
  [ApplicationCommandOptionType.User]: string;
  [ApplicationCommandOptionType.Channel]: string;
  [ApplicationCommandOptionType.Role]: string;
  [ApplicationCommandOptionType.Mentionable]: string;
  [ApplicationCommandOptionType.Attachment]: string;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ValueOf<O extends OptionDefinition> = OptionValues[O['type'] & keyof OptionValues];

/** Required options are always there; the others may be missing. */
type ValuesOf<O extends readonly OptionDefinition[]> = Simplify<
  { [P in O[number] as P extends { required: true } ? P['name'] : never]: ValueOf<P> } & {
    [P in O[number] as P extends { required: true } ? never : P['name']]?: ValueOf<P>;
  }
>;

type SubcommandArgs<S> = S extends { name: infer N; options?: infer O }
  ? Simplify<{ subcommand: N } & ValuesOf<O extends readonly OptionDefinition[] ? O : readonly []>>
  : never;

type Subcommands<O extends readonly OptionDefinition[]> = Extract<O[number], { type: ApplicationCommandOptionType.Subcommand }>;

/**
 * The options a handler receives, derived from its command's definition: `{ url: string; public?: boolean }`
 * for /summary; for a command with subcommands a union tagged by `subcommand`. Renaming an option in
 * the definition makes every handler that reads the old name fail to compile.
 */
export type CommandArgs<D extends CommandDefinition> = D['options'] extends readonly OptionDefinition[]
  ? [Subcommands<D['options']>] extends [never]
    ? ValuesOf<D['options']>
    : SubcommandArgs<Subcommands<D['options']>>
  : Record<never, never>;

/**
 * Reads the options Discord sent (`interaction.options.data`) against the command's definition: each
 * value's type, the required ones, string lengths and number ranges. Discord checks these against
 * the registered definition already; a registration older than the code (Discord takes a while to
 * update clients) is caught here. Returns the typed options; throws CommandError when they do not fit.
 */
export function readArgs<D extends CommandDefinition>(definition: D, data: readonly CommandInteractionOption[]): CommandArgs<D> {
  const subcommands = (definition.options ?? []).filter((option) => option.type === ApplicationCommandOptionType.Subcommand);
  if (subcommands.length === 0) return valuesOf(definition.name, definition.options ?? [], data) as CommandArgs<D>;
  const given = data[0];
  const spec = subcommands.find((option) => option.name === given?.name && given.type === ApplicationCommandOptionType.Subcommand);
  if (!given || !spec) throw outdated(definition.name, given?.name ?? 'subcommand');
  const path = `${definition.name} ${spec.name}`;
  return { subcommand: spec.name, ...valuesOf(path, spec.options ?? [], given.options ?? []) } as CommandArgs<D>;
}

function outdated(command: string, option: string): CommandError {
  return new CommandError(`Discord sent /${command} with an unexpected \`${option}\`: the command was probably just updated. Try again in a minute.`);
}

function valuesOf(command: string, specs: readonly OptionDefinition[], given: readonly CommandInteractionOption[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const spec of specs) {
    const option = given.find((candidate) => candidate.name === spec.name);
    if (!option || option.value === undefined) {
      if (spec.required) throw outdated(command, spec.name);
      continue;
    }
    if (option.type !== spec.type || !fits(spec, option.value)) throw outdated(command, spec.name);
    values[spec.name] = option.value;
  }
  return values;
}

function fits(spec: OptionDefinition, value: string | number | boolean): boolean {
  switch (spec.type) {
    case ApplicationCommandOptionType.String:
      return typeof value === 'string' && value.length >= (spec.min_length ?? 0) && value.length <= (spec.max_length ?? 6000);
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number:
      return (
        typeof value === 'number' &&
        (spec.type === ApplicationCommandOptionType.Number || Number.isInteger(value)) &&
        value >= (spec.min_value ?? -Infinity) &&
        value <= (spec.max_value ?? Infinity)
      );
    case ApplicationCommandOptionType.Boolean:
      return typeof value === 'boolean';
    default:
      return typeof value === 'string' && /^\d{17,20}$/.test(value);
  }
}
