import { MessageFlags, PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';

/**
 * Managing commands need Manage Server. Discord's default_member_permissions only hides a command;
 * the handler checks again, because server admins can change who sees it.
 * Returns false (after answering) when the member lacks the permission.
 */
export async function requireManageGuild(interaction: ChatInputCommandInteraction): Promise<boolean> {
  if (interaction.inGuild() && interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  await interaction.reply({
    content: 'You need the **Manage Server** permission to change Herald’s feeds.',
    flags: MessageFlags.Ephemeral,
  });
  return false;
}
