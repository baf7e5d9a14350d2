import { ApplicationCommandOptionType, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { parseDuration } from '../../../config/duration.js';
import { escapeDiscord } from '../render.js';
import { defineCommand } from './command.js';
import { renderArticleList, unknownFeedMessage } from './headlines.js';
import { CommandError } from './types.js';

const searchDefinition = {
  name: 'search',
  description: 'Search stored stories by words in their title or summary',
  options: [
    { type: ApplicationCommandOptionType.String, name: 'query', description: 'Words to look for', required: true, min_length: 2, max_length: 200 },
    { type: ApplicationCommandOptionType.String, name: 'feed', description: 'Only stories from this feed', required: false, autocomplete: true, max_length: 60 },
    { type: ApplicationCommandOptionType.String, name: 'since', description: 'Only stories newer than this: 24h, 7d, or a date such as 2026-01-31', required: false, max_length: 40 },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** "24h", "7d" (relative to now) or an ISO date; null when it is neither. */
function parseSince(text: string, now: number): number | null {
  const duration = parseDuration(text);
  if (duration !== null) return now - duration;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : date;
}

export const searchCommand = defineCommand(searchDefinition, async (_interaction, args, deps) => {
  const query = args.query.trim();
  const feed = args.feed?.trim() || undefined;
  const sinceText = args.since?.trim() || undefined;
  if (feed && !deps.feeds.get(feed)) throw new CommandError(unknownFeedMessage(feed, deps));
  const since = sinceText ? parseSince(sinceText, Date.now()) : undefined;
  if (since === null) throw new CommandError(`"${escapeDiscord(sinceText!)}" is not a time: use 24h, 7d or a date such as 2026-01-31.`);
  const articles = await deps.store.searchArticles(query, { feedId: feed, since, limit: 10 });
  const scope = [feed ? `in ${feed}` : 'in all feeds', sinceText ? `since ${sinceText}` : ''].filter(Boolean).join(' ');
  if (articles.length === 0) throw new CommandError(`Nothing found for "${escapeDiscord(query)}" ${escapeDiscord(scope)}.`);
  return {
    embeds: [{ title: `Search: ${query}`, description: renderArticleList(articles, deps.feeds.names()).text, footer: { text: `${articles.length} found ${scope}` }, color: 0x5865f2 }],
  };
});
