import {
  ApplicationCommandOptionType,
  ChannelType,
  MessageFlags,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { buildArticle } from '../../../articles/article.js';
import { safeHttpUrl } from '../../../articles/identity.js';
import { loadArticlePage } from '../../../articles/load.js';
import { parseDuration, formatDuration } from '../../../config/duration.js';
import { redactUrlSecrets } from '../../../ops/redact.js';
import type { ParsedFeed } from '../../../sources/feed.js';
import { FetchError } from '../../../sources/http.js';
import { loadFeed } from '../../../sources/load.js';
import { escapeDiscord, renderDiscordMessage } from '../render.js';
import { requireManageGuild } from './guards.js';
import { friendlyFetchFailure } from './summary.js';
import type { CommandDeps } from './types.js';

const feedIdOption = (description: string) =>
  ({ type: ApplicationCommandOptionType.String, name: 'id', description, required: true, autocomplete: true, max_length: 60 }) as const;

export const feedsDefinition = {
  name: 'feeds',
  description: 'The feeds Herald watches',
  // Not default_member_permissions: that would hide /feeds list from everyone. Managing
  // subcommands check Manage Server in the handler instead (guards.ts).
  dm_permission: false,
  options: [
    { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'List the feeds Herald watches' },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'add',
      description: 'Watch a new feed and post its new stories here (Manage Server)',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'url', description: 'The feed’s address (RSS, Atom, RDF or JSON Feed)', required: true, max_length: 2000 },
        { type: ApplicationCommandOptionType.String, name: 'id', description: 'A short id: lower-case letters, digits, dashes (default: from the address)', required: false, max_length: 60 },
        { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Where to post (default: this channel)', required: false, channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement] },
        { type: ApplicationCommandOptionType.String, name: 'every', description: 'How often to check: 5m, 1h, … (default 5m)', required: false, max_length: 20 },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'remove', description: 'Stop watching a feed added from Discord (Manage Server)', options: [feedIdOption('The feed to remove')] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'pause', description: 'Pause a feed added from Discord (Manage Server)', options: [feedIdOption('The feed to pause')] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'resume', description: 'Resume a paused feed (Manage Server)', options: [feedIdOption('The feed to resume')] },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'test',
      description: 'Show what a feed’s newest stories would look like; posts nothing (Manage Server)',
      options: [{ type: ApplicationCommandOptionType.String, name: 'url', description: 'The feed’s address', required: true, max_length: 2000 }],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const DEFAULT_EVERY_MS = 5 * 60_000;

/** A feed id from an address: news.example.com/rss → news-example-com. */
export function idFromUrl(url: string): string {
  const host = new URL(url).hostname.replace(/^www\./, '');
  return host.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'feed';
}

async function fetchFeed(deps: CommandDeps, url: string): Promise<{ ok: true; feed: ParsedFeed } | { ok: false; reason: string }> {
  try {
    return { ok: true, feed: await loadFeed(deps.http, url, { maxBytes: 10_000_000, timeoutMs: deps.pageLimits.timeoutMs }) };
  } catch (error) {
    if (error instanceof FetchError) return { ok: false, reason: friendlyFetchFailure(`${error.kind}: ${error.message}`) };
    return { ok: false, reason: (error as Error).message };
  }
}

async function list(interaction: ChatInputCommandInteraction, deps: CommandDeps): Promise<void> {
  const feeds = deps.feeds.list();
  if (feeds.length === 0) {
    await interaction.reply({ content: 'Herald watches no feeds yet. Moderators can add one with `/feeds add`.', flags: MessageFlags.Ephemeral });
    return;
  }
  const lines = feeds.slice(0, 40).map((feed) => {
    const where = feed.channelId ? ` → <#${feed.channelId}>` : '';
    const flags = [feed.source === 'config' ? 'config file' : 'added here', feed.paused ? 'paused' : `every ${formatDuration(feed.everyMs)}`].join(', ');
    return `\`${feed.id}\` ${escapeDiscord(feed.name)}${where} (${flags})`;
  });
  if (feeds.length > 40) lines.push(`…and ${feeds.length - 40} more`);
  await interaction.reply({ embeds: [{ title: `Feeds (${feeds.length})`, description: lines.join('\n'), color: 0x5865f2 }], flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}

async function add(interaction: ChatInputCommandInteraction, deps: CommandDeps): Promise<void> {
  const url = safeHttpUrl(interaction.options.getString('url', true));
  const everyText = interaction.options.getString('every')?.trim();
  const everyMs = everyText ? parseDuration(everyText) : DEFAULT_EVERY_MS;
  const channelId = interaction.options.getChannel('channel')?.id ?? interaction.channelId;
  const problems: string[] = [];
  if (!url) problems.push('the address must start with http:// or https://');
  if (everyMs === null || everyMs < 1_000 || everyMs > 7 * 86_400_000) problems.push(`"every" must be a duration such as 5m or 1h`);
  const id = (interaction.options.getString('id')?.trim() || (url ? idFromUrl(url) : '')).toLowerCase();
  if (url && !/^[a-z0-9-]{1,60}$/.test(id)) problems.push('the id may only hold lower-case letters, digits and dashes');
  if (problems.length > 0) {
    await interaction.reply({ content: `Cannot add that feed: ${problems.join('; ')}.`, flags: MessageFlags.Ephemeral });
    return;
  }
  if (deps.feeds.get(id)) {
    await interaction.reply({ content: `A feed with id \`${id}\` exists already; pick another with the \`id\` option.`, flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const fetched = await fetchFeed(deps, url!);
  if (!fetched.ok) {
    await interaction.editReply({ content: `Could not read a feed at <${redactUrlSecrets(url!)}>: ${redactUrlSecrets(fetched.reason)}. Nothing was added.` });
    return;
  }
  const outcome = await deps.feeds.add({
    id,
    url: url!,
    everyMs: everyMs!,
    backfill: 0,
    name: fetched.feed.title?.slice(0, 100) ?? id,
    channelId,
    paused: false,
    addedBy: interaction.user.id,
    createdAt: Date.now(),
  });
  await interaction.editReply({
    content:
      outcome === 'added'
        ? `Added \`${id}\` (${escapeDiscord(fetched.feed.title ?? redactUrlSecrets(url!))}, ${fetched.feed.items.length} items now). New stories will be posted in <#${channelId}>; it is checked every ${formatDuration(everyMs!)}.`
        : `A feed with id \`${id}\` exists already.`,
    allowedMentions: { parse: [] },
  });
}

async function change(interaction: ChatInputCommandInteraction, deps: CommandDeps, action: 'remove' | 'pause' | 'resume'): Promise<void> {
  const id = interaction.options.getString('id', true).trim();
  const feed = deps.feeds.get(id);
  if (!feed) {
    await interaction.reply({ content: `There is no feed \`${escapeDiscord(id)}\`. \`/feeds list\` shows them all.`, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    return;
  }
  if (feed.source === 'config') {
    await interaction.reply({ content: `\`${id}\` comes from the config file; change it there (Discord can only change feeds added with /feeds add).`, flags: MessageFlags.Ephemeral });
    return;
  }
  const done = action === 'remove' ? await deps.feeds.remove(id) : await deps.feeds.setPaused(id, action === 'pause');
  const verb = { remove: 'Removed', pause: 'Paused', resume: 'Resumed' }[action];
  await interaction.reply({ content: done ? `${verb} \`${id}\`.` : `Could not change \`${id}\`; try again.`, flags: MessageFlags.Ephemeral });
}

async function test(interaction: ChatInputCommandInteraction, deps: CommandDeps): Promise<void> {
  const url = safeHttpUrl(interaction.options.getString('url', true));
  if (!url) {
    await interaction.reply({ content: 'Give a feed address starting with http:// or https://.', flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const fetched = await fetchFeed(deps, url);
  if (!fetched.ok) {
    await interaction.editReply({ content: `Could not read a feed at <${redactUrlSecrets(url)}>: ${redactUrlSecrets(fetched.reason)}.` });
    return;
  }
  const newest = [...fetched.feed.items].sort((a, b) => (b.publishedAt?.getTime() ?? 0) - (a.publishedAt?.getTime() ?? 0)).slice(0, 3);
  const embeds = [];
  for (const item of newest) {
    const page = item.url ? await loadArticlePage(deps.http, item.url, deps.pageLimits) : null;
    const article = buildArticle({ feedId: 'test', feedName: fetched.feed.title ?? 'test', item, page: page?.ok ? page.page : null }, deps.summary, Date.now());
    if (article) embeds.push(renderDiscordMessage(article, { channelId: interaction.channelId, feedName: fetched.feed.title ?? 'test', color: 0x5865f2 }).embeds[0]!);
  }
  await interaction.editReply({
    content: `${escapeDiscord(fetched.feed.title ?? redactUrlSecrets(url))}: ${fetched.feed.items.length} items (${fetched.feed.format}). The newest would be posted like this; nothing was posted.`,
    embeds,
    allowedMentions: { parse: [] },
  });
}

export async function runFeeds(interaction: ChatInputCommandInteraction, deps: CommandDeps): Promise<void> {
  const subcommand = interaction.options.getSubcommand();
  if (subcommand === 'list') return list(interaction, deps);
  if (!(await requireManageGuild(interaction))) return;
  switch (subcommand) {
    case 'add':
      return add(interaction, deps);
    case 'remove':
    case 'pause':
    case 'resume':
      return change(interaction, deps, subcommand);
    case 'test':
      return test(interaction, deps);
    default:
      await interaction.reply({ content: `Unknown subcommand ${subcommand}.`, flags: MessageFlags.Ephemeral });
  }
}
