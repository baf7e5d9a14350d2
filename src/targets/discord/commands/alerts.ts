import { ApplicationCommandOptionType, type ChatInputCommandInteraction, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { MemberAlert } from '../../../store/member-alerts.js';
import { counted } from '../../../text/count.js';
import { readAlertWords, recentAlertDms } from '../alerts.js';
import { escapeDiscord } from '../render.js';
import { discordSettings, type AlertSettings } from '../settings.js';
import { defineCommand } from './command.js';
import { CommandError, type CommandDeps, type Reply } from './types.js';

const alertsDefinition = {
  name: 'alerts',
  description: 'Get a DM when a new article posted in this server matches your words',
  dm_permission: false,
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'add',
      description: 'Get a DM when a new article matches these words',
      options: [{ type: ApplicationCommandOptionType.String, name: 'words', description: 'Words or phrases, separated by commas: heat pump, solar', required: true, max_length: 1000 }],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'Your alerts in this server, and the DMs they sent' },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'remove',
      description: 'Stop one of your alerts',
      options: [{ type: ApplicationCommandOptionType.Integer, name: 'id', description: 'The alert’s number, as /alerts list shows it', required: true, min_value: 1 }],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'resume', description: 'Resume your alerts after opening your DMs' },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** Where a member's alert is: the guild the command ran in, and the member who ran it. */
function whoAndWhere(interaction: ChatInputCommandInteraction, deps: CommandDeps): { guildId: string; memberId: string; settings: AlertSettings } {
  const settings = discordSettings(deps.feeds.current()).alerts;
  if (!settings.enabled) throw new CommandError('Alerts are turned off in this Herald (`discord.alerts.enabled`).');
  if (!interaction.guildId) throw new CommandError('Use /alerts in a server: an alert watches the articles posted there.');
  return { guildId: interaction.guildId, memberId: interaction.user.id, settings };
}

function describeAlert(alert: MemberAlert): string {
  return `**#${alert.number}** ${alert.words.map((word) => `“${escapeDiscord(word)}”`).join(', ')}`;
}

const PAUSED =
  'Discord refused to DM you (your DMs are closed to this server, or the bot is blocked), so your alerts are **paused** and nothing is queued for you. Allow DMs (this server’s name → Privacy Settings → Direct Messages), then run `/alerts resume`.';

async function list(deps: CommandDeps, guildId: string, memberId: string, settings: AlertSettings, now: number): Promise<Reply> {
  const alerts = await deps.store.memberAlerts(guildId, memberId);
  if (alerts.length === 0) return { content: 'You have no alerts in this server. Add one with `/alerts add words: heat pump, solar`.', ephemeral: true };
  const { sent, failed, dropped, paused: held } = await recentAlertDms(deps.store, memberId, now);
  const paused = alerts.find((alert) => alert.pausedAt !== null);
  const lines = [
    `Your alerts in this server (${alerts.length} of at most ${settings.maxPerMember}); each matches whole words of a new article’s title, summary and categories, in articles posted to this server’s channels:`,
    ...alerts.map(describeAlert),
    '',
    paused ? `⏸ Paused <t:${Math.floor(paused.pausedAt! / 1000)}:R>: ${PAUSED}` : null,
    `In the last hour: ${counted(sent, 'alert DM')} sent${failed > 0 ? `, ${failed} refused by Discord` : ''} (at most ${settings.dmsPerHour} an hour)${dropped > 0 ? `; ${counted(dropped, 'match', 'matches')} dropped by that limit` : ''}${held > 0 ? `; ${counted(held, 'match', 'matches')} not sent while your alerts were paused` : ''}.`,
  ];
  return { content: lines.filter((line) => line !== null).join('\n'), ephemeral: true };
}

/**
 * /alerts add|list|remove|resume: any member's own alerts in the guild they run it in (stored per
 * member and guild; discord/alerts.ts sends the DMs). Answers are ephemeral. Limits come from
 * `discord.alerts`: alerts per member, the length of the words, DMs per hour.
 */
export const alertsCommand = defineCommand(alertsDefinition, async (interaction, args, deps) => {
  const { guildId, memberId, settings } = whoAndWhere(interaction, deps);
  const now = Date.now();
  switch (args.subcommand) {
    case 'add': {
      const read = readAlertWords(args.words, settings.maxLength);
      if ('problem' in read) throw new CommandError(read.problem);
      const alert = await deps.store.addMemberAlert({ guildId, memberId, words: read.words }, settings.maxPerMember, now);
      if (!alert) throw new CommandError(`You have ${settings.maxPerMember} alerts in this server, the most allowed: remove one first (\`/alerts list\`, \`/alerts remove\`).`);
      const note = alert.pausedAt !== null ? `\n⏸ ${PAUSED}` : '';
      return { content: `Alert ${describeAlert(alert)} added: you get a DM when a new article posted in this server matches it (at most ${settings.dmsPerHour} DMs an hour).${note}`, ephemeral: true };
    }
    case 'list':
      return list(deps, guildId, memberId, settings, now);
    case 'remove': {
      if (!(await deps.store.removeMemberAlert(guildId, memberId, args.id))) throw new CommandError(`You have no alert #${args.id} in this server (\`/alerts list\` shows yours).`);
      return { content: `Alert #${args.id} removed.`, ephemeral: true };
    }
    case 'resume': {
      const resumed = await deps.store.setAlertsPaused(memberId, null);
      return { content: resumed > 0 ? `Your alerts are active again (${counted(resumed, 'alert')}, in every server). If Discord still refuses your DMs they pause again.` : 'Your alerts are not paused.', ephemeral: true };
    }
  }
});
