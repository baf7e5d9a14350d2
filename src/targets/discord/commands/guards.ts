import { PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import { CommandError } from './types.js';

/**
 * Managing commands need Manage Server. Discord's default_member_permissions only hides a command;
 * the handler checks again, because server admins can change who sees it.
 * Throws CommandError (answered by the interaction boundary) when the member lacks the permission.
 */
export function requireManageGuild(interaction: ChatInputCommandInteraction): void {
  if (interaction.inGuild() && interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return;
  throw new CommandError('You need the **Manage Server** permission to change Herald’s feeds.');
}
