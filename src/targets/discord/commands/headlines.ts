import {
  ApplicationCommandOptionType,
  MessageFlags,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { StoredArticle } from '../../../store/store.js';
import { escapeDiscord } from '../render.js';
import type { CommandDeps } from './types.js';

export const headlinesDefinition = {
  name: 'headlines',
  description: 'The newest stories Herald has picked up',
  options: [
    { type: ApplicationCommandOptionType.Integer, name: 'count', description: 'How many stories (1–10, default 5)', min_value: 1, max_value: 10, required: false },
    { type: ApplicationCommandOptionType.String, name: 'feed', description: 'Only stories from this feed', required: false, autocomplete: true, max_length: 100 },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const TITLE_MAX = 150;

/** One line per story: the title linked to the article, the source and a relative time. */
export function renderHeadlines(articles: StoredArticle[], feedNames: ReadonlyMap<string, string>): string {
  return articles
    .map((article) => {
      const rawTitle = article.title.length > TITLE_MAX ? `${article.title.slice(0, TITLE_MAX - 1)}…` : article.title;
      const title = escapeDiscord(rawTitle).replace(/]/g, '\\]');
      const source = escapeDiscord(article.siteName ?? feedNames.get(article.feedId) ?? article.feedId);
      const seconds = Math.floor((article.publishedAt ?? article.firstSeenAt) / 1000);
      return `**[${title}](<${article.url}>)**\n${source} · <t:${seconds}:R>`;
    })
    .join('\n\n');
}

export async function runHeadlines(interaction: ChatInputCommandInteraction, deps: CommandDeps): Promise<void> {
  const count = interaction.options.getInteger('count') ?? 5;
  const feed = interaction.options.getString('feed')?.trim() || undefined;
  const feedNames = deps.feedNames();
  if (count < 1 || count > 10) {
    await interaction.reply({ content: 'Count must be between 1 and 10.', flags: MessageFlags.Ephemeral });
    return;
  }
  if (feed && !feedNames.has(feed)) {
    const known = [...feedNames.keys()].slice(0, 25).join(', ') || 'none';
    await interaction.reply({ content: `There is no feed "${escapeDiscord(feed)}". Known feeds: ${known}.`, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    return;
  }
  const articles = await deps.store.recentArticles(count, feed);
  if (articles.length === 0) {
    await interaction.reply({ content: feed ? `No stories from ${feed} yet.` : 'No stories yet: Herald has not seen any new items.', flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.reply({
    embeds: [{ title: feed ? `Headlines: ${feedNames.get(feed)}` : 'Headlines', description: renderHeadlines(articles, feedNames), color: 0x5865f2 }],
    allowedMentions: { parse: [] },
  });
}

export async function autocompleteFeeds(interaction: AutocompleteInteraction, deps: CommandDeps): Promise<void> {
  const typed = interaction.options.getFocused().toLowerCase();
  const choices = [...deps.feedNames()]
    .filter(([id, name]) => id.includes(typed) || name.toLowerCase().includes(typed))
    .slice(0, 25)
    .map(([id, name]) => ({ name: name === id ? id : `${name} (${id})`.slice(0, 100), value: id }));
  await interaction.respond(choices);
}
