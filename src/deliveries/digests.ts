import type { Logger } from 'pino';
import type { Digest, Digests } from '../store/digests.js';
import type { DeliveryJob } from '../store/store.js';
import { counted } from '../text/count.js';
import { fallbackOptions, readDeliveryOptions, type DeliveryOptions } from './options.js';
import { nextDigestAt, paceVerdict, quietUntil, topOfDigest } from './pace.js';
import { DeliveryError, splitTargetKey, type Target } from './target.js';

interface DigestPosterDeps {
  store: Digests;
  log: Logger;
  /** Clock, in ms since the epoch. */
  now: () => number;
  /** Attempts before a digest fails for good. */
  maxAttempts: number;
  /** How long to wait after `attempts` failed attempts, in ms (the outbox's back-off). */
  backoff(attempts: number): number;
  /** The targets only print (herald run --dry-run). */
  dryRun: boolean;
  /** Called when a digest fails for good (the outbox counts failures for --once). */
  failed(): void;
}

/**
 * The outbox's part for digests (deliveries/pace.ts, store/digests.ts): folds a paced destination's
 * due deliveries into a digest, and posts due digests, one message at a time, recording each, and
 * marking the digest and its deliveries sent together once all went out.
 */
export class DigestPoster {
  constructor(private readonly deps: DigestPosterDeps) {}

  /**
   * A destination's pace (deliveries/pace.ts) on a due delivery: true when it was folded into a
   * digest (with the rest of its target's queue) instead of going out now. A destination with a
   * scheduled digest in addition to single posts gets its next digest opened here.
   */
  async paced(job: DeliveryJob, options: DeliveryOptions): Promise<boolean> {
    const { pacing } = options;
    if (!pacing) return false;
    const target = job.delivery.target;
    const now = this.deps.now();
    const covers = pacing.digest?.every === 'weekly' ? 7 * 86_400_000 : 86_400_000;
    const digestOf = (dueAt: number) => ({ dueAt, since: now - covers, options });
    if (pacing.digest && !pacing.digest.only) await this.deps.store.foldIntoDigest(target, 'scheduled', digestOf(nextDigestAt(pacing.digest, now)), false, now);
    const verdict = paceVerdict(pacing, pacing.pace ? await this.deps.store.postTimes(target, now - pacing.pace.perMs) : [], now);
    if (verdict.kind === 'send') return false;
    const { digestId, folded } = await this.deps.store.foldIntoDigest(target, verdict.cause, digestOf(verdict.dueAt), true, now);
    if (folded === 0) return false;
    this.deps.log.info({ target, digest: digestId, cause: verdict.cause, folded, due: new Date(verdict.dueAt).toISOString() }, 'deliveries folded into a digest');
    return true;
  }

  /**
   * Posts a due digest: an open one first gets its list fixed (a scheduled digest its top N, the
   * rest of what it owns skipped); then each message not yet recorded is posted and recorded, and
   * when all are, the digest and its deliveries are marked sent in one transaction. A pace digest
   * that comes due within quiet hours waits for their end.
   */
  async post(found: Digest, target: Target): Promise<void> {
    let digest = found;
    const { kind, address } = splitTargetKey(digest.target);
    const options = readDeliveryOptions(digest.options) ?? fallbackOptions(kind);
    const { pacing } = options;
    const context = { digest: digest.id, target: digest.target, cause: digest.cause };
    const now = this.deps.now();
    if (digest.status === 'open') {
      const quietEnd = digest.cause === 'pace' && pacing?.quiet ? quietUntil(pacing.quiet, now) : null;
      if (quietEnd !== null) return this.deps.store.markDigestRetry(digest.id, 'quiet hours', quietEnd, false, now);
      const candidates = await this.deps.store.digestCandidates(digest, now);
      const at = (article: { publishedAt: number | null; firstSeenAt: number }) => article.publishedAt ?? article.firstSeenAt;
      let listed: string[];
      let reason = '';
      if (digest.cause === 'scheduled' && pacing?.digest) {
        const ranked = candidates.map(({ article, feeds, options: stored }) => ({ articleId: article.id, priority: readDeliveryOptions(stored)?.priority ?? 0, at: at(article), feeds }));
        listed = topOfDigest(ranked, pacing.digest.top, digest.since, now).map((candidate) => candidate.articleId);
        reason = `not among the top ${pacing.digest.top} of the ${pacing.digest.every} digest`;
      } else {
        listed = candidates.sort((a, b) => at(a.article) - at(b.article) || a.article.id.localeCompare(b.article.id)).map(({ article }) => article.id);
      }
      if (!(await this.deps.store.closeDigest(digest.id, listed, reason, now))) return;
      if (listed.length === 0) {
        this.deps.log.info(context, 'digest skipped: nothing to list');
        return;
      }
      digest = { ...digest, status: 'ready' };
    }
    if (!target.sendDigest) {
      await this.deps.store.markDigestFailed(digest.id, `${kind} cannot post digests`, now);
      this.deps.log.error(context, 'digest failed');
      return;
    }
    const articles = await this.deps.store.digestArticles(digest.id);
    const content = { id: digest.id, cause: digest.cause, ...(pacing?.digest ? { every: pacing.digest.every } : {}), articles };
    let firstRemoteId = digest.remoteId;
    for (let part = digest.partsSent, parts = part + 1; part < parts; part++) {
      let sent: { remoteId: string | null; parts: number };
      try {
        sent = await target.sendDigest(content, part, { address, unknownOutcome: digest.attempts > 0, options, firstRemoteId });
      } catch (error) {
        const failure = error instanceof DeliveryError ? error : new DeliveryError((error as Error)?.message ?? String(error), 'retry');
        // A held target (refused credentials) is not the digest's fault: it waits without spending an attempt.
        const held = failure.kind === 'held';
        const attempts = digest.attempts + (held ? 0 : 1);
        if (!held && (failure.kind === 'permanent' || attempts >= this.deps.maxAttempts)) {
          const reason = failure.kind === 'permanent' ? failure.message : `gave up after ${counted(attempts, 'attempt')}: ${failure.message}`;
          await this.deps.store.markDigestFailed(digest.id, reason, this.deps.now());
          this.deps.failed();
          this.deps.log.error({ ...context, attempts, reason }, 'digest failed');
          return;
        }
        const retryAt = failure.retryAt ?? this.deps.now() + this.deps.backoff(attempts);
        await this.deps.store.markDigestRetry(digest.id, failure.message, retryAt, !held, this.deps.now());
        this.deps.log.warn({ ...context, attempts, retryInMs: retryAt - this.deps.now(), reason: failure.message }, 'digest will be retried');
        return;
      }
      parts = sent.parts;
      firstRemoteId ??= sent.remoteId;
      await this.deps.store.markDigestPart(digest.id, part, sent.remoteId, this.deps.now());
    }
    await this.deps.store.markDigestSent(digest.id, this.deps.now());
    this.deps.log.info({ ...context, articles: articles.length }, this.deps.dryRun ? 'digest printed (dry run)' : 'digest delivered');
  }

}
