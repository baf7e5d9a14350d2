import { createHash } from 'node:crypto';
import { escapeMarkdown } from '@discordjs/formatters';
import type { Article } from '../../articles/article.js';
import { cutText, cutToFit } from '../../text/cut.js';
import type { DigestContent, SendContext } from '../../deliveries/target.js';
import { fillTemplate, FORBIDDEN_WEBHOOK_NAME, readDiscordDestination, type DiscordDestination, type DiscordMessageTemplate, type Placeholder } from './destination.js';
import { cutMarkdown, DISCORD_LIMITS, fitMessage } from './fit.js';


/** Our own limit for the byline footer: longer is a list of names nobody reads. Title + description + author + byline stay under the 6,000 total. */
const BYLINE_MAX = 200;

export interface DiscordMessage {
  content?: string;
  embeds: Array<{
    title?: string;
    url?: string;
    description?: string;
    color: number;
    timestamp?: string;
    author?: { name: string };
    footer?: { text: string };
    image?: { url: string };
    thumbnail?: { url: string };
    fields?: Array<{ name: string; value: string; inline?: boolean }>;
  }>;
  /** Never users or @everyone/@here; only the roles a route opted in to (Discord: allowed mentions object). */
  allowed_mentions: { parse: []; roles?: string[] };
  nonce: string;
  enforce_nonce: true;
}

