import { fitSummary } from '../../articles/summarize.js';
import type { Article } from '../../articles/article.js';
import { breakMentions } from '../../text/text.js';

/**
 * The most characters a message may have, counted in UTF-16 code units after entities parsing: the
 * text a reader sees, without tags (core.telegram.org/bots/api#sendmessage, `text`: 1-4096).
 */
const MAX_MESSAGE_LENGTH = 4096;

/**
 * Text made safe for Telegram's HTML parse mode: `&`, `<`, `>` and `"` as the entities Telegram knows
 * (core.telegram.org/bots/api#html-style: "All <, > and & symbols that are not a part of a tag or an
 * HTML entity must be replaced"; `"` too, for attribute values). Pure.
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A message for one article, in HTML parse mode, and the page its link preview shows. */
export interface TelegramMessage {
  /** HTML: the title in bold linking to the article, then the summary; everything from the feed escaped. */
  html: string;
  /** The article's URL, for `link_preview_options.url`. */
  previewUrl: string;
  /** The same message as plain text, as Telegram shows it (for the dashboard's preview). */
  text: string;
}

/**
 * The message for an article: its title (bold, a link to the article) and as much of its summary as
 * fits within `maxLength` (default 4,096) characters as Telegram counts them (UTF-16 code units of the
 * text without tags), cut between whole sentences, else whole words or graphemes with "…". Mentions
 * in feed text are broken (breakMentions), so a title never links a Telegram account. The article
 * itself shows as the link preview. Pure.
 */
export function renderTelegramMessage(article: Pick<Article, 'title' | 'summary' | 'url'>, maxLength = MAX_MESSAGE_LENGTH): TelegramMessage {
  const fits = (text: string) => text.length <= maxLength;
  const title = fitSummary(breakMentions(article.title.trim()), fits);
  const summary = article.summary.trim() ? fitSummary(breakMentions(article.summary.trim()), (candidate) => fits(`${title}\n\n${candidate}`)) : '';
  const heading = `<b><a href="${escapeHtml(article.url)}">${escapeHtml(title)}</a></b>`;
  return {
    html: summary ? `${heading}\n\n${escapeHtml(summary)}` : heading,
    previewUrl: article.url,
    text: summary ? `${title}\n\n${summary}` : title,
  };
}
