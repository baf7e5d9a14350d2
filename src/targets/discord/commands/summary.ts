import { ApplicationCommandOptionType, MessageFlags, type ChatInputCommandInteraction, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { safeHttpUrl } from '../../../articles/identity.js';
import { loadArticlePage } from '../../../articles/load.js';
import { summarize } from '../../../articles/summarize.js';
import { escapeDiscord } from '../render.js';
import type { CommandDeps } from './types.js';

export const summaryDefinition = {
  name: 'summary',
  description: 'Fetch any article and summarize it',
  options: [
    { type: ApplicationCommandOptionType.String, name: 'url', description: 'The article’s address (http or https)', required: true, max_length: 2000 },
    { type: ApplicationCommandOptionType.Boolean, name: 'public', description: 'Show the summary to everyone in the channel (default: only you)', required: false },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const UNREACHABLE = 'the site could not be reached (Herald fetches only public web pages)';

/**
 * Turns a fetch failure into words for the person who asked. A refused address and an unreachable
 * one get the same words: two replies would tell an open port on a private address from a closed one.
 */
export function friendlyFetchFailure(reason: string): string {
  if (reason.startsWith('blocked')) return UNREACHABLE;
  if (reason.startsWith('timeout')) return 'the site took too long to answer';
  if (reason.startsWith('too-large')) return 'the page is too large';
  if (reason.startsWith('redirects')) return 'the page redirects too many times';
  if (reason.startsWith('http: HTTP 4')) return `the site refused it (${reason.slice('http: '.length)})`;
  if (reason.startsWith('http: HTTP 5')) return `the site had an error (${reason.slice('http: '.length)})`;
  if (reason.startsWith('not an HTML page')) return reason;
  return UNREACHABLE;
}

export async function runSummary(interaction: ChatInputCommandInteraction, deps: CommandDeps): Promise<void> {
  const raw = interaction.options.getString('url', true).trim();
  const visible = interaction.options.getBoolean('public') ?? false;
  const url = safeHttpUrl(raw);
  if (!url) {
    await interaction.reply({ content: 'Give a web address starting with http:// or https://.', flags: MessageFlags.Ephemeral });
    return;
  }
  // Fetching can take longer than Discord's 3 seconds: acknowledge first.
  await interaction.deferReply(visible ? {} : { flags: MessageFlags.Ephemeral });
  const result = await loadArticlePage(deps.http, url, deps.pageLimits);
  if (!result.ok) {
    await interaction.editReply({ content: `Could not summarize <${url}>: ${friendlyFetchFailure(result.reason)}.`, allowedMentions: { parse: [] } });
    return;
  }
  const summary = summarize(result.page.text, deps.summary);
  if (!summary) {
    await interaction.editReply({ content: `Found no article text at <${url}> (a paywall, or a page that needs JavaScript?).`, allowedMentions: { parse: [] } });
    return;
  }
  await interaction.editReply({
    embeds: [
      {
        title: escapeDiscord(result.page.title ?? url).slice(0, 256),
        url: result.page.url ?? url,
        description: escapeDiscord(summary).slice(0, 4096),
        author: result.page.siteName ? { name: result.page.siteName.slice(0, 256) } : undefined,
        color: 0x5865f2,
      },
    ],
    allowedMentions: { parse: [] },
  });
}