/** Line starts Discord renders as a block that escapeMarkdown leaves as they are: quotes (`>`, `>>>`) and subtext (`-# `). */
const UNESCAPED_BLOCK_START = /^( *)(>|-#(?= ))/gm;

/**
 * Escapes everything Discord would render as markdown in an embed title or description (or a message):
 * inline marks, masked links, and every block a line can start: quotes `>` `>>>`, headings `#` `##` `###`,
 * subtext `-#`, lists `-` `*` `1.` (Discord's markdown: https://support.discord.com/hc/en-us/articles/210298617).
 * Discord shows an escaped character without its backslash. Not for embed author names and footers: Discord
 * renders no markdown there, so a backslash would show.
 */
export function escapeDiscord(text: string): string {
  return escapeMarkdown(escapeMentions(text), { maskedLink: true, heading: true, bulletedList: true, numberedList: true }).replace(UNESCAPED_BLOCK_START, '$1\\$2');
}

/**
 * Feed text with Discord's mention syntax broken by a zero-width space (U+200B, as discord.js's
 * cleanContent breaks `@everyone`): `@everyone`, `@here`, and `<@id>`, `<@!id>`, `<@&id>`, `<#id>`,
 * `</command:id>`, `<id:…>` (Discord's message formatting:
 * https://discord.com/developers/docs/reference#message-formatting). Discord then shows them as
 * text, never as a ping nor as a user, role, channel or command pill, in content, embeds, names of
 * threads and forum posts, and webhook names; the text reads the same. For text shown as it is
 * (no markdown); escapeDiscord does this too. Pure.
 */
export function escapeMentions(text: string): string {
  return text.replace(/@(?=everyone|here)/gi, '@\u200B').replace(/<(?=[@#/]|id:)/g, '<\u200B');
}

/** `text` cut so that, once escaped (escapeDiscord), it is at most `max` UTF-16 code units; returned escaped. */
export function fitEscaped(text: string, max: number): string {
  const escaped = escapeDiscord(text);
  if (escaped.length <= max) return escaped;
  // Escaping never shortens a text: the cheap test first.
  return escapeDiscord(cutToFit(text, (candidate) => candidate.length <= max && escapeDiscord(candidate).length <= max));
}

/**
 * The nonce Discord uses to drop a repeated send: derived from (article, channel), at most
 * 25 characters, so a retry after a crash posts nothing new and two channels never collide.
 */
export function discordNonce(articleId: string, channelId: string): string {
  return createHash('sha256').update(`${articleId}:${channelId}`).digest('hex').slice(0, 25);
}

export interface DiscordRenderOptions {
  channelId: string;
  feedName: string;
  color: number;
  /** What the route's entry says: message template, role pings (destination.ts). */
  destination?: DiscordDestination;
  /** The top-level filters the article matched when routed (for a ping that names one). */
  matches?: readonly string[];
}

/** How a delivery's context renders in a channel: its feed's style, and what its route's entry says (read and checked here). */
export function renderOptionsOf(context: SendContext): DiscordRenderOptions {
  const { style, kindOptions, matches } = context.options;
  return { channelId: context.address, feedName: style.name, color: style.color, destination: readDiscordDestination(kindOptions), matches: matches ?? [] };
}

/**
 * The values of the placeholders: escaped for places Discord renders markdown in, and for the
 * others (author, footer, webhook name) with only their mentions broken (escapeMentions).
 */
function placeholderValues(article: Article, feedName: string): { markdown: Record<Placeholder, string>; plain: Record<Placeholder, string> } {
  const plain: Record<Placeholder, string> = {
    title: article.title,
    summary: article.summary,
    url: article.url,
    site: article.siteName ?? feedName,
    author: article.author ?? '',
    published: article.publishedAt === null ? '' : `<t:${Math.floor(article.publishedAt / 1000)}:R>`,
    categories: (article.categories ?? []).join(', '),
    image: article.imageUrl ?? '',
    feed: feedName,
  };
  const fromFeed = ['title', 'summary', 'site', 'author', 'categories', 'feed'] as const;
  const markdown = Object.fromEntries(fromFeed.map((name) => [name, escapeDiscord(plain[name])]));
  const shown = Object.fromEntries(fromFeed.map((name) => [name, escapeMentions(plain[name])]));
  return { plain: { ...plain, ...shown }, markdown: { ...plain, ...markdown } };
}

/** An http(s) URL Discord accepts in an embed, or undefined (a template that filled to nothing or to text). */
function embedUrl(text: string): string | undefined {
  return /^https?:\/\/\S+$/.test(text) ? text : undefined;
}

/** The message a route's template describes for `article`, fitted to Discord's limits after substitution. */
function renderTemplate(article: Article, template: DiscordMessageTemplate, options: DiscordRenderOptions): Pick<DiscordMessage, 'content' | 'embeds'> {
  const { markdown, plain } = placeholderValues(article, options.feedName);
  const message: Pick<DiscordMessage, 'content' | 'embeds'> = { embeds: [] };
  if (template.content !== undefined) message.content = fillTemplate(template.content, markdown).trim();
  if (template.embed !== false) {
    const written = template.embed ?? {};
    const embed: DiscordMessage['embeds'][number] = { color: written.color ?? options.color };
    const title = fillTemplate(written.title ?? '{title}', markdown).trim();
    if (title) embed.title = title;
    const url = embedUrl(fillTemplate(written.url ?? '{url}', plain).trim());
    if (url && embed.title) embed.url = url;
    const description = fillTemplate(written.description ?? '{summary}', markdown).trim();
    if (description) embed.description = description;
    const author = fillTemplate(written.author ?? '{site}', plain).trim();
    if (author) embed.author = { name: author };
    const footer = fillTemplate(written.footer ?? (article.author ? 'By {author}' : ''), plain).trim();
    if (footer) embed.footer = { text: footer };
    if ((written.timestamp ?? true) && article.publishedAt !== null) embed.timestamp = new Date(article.publishedAt).toISOString();
    const image = article.imageUrl ? embedUrl(article.imageUrl) : undefined;
    if (image && written.image !== 'none') embed[written.image === 'thumbnail' ? 'thumbnail' : 'image'] = { url: image };
    const fields = (written.fields ?? [])
      .map((field) => ({ name: fillTemplate(field.name, markdown).trim(), value: fillTemplate(field.value, markdown).trim(), ...(field.inline !== undefined ? { inline: field.inline } : {}) }))
      .filter((field) => field.name && field.value);
    if (fields.length > 0) embed.fields = fields;
    message.embeds.push(embed);
  }
  return fitMessage(message);
}

/** The role mentions a route opted in to for this article: all its roles, or none when it names a filter the article did not match. */
function mentionedRoles(options: DiscordRenderOptions): string[] {
  const mention = options.destination?.mention;
  if (!mention || (mention.when !== undefined && !(options.matches ?? []).includes(mention.when))) return [];
  return mention.roles;
}

/**
 * The message for `article` in a channel: the route's template (destination.ts) when it gives one,
 * else one embed with the title linked to the article, summary, image, source and time. Pings
 * only the roles the route opted in to (allowed_mentions lists exactly them; never users, never
 * @everyone or @here). Within Discord's limits after substitution (fit.ts).
 */
export function renderDiscordMessage(article: Article, options: DiscordRenderOptions): DiscordMessage {
  const roles = mentionedRoles(options);
  const template = options.destination?.message;
  const body = template ? renderTemplate(article, template, options) : { embeds: [defaultEmbed(article, options)] };
  const pings = roles.map((role) => `<@&${role}>`).join(' ');
  const content = [pings, body.content ?? ''].filter(Boolean).join(' ');
  return {
    ...(content ? { content: pings ? cutMarkdown(content, DISCORD_LIMITS.content) : content } : {}),
    embeds: body.embeds,
    allowed_mentions: roles.length > 0 ? { parse: [], roles } : { parse: [] },
    nonce: discordNonce(article.id, options.channelId),
    enforce_nonce: true,
  };
}

/** The default message's one embed: title linked to the article, summary, image, source, time. */
function defaultEmbed(article: Article, options: DiscordRenderOptions): DiscordMessage['embeds'][number] {
  const source = article.siteName ?? options.feedName;
  const embed: DiscordMessage['embeds'][number] = {
    title: fitEscaped(article.title, DISCORD_LIMITS.title),
    url: article.url,
    color: options.color,
    author: { name: cutText(escapeMentions(source), DISCORD_LIMITS.authorName) },
  };
  if (article.summary) embed.description = fitEscaped(article.summary, DISCORD_LIMITS.description);
  if (article.author) embed.footer = { text: cutText(`By ${escapeMentions(article.author)}`, BYLINE_MAX) };
  if (article.publishedAt !== null) embed.timestamp = new Date(article.publishedAt).toISOString();
  if (article.imageUrl) embed.image = { url: article.imageUrl };
  return embed;
}

/** The name and avatar a webhook message shows, as a route writes them: templates with placeholders. */
export interface WebhookIdentity {
  /** Default "{feed}": each feed posts under its own name. */
  username?: string | undefined;
  avatar?: string | undefined;
}

/** A body for Execute Webhook: a channel message without the nonce (webhooks take none), with the name and avatar. */
export type WebhookMessage = Omit<DiscordMessage, 'nonce' | 'enforce_nonce'> & { username?: string; avatar_url?: string };

/** Discord's limit on a webhook message's name, in characters (discord.com/developers/docs/resources/webhook#execute-webhook). */
const WEBHOOK_NAME_MAX = 80;

/**
 * The body of Execute Webhook for `article` (discord.com/developers/docs/resources/webhook#execute-webhook):
 * the message renderDiscordMessage makes for a channel (template, role pings, limits), without the
 * nonce, under the name and avatar of `identity` after substitution. A name is cut to 80 characters;
 * one that fills to nothing or to a word Discord refuses ("discord", "clyde") is left out, and so is
 * an avatar that is not an http(s) URL: the webhook's own name and avatar show instead. Pure.
 */
export function renderWebhookMessage(article: Article, options: DiscordRenderOptions, identity: WebhookIdentity): WebhookMessage {
  const { nonce: _nonce, enforce_nonce: _enforce, ...message } = renderDiscordMessage(article, options);
  const { plain } = placeholderValues(article, options.feedName);
  const username = cutText(fillTemplate(identity.username ?? '{feed}', plain).replace(/\s+/g, ' ').trim(), WEBHOOK_NAME_MAX);
  const avatar = identity.avatar === undefined ? undefined : embedUrl(fillTemplate(identity.avatar, plain).trim());
  return { ...message, ...(username && !FORBIDDEN_WEBHOOK_NAME.test(username) ? { username } : {}), ...(avatar ? { avatar_url: avatar } : {}) };
}

/** The longest title a digest line shows, in UTF-16 code units: a list is read at a glance. */
const DIGEST_TITLE_MAX = 200;

/** A digest's heading, by why it was made (`count` articles in all; `part` of `parts` when it takes several messages). */
function digestHeading(digest: DigestContent, part: number, parts: number): string {
  const count = digest.articles.length;
  const heading =
    digest.cause === 'scheduled'
      ? `${digest.every === 'weekly' ? 'Weekly' : 'Daily'} digest: the top ${count}`
      : digest.cause === 'quiet'
        ? `While it was quiet: ${count} ${count === 1 ? 'post' : 'posts'}`
        : `${count} more ${count === 1 ? 'post' : 'posts'} in one message`;
  return parts > 1 ? `${heading} (${part + 1}/${parts})` : heading;
}

/** One line of a digest: the article's title linked to it (a URL Discord would not take in a link leaves the title plain). */
function digestLine(article: Article): string {
  const title = fitEscaped(article.title.replace(/\s+/g, ' ').trim() || article.url, DIGEST_TITLE_MAX);
  const url = article.url.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return url.length <= DISCORD_LIMITS.url && /^https?:\/\//.test(url) ? `- [${title}](${url})` : `- ${title}`;
}

/** A digest's name where it needs one (a forum post's title): its heading, as one message shows it. Pure. */
export function digestName(digest: DigestContent): string {
  return digestHeading(digest, 0, 1);
}

/**
 * The messages of a digest in a channel: each one embed listing titles as links, as many lines as
 * an embed description holds (4,096), in the digest's order; headed by why it was made and, when it
 * takes several, which part. Each message's nonce is derived from (digest, part, its articles,
 * channel), so posting a part again is a no-op. Mentions nobody. Pure.
 */
export function renderDigestMessages(digest: DigestContent, options: DiscordRenderOptions): DiscordMessage[] {
  const parts: Array<{ description: string; ids: string[] }> = [];
  let current: { description: string; ids: string[] } | null = null;
  for (const article of digest.articles) {
    const line = digestLine(article);
    if (current && current.description.length + 1 + line.length > DISCORD_LIMITS.description) current = null;
    if (!current) parts.push((current = { description: line, ids: [article.id] }));
    else {
      current.description += `\n${line}`;
      current.ids.push(article.id);
    }
  }
  return parts.map(({ description, ids }, part) => ({
    embeds: [{ title: digestHeading(digest, part, parts.length), description, color: options.color }],
    allowed_mentions: { parse: [] },
    // The articles it lists are in the nonce too: digest ids restart with a new database, the stories do not.
    nonce: discordNonce(`digest:${digest.id}:${part}:${ids.join(' ')}`, options.channelId),
    enforce_nonce: true,
  }));
}
