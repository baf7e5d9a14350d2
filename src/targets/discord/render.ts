import { createHash } from 'node:crypto';
import { escapeMarkdown } from 'discord.js';
import type { Article } from '../../articles/article.js';
import { cutText, cutToFit } from '../../text/cut.js';
import { DISCORD_LIMITS } from './fit.js';


/** Our own limit for the byline footer: longer is a list of names nobody reads. Title + description + author + byline stay under the 6,000 total. */
const BYLINE_MAX = 200;

export interface DiscordMessage {
  embeds: Array<{
    title: string;
    url: string;
    description?: string;
    color: number;
    timestamp?: string;
    author?: { name: string };
    footer?: { text: string };
    image?: { url: string };
  }>;
  allowed_mentions: { parse: [] };
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
  return escapeMarkdown(text, { maskedLink: true, heading: true, bulletedList: true, numberedList: true }).replace(UNESCAPED_BLOCK_START, '$1\\$2');
}

/** `text` cut so that, once escaped, it is at most `max` UTF-16 code units; returned escaped. */
function fitEscaped(text: string, max: number): string {
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
}

/** One message with one embed: title linked to the article, summary, image, source, time. No pings. */
export function renderDiscordMessage(article: Article, options: DiscordRenderOptions): DiscordMessage {
  const source = article.siteName ?? options.feedName;
  const embed: DiscordMessage['embeds'][number] = {
    title: fitEscaped(article.title, DISCORD_LIMITS.title),
    url: article.url,
    color: options.color,
    author: { name: cutText(source, DISCORD_LIMITS.authorName) },
  };
  if (article.summary) embed.description = fitEscaped(article.summary, DISCORD_LIMITS.description);
  if (article.author) embed.footer = { text: cutText(`By ${article.author}`, BYLINE_MAX) };
  if (article.publishedAt !== null) embed.timestamp = new Date(article.publishedAt).toISOString();
  if (article.imageUrl) embed.image = { url: article.imageUrl };
  return {
    embeds: [embed],
    allowed_mentions: { parse: [] },
    nonce: discordNonce(article.id, options.channelId),
    enforce_nonce: true,
  };
}
