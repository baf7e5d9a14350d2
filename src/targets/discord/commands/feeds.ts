import {
  ApplicationCommandOptionType,
  ChannelType,
  MessageFlags,
  type APIEmbed,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { z } from 'zod';
import { formatDuration } from '../../../config/duration.js';
import { duration, feedId, MAX_EVERY_MS } from '../../../config/schema.js';
import type { ParsedFeed } from '../../../sources/feed.js';
import { FetchError } from '../../../sources/http.js';
import { discoverFeed, type Discovery } from '../../../sources/discover.js';
import { redactUrlSecrets } from '../../../ops/redact.js';
import { cutText } from '../../../text/cut.js';
import { decodeBytes } from '../../../sources/decode.js';
import { feedIdFor, feedsFromOpml, importableUrl, OpmlError } from '../../../sources/opml.js';
import { feedUrlKey, safeHttpUrl } from '../../../text/url.js';
import { echoUrl } from '../fit.js';
import { escapeDiscord, renderDiscordMessage } from '../render.js';
import { discordSettings } from '../settings.js';
import { readAddedFeedOptions, readTypedWords, type AddedFeedOptions } from '../added-feed.js';
import type { CommandArgs } from './args.js';
import { defineCommand } from './command.js';
import { counted } from '../../../text/count.js';
import { requireManageGuild } from './guards.js';
import { parseWebhookUrl } from '../../discord-webhook/env.js';
import { seal } from '../../../ops/seal.js';
import { friendlyFetchFailure } from './summary.js';
import type { ListedFeed } from '../../catalog.js';
import { CommandError, type CommandDeps, type Reply } from './types.js';

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
        { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Where to post (default: this channel)', required: false, channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum, ChannelType.GuildMedia] },
        { type: ApplicationCommandOptionType.String, name: 'every', description: 'How often to check: 5m, 1h, … (default 5m)', required: false, max_length: 20 },
        { type: ApplicationCommandOptionType.String, name: 'include', description: 'Post only stories with one of these words: heat pump, solar (default: every story)', required: false, max_length: 500 },
        { type: ApplicationCommandOptionType.String, name: 'exclude', description: 'Never post stories with one of these words: sponsored, advert', required: false, max_length: 500 },
        { type: ApplicationCommandOptionType.Role, name: 'mention', description: 'A role to ping with each post (default: none)', required: false },
        { type: ApplicationCommandOptionType.String, name: 'webhook', description: 'Post through this webhook URL instead of the bot (kept encrypted)', required: false, max_length: 300 },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'remove', description: 'Stop watching a feed added from Discord (Manage Server)', options: [feedIdOption('The feed to remove')] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'pause', description: 'Pause a feed added from Discord (Manage Server)', options: [feedIdOption('The feed to pause')] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'resume', description: 'Resume a paused feed (Manage Server)', options: [feedIdOption('The feed to resume')] },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'import',
      description: 'Watch the feeds of an OPML file and post their new stories here (Manage Server)',
      options: [{ type: ApplicationCommandOptionType.Attachment, name: 'file', description: 'An OPML subscription list (from Feedly, Inoreader, herald feeds export, …)', required: true }],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'test',
      description: 'Show what a feed’s newest stories would look like; posts nothing (Manage Server)',
      options: [{ type: ApplicationCommandOptionType.String, name: 'url', description: 'The feed’s address', required: true, max_length: 2000 }],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** The options of one /feeds subcommand, as its definition declares them. */
type SubcommandArgs<S extends string> = Extract<CommandArgs<typeof feedsDefinition>, { subcommand: S }>;

const DEFAULT_EVERY_MS = 5 * 60_000;

/**
 * How a refusal names the controls of the place a feed was asked for: the slash command's options
 * (`id`, `/feeds list`), or the dashboard's fields and pages. One set of checks, each place's words.
 */
export interface FeedControls {
  /** The control that takes a feed's id or its poll interval. */
  field: Record<'id' | 'every', string>;
  /** How to ask for another id. */
  pickId: string;
  /** Where every feed is listed. */
  list: string;
  /** What feeds added in this place are called ("feeds added from Discord"). */
  added: string;
}

/** The slash commands' controls (/feeds add, remove, pause, resume). */
const SLASH_CONTROLS: FeedControls = { field: { id: '`id`', every: '`every`' }, pickId: 'pick another with the `id` option', list: '`/feeds list`', added: 'feeds added from Discord' };

/** What /feeds add accepts for `id` and `every`: the config file's own rules (config/schema.ts). */
const addedFeedSchema = z.object({ id: feedId.max(60, 'expected at most 60 characters'), every: duration(1_000, MAX_EVERY_MS, 'm').optional() });

/** A feed id from an address: news.example.com/rss → news-example-com. */
function idFromUrl(url: string): string {
  const host = new URL(url).hostname.replace(/^www\./, '');
  return host.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'feed';
}

/**
 * How many feeds added from Discord post into one guild: those whose channel is one of the guild's
 * (`channelIds`, from the gateway's cache). Without that list every Discord feed counts, so the cap
 * errs on the safe side.
 */
export function feedsInGuild(feeds: readonly ListedFeed[], channelIds: ReadonlySet<string> | null): number {
  return feeds.filter((feed) => feed.source === 'discord' && feed.channelId !== null && (channelIds === null || channelIds.has(feed.channelId))).length;
}

/** Refuses a new feed when the guild has as many as `discord.maxFeedsPerGuild` allows. */
function checkGuildCap(interaction: ChatInputCommandInteraction, deps: CommandDeps): void {
  const cap = discordSettings(deps.feeds.current()).maxFeedsPerGuild;
  const channels = interaction.guild ? new Set(interaction.guild.channels.cache.keys()) : null;
  const count = feedsInGuild(deps.feeds.list(), channels);
  if (count >= cap) {
    throw new CommandError(
      `This server has ${count} feeds added from Discord, and this Herald allows at most ${cap} per server. Remove one with \`/feeds remove\` first (the limit is the config key discord.maxFeedsPerGuild).`,
    );
  }
}

/**
 * The feed at `url`, or the one feed the page at `url` leads to (sources/discover.ts), with the URL
 * it was read from. Throws CommandError saying why not, listing the feeds to pick from when the
 * page links several (`after`: what that meant).
 */
export async function readFeed(deps: Pick<CommandDeps, 'http' | 'feedLimits' | 'reach'>, url: string, after = ''): Promise<{ url: string; feed: ParsedFeed }> {
  let found: Discovery;
  try {
    found = await discoverFeed(deps.http.withPrivateNetwork(deps.reach.privateNetwork), url, deps.feedLimits);
  } catch (error) {
    const reason = error instanceof FetchError ? friendlyFetchFailure({ kind: error.kind, status: error.status, reason: error.message }) : (error as Error).message;
    throw new CommandError(`Could not read a feed at ${echoUrl(url)}: ${redactUrlSecrets(reason)}.${after}`);
  }
  if (found.status === 'feed') return { url: found.fetched.url, feed: found.fetched.feed };
  if (found.status === 'none') throw new CommandError(`${echoUrl(url)} is a web page that links no feed, and none answers at its site's usual feed addresses (/feed, /rss, /atom.xml…).${after}`);
  const listed = found.candidates.slice(0, 10).map((candidate) => `• ${candidate.title ? `${escapeDiscord(cutText(candidate.title, 100))}: ` : ''}${echoUrl(candidate.url)}`);
  throw new CommandError(`${echoUrl(url)} is a web page that links ${found.candidates.length} feeds; give one of them:\n${listed.join('\n')}${after}`);
}

/** The longest text of one added feed's words and role in /feeds list, in UTF-16 code units. */
const MAX_LISTED_OPTIONS = 300;
/** An embed description's limit (discord.com/developers/docs/resources/message#embed-object-embed-limits), in UTF-16 code units. */
const MAX_EMBED_DESCRIPTION = 4096;

/**
 * /feeds list: each feed's id, name, channel, source and interval, and for a feed added here the
 * words and role /feeds add gave it (escaped, cut to MAX_LISTED_OPTIONS); as many feeds (at most 40)
 * as an embed description holds, then how many more there are.
 */
function list(deps: CommandDeps): Reply {
  const feeds = deps.feeds.list();
  if (feeds.length === 0) throw new CommandError('Herald watches no feeds yet. Moderators can add one with `/feeds add`.');
  const all = feeds.map((feed) => {
    const where = feed.channelId ? ` → <#${feed.channelId}>` : '';
    const watch = deps.watch?.watchOf(feed.id);
    const why = watch && watch.reason !== 'every' ? `, set by ${watch.reason}` : '';
    const polling = watch?.pushed ? `pushed, safety poll every ${formatDuration(watch.everyMs)}` : `every ${formatDuration(watch?.everyMs ?? feed.everyMs)}${why}`;
    const flags = [feed.source === 'config' ? 'config file' : 'added here', feed.paused ? 'paused' : polling].join(', ');
    const options = feed.source === 'discord' ? cutText(optionsText(readAddedFeedOptions(feed.options)), MAX_LISTED_OPTIONS) : '';
    return `\`${feed.id}\` ${escapeDiscord(cutText(feed.name, 100))}${where} (${flags})${options}`;
  });
  const more = (shown: number) => (shown < feeds.length ? `\n…and ${feeds.length - shown} more` : '');
  const lines: string[] = [];
  for (const line of all.slice(0, 40)) {
    if ([...lines, line].join('\n').length + more(lines.length + 1).length > MAX_EMBED_DESCRIPTION) break;
    lines.push(line);
  }
  return { embeds: [{ title: `Feeds (${feeds.length})`, description: lines.join('\n') + more(lines.length), color: 0x5865f2 }], ephemeral: true };
}

/**
 * Checks a feed someone asks to add (from Discord or the dashboard) by the config file's rules
 * (config/schema.ts: id, every) and `discord.minEvery`; the id defaults to one made from the
 * address. Returns the feed's address, id and interval (ms). Throws CommandError listing every
 * problem, or naming the feed that has the id already, in the words of `controls` (where it was asked).
 */
export function checkNewFeed(deps: Pick<CommandDeps, 'feeds'>, request: { url: string; id?: string | null; every?: string | null }, controls: FeedControls = SLASH_CONTROLS): { url: string; id: string; everyMs: number } {
  const url = safeHttpUrl(request.url);
  const minEveryMs = discordSettings(deps.feeds.current()).minEveryMs;
  const problems: string[] = [];
  if (!url) problems.push('the address must start with http:// or https://');
  const parsed = addedFeedSchema.safeParse({ id: (request.id?.trim() || (url ? idFromUrl(url) : 'feed')).toLowerCase(), every: request.every?.trim() || undefined });
  if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => `${controls.field[issue.path[0] as 'id' | 'every'] ?? issue.path.join('.')}: ${issue.message}`));
  const everyMs = parsed.data?.every ?? DEFAULT_EVERY_MS;
  if (parsed.success && everyMs < minEveryMs) {
    problems.push(`${controls.field.every} must be at least ${formatDuration(minEveryMs)} for ${controls.added}, so that no site is polled too often`);
  }
  if (!url || !parsed.success || problems.length > 0) throw new CommandError(`Cannot add that feed: ${problems.join('; ')}.`);
  const { id } = parsed.data;
  if (deps.feeds.get(id)) throw new CommandError(`A feed with id \`${id}\` exists already; ${controls.pickId}.`);
  return { url, id, everyMs };
}

