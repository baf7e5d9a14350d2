import type { Logger } from 'pino';
import { fallbackOptions, readDeliveryOptions } from '../deliveries/options.js';
import { splitTargetKey, type Target } from '../deliveries/target.js';
import type { Approval, Approvals, Delivery, Decision } from '../store/store.js';
import type { ApprovalDesk, DeskOutcome } from '../targets/desk.js';
import { CommandError } from '../targets/refusal.js';

/** The destination kind whose post text the Edit modal shows beside the summary. */
const X_KIND = 'x';
/** X's limit on a post, in weighted characters (twitter-text). */
const X_MAX_WEIGHTED = 280;

export interface DeskDeps {
  store: Approvals;
  /** The target that posts the previews and has the buttons (Discord), or null when it is not configured. */
  target: Pick<Target, 'askApproval' | 'settleApproval'> | null;
  /** How a delivery's target key reads to people ("<#channel>", "X"). */
  describe(target: string): string;
  /** Called when approved deliveries became pending, so the outbox starts on them at once. */
  onApproved(): void;
  log: Logger;
  /** True in the one process that posts previews (the first live worker), so several processes post each once. */
  isLeader(): boolean;
  /** How often previews are posted and expiries applied, in ms. */
  checkEveryMs: number;
  /** Clock, in ms since the epoch. */
  now?: () => number;
}

/**
 * The approval desk: articles of routes with `approval:` wait (their deliveries held) until a
 * moderator approves, edits or skips them, on Discord's buttons or the dashboard. It posts each
 * waiting article's preview to the moderators' channel, applies each route's `onExpiry` when time
 * runs out, and decides through Approvals.decide: one conditional update, so whichever decision
 * comes first wins and the others change nothing.
 */
export class ApprovalQueue implements ApprovalDesk {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: DeskDeps) {
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.deps.checkEveryMs);
    this.timer.unref();
    void this.check();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One round: previews posted, expiries applied. Never rejects (a failure is logged and tried again next round). */
  check(): Promise<void> {
    this.running ??= this.round()
      .catch((error: unknown) => this.deps.log.warn({ err: error }, 'approval desk round failed'))
      .finally(() => (this.running = null));
    return this.running;
  }

  private destinations(deliveries: readonly Delivery[]): string[] {
    return deliveries.filter((d) => d.status !== 'skipped' || d.lastError?.includes('approval')).map((d) => this.deps.describe(d.target));
  }

  private async round(): Promise<void> {
    const { store, target, log } = this.deps;
    if (!this.deps.isLeader()) return;
    if (target?.askApproval) {
      for (const { approval, article } of await store.unannounced()) {
        const found = await store.approval(article.id);
        const messageId = await target.askApproval(approval.channel, article, approval, this.destinations(found?.deliveries ?? []));
        await store.setApprovalMessage(article.id, messageId);
        log.info({ article: article.id, channel: approval.channel, message: messageId }, 'article sent to the approval desk');
      }
    }
    for (const approval of await store.expiredApprovals(this.now())) {
      const outcome = await this.decide(approval.articleId, approval.onExpiry === 'post' ? 'approved' : 'skipped', 'expiry');
      if (outcome?.decided) log.info({ article: approval.articleId, decision: outcome.approval.status }, 'approval expired');
    }
  }

  async draft(articleId: string): Promise<{ approval: Approval; summary: string; xText: string | null } | null> {
    const found = await this.deps.store.approval(articleId);
    if (!found) return null;
    const x = found.deliveries.find((d) => splitTargetKey(d.target).kind === X_KIND);
    if (!x) return { approval: found.approval, summary: found.article.summary, xText: null };
    const template = (readDeliveryOptions(x.options) ?? fallbackOptions(found.article.feedId)).template;
    // X's renderer (twitter-text) is loaded only when a held article is bound for X.
    const { renderXPost } = await import('../targets/x/render.js');
    return { approval: found.approval, summary: found.article.summary, xText: renderXPost(found.article, { template }).text };
  }

  async decide(articleId: string, status: 'approved' | 'skipped', by: string, edit?: { summary: string; xText: string | null }): Promise<DeskOutcome | null> {
    const { store, log } = this.deps;
    const before = await store.approval(articleId);
    if (!before) return null;
    const decision: Decision = { status, by, ...(edit ? await this.changes(before, edit) : {}) };
    const decided = before.approval.status === 'held' && (await store.decide(articleId, decision, this.now()));
    const after = (await store.approval(articleId))!;
    const outcome = { decided, approval: after.approval, article: after.article, destinations: this.destinations(after.deliveries) };
    if (!decided) return outcome;
    log.info({ article: articleId, decision: status, by, edited: edit !== undefined }, 'approval decided');
    if (status === 'approved') this.deps.onApproved();
    // Decided away from the preview's buttons: the preview says so too.
    const { messageId, channel } = after.approval;
    if ((by === 'expiry' || by === 'dashboard') && messageId && this.deps.target?.settleApproval) {
      await this.deps.target.settleApproval(channel, messageId, outcome.article, after.approval, outcome.destinations).catch((error: unknown) => log.warn({ article: articleId, err: error }, 'could not update the approval preview'));
    }
    return outcome;
  }

  /**
   * What an Edit changes: the summary, and the X delivery's template when the X text was changed (the
   * typed text is then posted as it is). Throws CommandError for an X text over X's 280.
   */
  private async changes(found: NonNullable<Awaited<ReturnType<Approvals['approval']>>>, edit: { summary: string; xText: string | null }): Promise<Pick<Decision, 'summary' | 'options'>> {
    const summary = edit.summary.trim();
    if (!summary) throw new CommandError('The summary cannot be empty.');
    const draft = await this.draft(found.article.id);
    const xText = edit.xText?.trim();
    const x = found.deliveries.find((d) => splitTargetKey(d.target).kind === X_KIND && d.status === 'held');
    if (!x || !xText || xText === draft?.xText) return { summary };
    const { weightedLength } = await import('../targets/x/render.js');
    const length = weightedLength(xText);
    if (length > X_MAX_WEIGHTED) throw new CommandError(`The X post is ${length} characters as X counts them; X allows ${X_MAX_WEIGHTED}. Nothing was decided: edit again.`);
    // Braces would read as placeholders: the typed text is kept as it is.
    const template = xText.replace(/\{(title|summary|url|site|hashtags)\}/g, '{\u200b$1}');
    const options = { ...(readDeliveryOptions(x.options) ?? fallbackOptions(found.article.feedId)), template };
    return { summary, options: [{ deliveryId: x.id, options }] };
  }
}
