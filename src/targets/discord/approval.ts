import { ButtonStyle, ComponentType, TextInputStyle, type APIActionRowComponent, type APIComponentInMessageActionRow, type APIEmbed, type APIModalInteractionResponseCallbackData } from 'discord.js';
import type { Article } from '../../articles/article.js';
import type { Approval } from '../../store/store.js';
import { cutText } from '../../text/cut.js';
import { DISCORD_LIMITS } from './fit.js';
import { fitEscaped } from './render.js';

/** The custom_id prefix of the approval desk's buttons and modal: `approval:<action>:<article id>` (Discord allows 100 characters). */
const APPROVAL_PREFIX = 'approval:';

/** What a button or the modal of the approval desk asks for. */
export type DeskAction = 'approve' | 'skip' | 'edit' | 'modal';

/** The action and article of an approval desk custom_id, or null when it is not one. */
export function readDeskId(customId: string): { action: DeskAction; articleId: string } | null {
  const match = /^approval:(approve|skip|edit|modal):(.+)$/.exec(customId);
  return match ? { action: match[1] as DeskAction, articleId: match[2]! } : null;
}

const deskId = (action: DeskAction, articleId: string) => `${APPROVAL_PREFIX}${action}:${articleId}`;

/** The preview's embed: the article as it will be posted (title, link, summary; escaped, escapeDiscord) and where it goes. */
function previewEmbed(article: Article, destinations: readonly string[], footer: string): APIEmbed {
  return {
    title: fitEscaped(article.title, DISCORD_LIMITS.title),
    url: article.url,
    description: fitEscaped(article.summary, DISCORD_LIMITS.description),
    fields: [{ name: 'Goes to', value: cutText(destinations.join(', ') || '—', DISCORD_LIMITS.fieldValue) }],
    footer: { text: cutText(footer, DISCORD_LIMITS.footerText) },
  };
}

/**
 * The moderators' preview of an article held for approval: an embed and one row of Approve, Edit
 * and Skip buttons (Discord message components: an action row, type 1, of buttons, type 2). Pure.
 */
export function approvalPreview(article: Article, approval: Pick<Approval, 'expiresAt' | 'onExpiry'>, destinations: readonly string[]) {
  const footer = `Waiting for approval; ${approval.onExpiry === 'post' ? 'posted' : 'skipped'} if nobody decides by ${new Date(approval.expiresAt).toISOString()}`;
  const buttons: Array<APIActionRowComponent<APIComponentInMessageActionRow>> = [
    {
      type: ComponentType.ActionRow,
      components: [
        { type: ComponentType.Button, style: ButtonStyle.Success, label: 'Approve', custom_id: deskId('approve', article.id) },
        { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Edit', custom_id: deskId('edit', article.id) },
        { type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Skip', custom_id: deskId('skip', article.id) },
      ],
    },
  ];
  return { embeds: [previewEmbed(article, destinations, footer)], components: buttons, allowed_mentions: { parse: [] as never[] } };
}

/**
 * What was decided on an approval, in words to follow "Already" or to start a sentence once
 * capitalised: "approved by <member>", "skipped by the dashboard", or, when nobody decided in time,
 * "expired (posted)" / "expired (skipped)". `member` writes a Discord member's id: a mention in
 * Discord, words on a page. Pure.
 */
export function decisionWords(approval: Pick<Approval, 'status' | 'decidedBy'>, member: (id: string) => string): string {
  if (approval.decidedBy === 'expiry') return `expired (${approval.status === 'approved' ? 'posted' : 'skipped'})`;
  return `${approval.status} by ${approval.decidedBy === 'dashboard' ? 'the dashboard' : member(approval.decidedBy ?? 'unknown')}`;
}

/** The preview once decided: the same embed, no buttons, and who decided what. Pure. */
export function decidedPreview(article: Article, approval: Pick<Approval, 'status' | 'decidedBy' | 'decidedAt'>, destinations: readonly string[]) {
  const mark = approval.decidedBy === 'expiry' ? '⌛' : approval.status === 'approved' ? '✅' : '⏭️';
  const words = decisionWords(approval, (id) => `<@${id}>`);
  const content = `${mark} ${words[0]!.toUpperCase()}${words.slice(1)}${approval.decidedAt === null ? '' : ` <t:${Math.floor(approval.decidedAt / 1000)}:R>`}`;
  return { content, embeds: [previewEmbed(article, destinations, approval.status === 'approved' ? 'Approved: posted to its destinations' : 'Skipped: not posted')], components: [], allowed_mentions: { parse: [] as never[] } };
}

/** The most a summary or an X text typed in the Edit modal (or the dashboard's Edit form) may hold, in characters (Discord's text input allows 4,000). */
export const MAX_INPUT = 4000;

/**
 * The Edit modal (interaction response type 9): the summary and, when the article goes to X, the
 * X text, prefilled with what would be posted. Its custom_id names the article. Pure.
 */
export function editModal(articleId: string, draft: { summary: string; xText: string | null }): APIModalInteractionResponseCallbackData {
  const input = (customId: string, label: string, value: string) => ({
    type: ComponentType.ActionRow as const,
    components: [{ type: ComponentType.TextInput as const, custom_id: customId, label, style: TextInputStyle.Paragraph, value: cutText(value, MAX_INPUT), max_length: MAX_INPUT, required: customId === 'summary' }],
  });
  return {
    custom_id: deskId('modal', articleId),
    title: 'Edit before posting',
    components: [input('summary', 'Summary', draft.summary), ...(draft.xText === null ? [] : [input('xText', 'X post', draft.xText)])],
  };
}