/**
 * The webhook /feeds add's `webhook` names, its URL sealed with HERALD_SECRET_KEY (ops/seal.ts) so the
 * database never holds the token in clear; undefined without one. Throws CommandError without the key,
 * or for anything but a Discord webhook URL (the rule of the config's url_env: discord-webhook/env.ts),
 * never quoting what was typed (it holds a secret).
 */
function addedWebhook(typed: string | undefined, deps: Pick<CommandDeps, 'secretKey' | 'webhookApiUrl'>): AddedFeedOptions['webhook'] {
  if (!typed?.trim()) return undefined;
  if (!deps.secretKey) throw new CommandError('Cannot add that feed: this Herald keeps no webhook URLs, as HERALD_SECRET_KEY is not set (its operator can make one with `openssl rand -base64 32`). Nothing was added.');
  const webhook = parseWebhookUrl(typed, deps.webhookApiUrl);
  if (!webhook) throw new CommandError('Cannot add that feed: `webhook` must be a Discord webhook URL such as https://discord.com/api/webhooks/<id>/<token> (in Discord: the channel’s settings, Integrations, Webhooks, Copy Webhook URL). Nothing was added.');
  return { id: webhook.id, sealed: seal(typed.trim(), deps.secretKey) };
}

/** What /feeds add's `include`, `exclude` and `mention` say, checked (added-feed.ts); throws CommandError naming what is wrong. */
function addedOptions(args: SubcommandArgs<'add'>): AddedFeedOptions {
  const include = readTypedWords(args.include, '`include`');
  const exclude = readTypedWords(args.exclude, '`exclude`');
  const problems = [include, exclude].flatMap((read) => ('problem' in read ? [read.problem] : []));
  if (problems.length > 0 || 'problem' in include || 'problem' in exclude) throw new CommandError(`Cannot add that feed: ${problems.join('; ')}.`);
  return { ...(include.words.length > 0 ? { include: include.words } : {}), ...(exclude.words.length > 0 ? { exclude: exclude.words } : {}), ...(args.mention ? { mention: args.mention } : {}) };
}

