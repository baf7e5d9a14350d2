// The approval desk as the places moderators decide in use it (Discord's buttons, the dashboard): a port
// shared by target kinds, which the pipeline implements (pipeline/approvals.ts) without depending on any
// one platform's module.
import type { Article } from '../articles/article.js';
import type { Approval } from '../store/store.js';

/** A decision as the approval desk reports it: whether this one decided, and the approval as it now stands. */
export interface DeskOutcome {
  /** False when the article had been decided already (a second click, or the other place first): nothing changed. */
  decided: boolean;
  approval: Approval;
  article: Article;
  /** Where the article goes, as people read it ("<#channel>", "X"). */
  destinations: string[];
}

/** The approval desk as Discord's buttons and the dashboard use it (pipeline/approvals.ts implements it). */
export interface ApprovalDesk {
  /**
   * Approves or skips a held article as `by` (a Discord member id, or "dashboard"); with `edit`, the
   * summary and the X text a moderator typed are what will be posted. Null for an article with no approval.
   * Throws CommandError when the edit cannot be posted (an X text over 280).
   */
  decide(articleId: string, status: 'approved' | 'skipped', by: string, edit?: { summary: string; xText: string | null }): Promise<DeskOutcome | null>;
  /** What the Edit modal starts from: the summary, and the X text when the article goes to X; null for an article with no approval. */
  draft(articleId: string): Promise<{ approval: Approval; summary: string; xText: string | null } | null>;
}
