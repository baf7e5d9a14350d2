import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  MessageFlags,
  type ButtonInteraction,
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
    { type: ApplicationCommandOptionType.String, name: 'feed', description: 'Only stories from this feed', required: false, autocomplete: true, max_length: 60 },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const TITLE_MAX = 150;
export const MORE_PREFIX = 'headlines:more:';

/** One line per story: the title linked to the article, the source and a relative time. */
export function renderArticleList(articles: StoredArticle[], feedNames: ReadonlyMap<string, string>): string {
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

/** A page of headlines as message data, with a "More" button when older stories exist. */
async function headlinesPage(deps: CommandDeps, count: number, feed: string | undefined, offset: number) {
  // One extra row tells whether there is a next page.
  const rows = await deps.store.recentArticles(count + 1, feed, offset);
  const articles = rows.slice(0, count);
  const names = deps.feeds.names();
  const components =
    rows.length > count
      ? [new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId(`${MORE_PREFIX}${offset + count}:${count}:${feed ?? ''}`).setLabel('More').setStyle(ButtonStyle.Secondary))]
      : [];
  return {
    articles,
    message: {
      embeds: [{ title: feed ? `Headlines: ${names.get(feed) ?? feed}` : 'Headlines', description: renderArticleList(articles, names), color: 0x5865f2 }],
      components,
      allowedMentions: { parse: [] },
    },
  };
}

export async function runHeadlines(interaction: ChatInputCommandInteraction, deps: CommandDeps): Promise<void> {
  const count = interaction.options.getInteger('count') ?? 5;
  const feed = interaction.options.getString('feed')?.trim() || undefined;
  if (count < 1 || count > 10) {
    await interaction.reply({ content: 'Count must be between 1 and 10.', flags: MessageFlags.Ephemeral });
    return;
  }
  if (feed && !deps.feeds.get(feed)) {
    await interaction.reply({ content: unknownFeedMessage(feed, deps), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    return;
  }
  const page = await headlinesPage(deps, count, feed, 0);
  if (page.articles.length === 0) {
    await interaction.reply({ content: feed ? `No stories from ${feed} yet.` : 'No stories yet: Herald has not seen any new items.', flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.reply(page.message);
}

/** The "More" button: the same list, one page older, in place of the current one. */
export async function moreHeadlines(interaction: ButtonInteraction, deps: CommandDeps): Promise<void> {
  const [offsetText, countText, feed] = interaction.customId.slice(MORE_PREFIX.length).split(':');
  const offset = Number(offsetText);
  const count = Number(countText);
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(count) || count < 1 || count > 10) {
    await interaction.reply({ content: 'That button is out of date; run /headlines again.', flags: MessageFlags.Ephemeral });
    return;
  }
  const page = await headlinesPage(deps, count, feed || undefined, offset);
  if (page.articles.length === 0) {
    await interaction.reply({ content: 'No older stories.', flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.update(page.message);
}

export function unknownFeedMessage(feed: string, deps: CommandDeps): string {
  const known = [...deps.feeds.names().keys()].slice(0, 25).join(', ') || 'none';
  return `There is no feed "${escapeDiscord(feed)}". Known feeds: ${known}.`;
}