/** The reply's words for what an added feed's options do. */
function optionsText(options: AddedFeedOptions): string {
  const quoted = (words: string[]) => words.map((word) => `“${escapeDiscord(word)}”`).join(', ');
  const parts = [
    options.include ? `only stories with ${quoted(options.include)}` : null,
    options.exclude ? `never stories with ${quoted(options.exclude)}` : null,
    options.mention ? `pinging <@&${options.mention}>` : null,
  ].filter((part): part is string => part !== null);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

async function add(interaction: ChatInputCommandInteraction, args: SubcommandArgs<'add'>, deps: CommandDeps): Promise<Reply> {
  const { url, id, everyMs } = checkNewFeed(deps, args);
  const webhook = addedWebhook(args.webhook, deps);
  const options: AddedFeedOptions = { ...addedOptions(args), ...(webhook ? { webhook } : {}) };
  checkGuildCap(interaction, deps);
  const channelId = args.channel ?? interaction.channelId;
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const { url: feedUrl, feed } = await readFeed(deps, url, ' Nothing was added.');
  // Checked again just before adding: other adds may have landed while the feed was fetched.
  checkGuildCap(interaction, deps);
  const outcome = await deps.feeds.add({
    id,
    url: feedUrl,
    everyMs,
    backfill: 0,
    name: feed.title ? cutText(feed.title, 100) : id,
    channelId,
    paused: false,
    addedBy: interaction.user.id,
    createdAt: Date.now(),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  });
  if (outcome !== 'added') throw new CommandError(`A feed with id \`${id}\` exists already.`);
  const title = feed.title ? escapeDiscord(cutText(feed.title, 200)) : echoUrl(url);
  return {
    content: `Added \`${id}\` (${title}, ${counted(feed.items.length, 'item')} now). New stories will be posted ${webhook ? `through webhook ${webhook.id}` : `in <#${channelId}>`}${optionsText(options)}; it is checked every ${formatDuration(everyMs)}.`,
  };
}

/**
 * Removes, pauses or resumes a feed added from Discord or the dashboard (feeds of the config file
 * are changed there). Returns what was done, in words; throws CommandError saying why not, in the
 * words of `controls` (where it was asked).
 */
export async function changeFeed(deps: Pick<CommandDeps, 'feeds'>, action: 'remove' | 'pause' | 'resume', feedId: string, controls: FeedControls = SLASH_CONTROLS): Promise<string> {
  const id = feedId.trim();
  const feed = deps.feeds.get(id);
  if (!feed) throw new CommandError(`There is no feed \`${escapeDiscord(id)}\`. ${controls.list} shows them all.`);
  if (feed.source === 'config') throw new CommandError(`\`${id}\` comes from the config file; change it there (only ${controls.added} can be changed here).`);
  const done = action === 'remove' ? await deps.feeds.remove(id) : await deps.feeds.setPaused(id, action === 'pause');
  if (!done) throw new CommandError(`Could not change \`${id}\`; try again.`);
  return `${{ remove: 'Removed', pause: 'Paused', resume: 'Resumed' }[action]} \`${id}\`.`;
}

async function test(interaction: ChatInputCommandInteraction, args: SubcommandArgs<'test'>, deps: CommandDeps): Promise<Reply> {
  const url = safeHttpUrl(args.url);
  if (!url) throw new CommandError('Give a feed address starting with http:// or https://.');
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const { feed } = await readFeed(deps, url);
  const newest = [...feed.items].sort((a, b) => (b.publishedAt?.getTime() ?? 0) - (a.publishedAt?.getTime() ?? 0)).slice(0, 3);
  const embeds: APIEmbed[] = [];
  for (const item of newest) {
    const { article } = await deps.articles.prepare({ feedId: 'test', feedName: feed.title ?? 'test', siteName: null, item }, deps.reach);
    if (article) embeds.push(renderDiscordMessage(article, { channelId: interaction.channelId, feedName: feed.title ?? 'test', color: 0x5865f2 }).embeds[0]!);
  }
  const title = feed.title ? escapeDiscord(cutText(feed.title, 200)) : echoUrl(url);
  return { content: `${title}: ${counted(feed.items.length, 'item')} (${feed.format}). The newest would be posted like this; nothing was posted.`, embeds };
}

/** Largest OPML file /feeds import reads, in bytes. */
const MAX_OPML_BYTES = 1_000_000;

/**
 * /feeds import: the feeds of an attached OPML file that Herald does not watch yet (by URL) become
 * Discord feeds posting to this channel, with the usual id and interval rules, up to the server's
 * `discord.maxFeedsPerGuild`. Feeds are not fetched one by one (a list may hold hundreds); each is
 * read at its first poll.
 */
async function importFeeds(interaction: ChatInputCommandInteraction, deps: CommandDeps): Promise<Reply> {
  const attachment = interaction.options.getAttachment('file', true);
  if (attachment.size > MAX_OPML_BYTES) throw new CommandError(`That file is ${attachment.size} bytes; an OPML file of at most ${MAX_OPML_BYTES} bytes is read.`);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  let opml;
  try {
    const file = await deps.http.withPrivateNetwork(deps.reach.privateNetwork).fetch(attachment.url, { accept: 'text/x-opml, application/xml, text/xml, */*;q=0.5', maxBytes: MAX_OPML_BYTES, timeoutMs: deps.feedLimits.timeoutMs });
    if (file.status !== 'ok') throw new CommandError('Discord did not send the file; try again.');
    opml = feedsFromOpml(decodeBytes(file.body, null));
  } catch (error) {
    if (error instanceof OpmlError) throw new CommandError(`That is not an OPML file: ${escapeDiscord(error.message)}. Nothing was added.`);
    if (error instanceof FetchError) throw new CommandError(`Could not read the file: ${escapeDiscord(error.message)}. Nothing was added.`);
    throw error;
  }
  const watched = new Set(deps.feeds.list().map((feed) => feedUrlKey(feed.url) ?? feed.url));
  const skipped: string[] = [];
  const cap = discordSettings(deps.feeds.current()).maxFeedsPerGuild;
  const channels = interaction.guild ? new Set(interaction.guild.channels.cache.keys()) : null;
  const everyMs = Math.max(DEFAULT_EVERY_MS, discordSettings(deps.feeds.current()).minEveryMs);
  let added = 0;
  let already = 0;
  let overCap = 0;
  for (const entry of opml) {
    const importable = importableUrl(entry.url, deps.reach.privateNetwork);
    if ('problem' in importable) {
      skipped.push(`${echoUrl(cutText(entry.url, 80))}: ${importable.problem}`);
      continue;
    }
    const key = importable.url;
    if (watched.has(key)) {
      already++;
      continue;
    }
    if (feedsInGuild(deps.feeds.list(), channels) >= cap) {
      overCap++;
      continue;
    }
    const base = feedIdFor(entry);
    let id = base;
    for (let n = 2; deps.feeds.get(id); n++) id = `${base}-${n}`;
    const name = entry.title ? cutText(entry.title, 100) : id;
    const outcome = await deps.feeds.add({ id, url: key, everyMs, backfill: 0, name, channelId: interaction.channelId, paused: false, addedBy: interaction.user.id, createdAt: Date.now() });
    if (outcome === 'added') {
      added++;
      watched.add(key);
    }
  }
  const notes = [skipped.length > 0 ? `${skipped.length} skipped (${skipped.slice(0, 3).join('; ')}${skipped.length > 3 ? '; …' : ''})` : '', already > 0 ? `${counted(already, 'feed')} already watched` : '', overCap > 0 ? `${overCap} left out: this server may add at most ${cap} (discord.maxFeedsPerGuild)` : ''].filter(Boolean);
  return {
    content: `Imported ${counted(added, 'feed')} from ${escapeDiscord(cutText(attachment.name, 100))}; new stories will be posted in <#${interaction.channelId}>, each feed checked every ${formatDuration(everyMs)}.${notes.length > 0 ? ` (${notes.join('; ')}.)` : ''}`,
  };
}

export const feedsCommand = defineCommand(feedsDefinition, async (interaction, args, deps) => {
  if (args.subcommand === 'list') return list(deps);
  requireManageGuild(interaction);
  switch (args.subcommand) {
    case 'add':
      return add(interaction, args, deps);
    case 'remove':
    case 'pause':
    case 'resume':
      return { content: await changeFeed(deps, args.subcommand, args.id), ephemeral: true };
    case 'test':
      return test(interaction, args, deps);
    case 'import':
      return importFeeds(interaction, deps);
  }
});
