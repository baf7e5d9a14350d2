import { ApplicationCommandOptionType, MessageFlags, type ChatInputCommandInteraction, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { parseDuration } from '../../../config/duration.js';
import { escapeDiscord } from '../render.js';
import { renderArticleList, unknownFeedMessage } from './headlines.js';
import type { CommandDeps } from './types.js';

export const searchDefinition = {
  name: 'search',
  description: 'Search stored stories by words in their title or summary',
  options: [
    { type: ApplicationCommandOptionType.String, name: 'query', description: 'Words to look for', required: true, min_length: 2, max_length: 200 },
    { type: ApplicationCommandOptionType.String, name: 'feed', description: 'Only stories from this feed', required: false, autocomplete: true, max_length: 60 },
    { type: ApplicationCommandOptionType.String, name: 'since', description: 'Only stories newer than this: 24h, 7d, or a date such as 2026-01-31', required: false, max_length: 40 },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** "24h", "7d" (relative to now) or an ISO date; null when it is neither. */
export function parseSince(text: string, now: number): number | null {
  const duration = parseDuration(text);
  if (duration !== null) return now - duration;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : date;
}

export async function runSearch(interaction: ChatInputCommandInteraction, deps: CommandDeps): Promise<void> {
  const query = interaction.options.getString('query', true).trim();
  const feed = interaction.options.getString('feed')?.trim() || undefined;
  const sinceText = interaction.options.getString('since')?.trim() || undefined;
  if (feed && !deps.feeds.get(feed)) {
    await interaction.reply({ content: unknownFeedMessage(feed, deps), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    return;
  }
  const since = sinceText ? parseSince(sinceText, Date.now()) : undefined;
  if (since === null) {
    await interaction.reply({ content: `"${escapeDiscord(sinceText!)}" is not a time: use 24h, 7d or a date such as 2026-01-31.`, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    return;
  }
  const articles = await deps.store.searchArticles(query, { feedId: feed, since, limit: 10 });
  const scope = [feed ? `in ${feed}` : 'in all feeds', sinceText ? `since ${sinceText}` : ''].filter(Boolean).join(' ');
  if (articles.length === 0) {
    await interaction.reply({ content: `Nothing found for "${escapeDiscord(query)}" ${escapeDiscord(scope)}.`, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    return;
  }
  await interaction.reply({
    embeds: [{ title: `Search: ${query}`.slice(0, 256), description: renderArticleList(articles, deps.feeds.names()), footer: { text: `${articles.length} found ${scope}` }, color: 0x5865f2 }],
    allowedMentions: { parse: [] },
  });
}
