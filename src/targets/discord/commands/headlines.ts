import {
  ApplicationCommandOptionType,
  ButtonStyle,
  ComponentType,
  type ButtonInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Article } from '../../../articles/article.js';
import { cutText } from '../../../text/cut.js';
import { DISCORD_LIMITS } from '../fit.js';
import { escapeDiscord } from '../render.js';
import { defineCommand } from './command.js';
import { CommandError, type CommandDeps, type Reply } from './types.js';

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

/**
 * One entry per story: the title linked to the article, the source and a relative time. Whole
 * entries only, as many as fit in an embed description (4,096 characters: long article URLs add up);
 * returns the text and how many stories it shows.
 */
export function renderArticleList(articles: Article[], feedNames: ReadonlyMap<string, string>): { text: string; shown: number } {
  const entries = articles.map((article) => {
    const title = escapeDiscord(cutText(article.title, TITLE_MAX)).replace(/]/g, '\\]');
    const source = escapeDiscord(article.siteName ?? feedNames.get(article.feedId) ?? article.feedId);
    const seconds = Math.floor((article.publishedAt ?? article.firstSeenAt) / 1000);
    return `**[${title}](<${article.url}>)**\n${source} · <t:${seconds}:R>`;
  });
  let text = entries[0] ?? '';
  let shown = entries.length > 0 ? 1 : 0;
  for (const entry of entries.slice(1)) {
    if (text.length + 2 + entry.length > DISCORD_LIMITS.description) break;
    text += `\n\n${entry}`;
    shown++;
  }
  return { text, shown };
}

/** A page of headlines as message data, with a "More" button when older stories exist. */
async function headlinesPage(deps: CommandDeps, count: number, feed: string | undefined, offset: number): Promise<Reply> {
  // One extra row tells whether there is a next page.
  const rows = await deps.store.recentArticles(count + 1, feed, offset);
  const articles = rows.slice(0, count);
  if (articles.length === 0) {
    throw new CommandError(offset > 0 ? 'No older stories.' : feed ? `No stories from ${feed} yet.` : 'No stories yet: Herald has not seen any new items.');
  }
  const names = deps.feeds.names();
  const list = renderArticleList(articles, names);
  // The next page starts after the last story shown (long URLs may leave some for it).
  const more = { type: ComponentType.Button, custom_id: `${MORE_PREFIX}${offset + list.shown}:${count}:${feed ?? ''}`, label: 'More', style: ButtonStyle.Secondary } as const;
  return {
    embeds: [{ title: feed ? `Headlines: ${names.get(feed) ?? feed}` : 'Headlines', description: list.text, color: 0x5865f2 }],
    components: rows.length > list.shown ? [{ type: ComponentType.ActionRow, components: [more] }] : [],
  };
}

export const headlinesCommand = defineCommand(headlinesDefinition, async (_interaction, args, deps) => {
  const feed = args.feed?.trim() || undefined;
  if (feed && !deps.feeds.get(feed)) throw new CommandError(unknownFeedMessage(feed, deps));
  return headlinesPage(deps, args.count ?? 5, feed, 0);
});

/** The "More" button: the same list, one page older, in place of the current one. */
export async function moreHeadlines(interaction: ButtonInteraction, deps: CommandDeps): Promise<Reply> {
  const [offsetText, countText, feed] = interaction.customId.slice(MORE_PREFIX.length).split(':');
  const offset = Number(offsetText);
  const count = Number(countText);
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(count) || count < 1 || count > 10) {
    throw new CommandError('That button is out of date; run /headlines again.');
  }
  return headlinesPage(deps, count, feed || undefined, offset);
}

export function unknownFeedMessage(feed: string, deps: CommandDeps): string {
  const known = [...deps.feeds.names().keys()].slice(0, 25).join(', ') || 'none';
  return `There is no feed "${escapeDiscord(feed)}". Known feeds: ${known}.`;
}
