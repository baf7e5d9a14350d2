import { createHash } from 'node:crypto';
import { escapeMarkdown } from 'discord.js';
import { truncateWords } from '../../articles/text.js';
import type { StoredArticle } from '../../store/store.js';

/** Discord's documented embed limits. */
export const EMBED_LIMITS = { title: 256, description: 4096, authorName: 256, footerText: 2048, total: 6000 } as const;

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

/** Escapes everything Discord would render as markdown, masked links and headings included. */
export function escapeDiscord(text: string): string {
  return escapeMarkdown(text, { maskedLink: true, heading: true, bulletedList: true, numberedList: true });
}

/** Cuts an escaped text to `max` without leaving a dangling escape backslash. */
function fit(text: string, max: number): string {
  const cut = truncateWords(text, max);
  return cut.replace(/\\+…$/, '…');
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
export function renderDiscordMessage(article: StoredArticle, options: DiscordRenderOptions): DiscordMessage {
  const source = article.siteName ?? options.feedName;
  const embed: DiscordMessage['embeds'][number] = {
    title: fit(escapeDiscord(article.title), EMBED_LIMITS.title),
    url: article.url,
    color: options.color,
    author: { name: fit(source, EMBED_LIMITS.authorName) },
  };
  if (article.summary) embed.description = fit(escapeDiscord(article.summary), EMBED_LIMITS.description);
  if (article.author) embed.footer = { text: fit(`By ${article.author}`, 200) };
  if (article.publishedAt !== null) embed.timestamp = new Date(article.publishedAt).toISOString();
  if (article.imageUrl) embed.image = { url: article.imageUrl };
  const used = embed.title.length + (embed.description?.length ?? 0) + (embed.author?.name.length ?? 0) + (embed.footer?.text.length ?? 0);
  if (used > EMBED_LIMITS.total && embed.description) {
    embed.description = fit(embed.description, Math.max(100, embed.description.length - (used - EMBED_LIMITS.total)));
  }
  return {
    embeds: [embed],
    allowed_mentions: { parse: [] },
    nonce: discordNonce(article.id, options.channelId),
    enforce_nonce: true,
  };
}
