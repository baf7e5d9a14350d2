import type { Logger } from 'pino';
import { isStorageFault } from '../store/health.js';
import type { DeliveryJob, DeliveryQueue, Leases } from '../store/store.js';
import type { Digest, Digests } from '../store/digests.js';
import type { DeliveryPolicy, QueuedDelivery } from './policy.js';
import { fallbackOptions, readDeliveryOptions, type DeliveryOptions } from './options.js';
import { DeliveryError, splitTargetKey, type Target } from './target.js';
import { counted } from '../text/count.js';
import { DigestPoster } from './digests.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export interface OutboxEvents {
  delivered?(job: DeliveryJob, remoteId: string | null): void;
  failed?(job: DeliveryJob, reason: string): void;
}

/** A configured destination kind as the outbox works it: its target, what it guarantees, its policy. */
export interface OutboxTarget {
  target: Target;
  /**
   * True when resending after an unknown outcome cannot post twice (Discord's nonce). A target
   * that is not idempotent gets at most one resend after an unknown outcome.
   */
  idempotent: boolean;
  /** True when posted messages follow the publisher's edits (the target implements `edit`). */
  canEdit: boolean;
  policy?: DeliveryPolicy;
}

export interface OutboxOptions {
  store: DeliveryQueue & Leases & Digests;
  /** By kind ("discord", "x"): only deliveries to these kinds are worked. */
  targets: ReadonlyMap<string, OutboxTarget>;
  /**
   * By kind, the kinds routes may name that are not configured, and what to set ("set DISCORD_TOKEN"):
   * their deliveries wait with the reason "target not configured: …" until a restart configures them.
   */
  unconfigured?: ReadonlyMap<string, string>;
  retry: RetryPolicy;
  log: Logger;
  /** Names this process in the database's leases. */
  owner: string;
  events?: OutboxEvents;
  /** Clock, in ms since the epoch. */
  now?: () => number;
  /** The targets only print (herald run --dry-run): a send is logged as "printed (dry run)", never "delivered". */
  dryRun?: boolean;
}

/** Exponential back-off with full jitter over the upper half: base·2^(n-1), capped, 50–100 %. */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** What one drain did (see Outbox.drain). */
export interface DrainReport {
  /** Sends and edits attempted. */
  attempted: number;
  /** Deliveries marked failed. */
  failed: number;
  /** Why targets hold their posts back after the drain (a refused token, a paused login), one line each. */
  held: string[];
}

/** How a delivery to a kind that is not configured waits (the reason ends with what to set). */
export const NOT_CONFIGURED = 'target not configured: ';

/** How long a process's claim on a target lasts without renewal, and how often it is renewed. */
const TARGET_LEASE_MS = 20_000;
const LEASE_RENEWAL_MS = 5_000;

/**
 * Sends what the store says is due, one delivery at a time per target (so a channel gets its posts
 * in publication order) and targets side by side. Every delivery is recorded before it is tried
 * and updated after, so a restarted process resumes where this one stopped.
 *
 * Processes sharing a database each claim targets (leases renewed every few seconds): a target's
 * queue is worked by one process at a time, and a killed process's targets are taken over, with
 * what it left "sending" recovered as of unknown outcome.
 */
export class Outbox {
  private running = false;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private held = new Set<string>();

  private readonly store: DeliveryQueue & Leases & Digests;
  private readonly targets: ReadonlyMap<string, OutboxTarget>;
  private readonly unconfigured: ReadonlyMap<string, string>;
  private readonly dryRun: boolean;
  private woken = false;
  /** Deliveries this outbox marked failed (a send refused for good, or out of attempts). */
  private failedCount = 0;
  /** Sends that went out but could not be recorded yet (the store failed), by delivery id: their remote ids. */
  private readonly unrecorded = new Map<number, string | null>();
  private readonly policy: RetryPolicy;
  private readonly log: Logger;
  private readonly owner: string;
  private readonly events: OutboxEvents;
  private readonly now: () => number;
  private readonly digests: DigestPoster;

  constructor(options: OutboxOptions) {
    this.store = options.store;
    this.targets = options.targets;
    this.unconfigured = options.unconfigured ?? new Map();
    this.dryRun = options.dryRun ?? false;
    this.policy = options.retry;
    this.log = options.log;
    this.owner = options.owner;
    this.events = options.events ?? {};
    this.now = options.now ?? Date.now;
    this.digests = new DigestPoster({ store: this.store, log: this.log, now: this.now, maxAttempts: this.policy.maxAttempts, backoff: (attempts) => backoffDelay(attempts, this.policy), dryRun: this.dryRun, failed: () => this.failedCount++ });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    this.heartbeat = setInterval(() => void this.claim().catch((error: unknown) => isStorageFault(error) || this.log.warn({ err: error }, 'lease renewal failed')), LEASE_RENEWAL_MS);
  }

  /** Claims and renews targets; recovers the orphans of targets taken over from a dead process. */
  private async claim(): Promise<void> {
    const { held, takenOver } = await this.store.claimTargets(this.owner, this.now(), this.now() + TARGET_LEASE_MS, (target) => this.targets.has(splitTargetKey(target).kind));
    for (const target of takenOver) await this.recover(target);
    this.held = new Set(held);
  }

  /**
   * For a target just claimed: a delivery left "sending" by a crashed process may or may not have
   * been posted. Idempotent targets simply send again; others get one resend, and a second
   * unknown is a failure.
   */
  private async recover(target: string): Promise<number> {
    const interrupted = await this.store.interruptedDeliveries(target);
    for (const delivery of interrupted) {
      const target = this.targets.get(splitTargetKey(delivery.target).kind);
      const context = { delivery: delivery.id, article: delivery.articleId, target: delivery.target };
      if (delivery.unknownOutcome && target && !target.idempotent) {
        const reason = 'interrupted twice with an unknown outcome; not sent again to avoid a duplicate post';
        await this.store.markFailed(delivery.id, reason, this.now());
        this.log.error({ ...context, reason }, 'delivery failed');
      } else {
        await this.store.markRetry(delivery.id, 'interrupted by a restart', this.now(), true, this.now());
        this.log.warn(context, 'resuming a delivery interrupted by a restart');
      }
    }
    return interrupted.length;
  }

  /** Tells the outbox that new deliveries may be due. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Stops taking new work and waits for the sends in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.wake();
    await this.loop;
    await this.store.releaseLeases(this.owner).catch((error: unknown) => this.log.warn({ err: error }, 'could not release leases'));
  }

  /**
   * Sends until nothing is due right now, and says what happened (for --once): sends attempted,
   * deliveries that failed for good, and why targets hold their posts back (a refused token, a
   * paused login, an unreachable service: each target's own word after the drain).
   */
  async drain(): Promise<DrainReport> {
    const failedBefore = this.failedCount;
    let attempted = 0;
    for (;;) {
      const sent = await this.round();
      if (sent === 0) break;
      attempted += sent;
    }
    const held: string[] = [];
    for (const { target } of this.targets.values()) {
      const readiness = target.ready ? await target.ready() : null;
      if (readiness?.kind === 'wait' && !held.includes(readiness.reason)) held.push(readiness.reason);
    }
    return { attempted, failed: this.failedCount - failedBefore, held };
  }

  private async run(): Promise<void> {
    while (this.running) {
      let attempted = 0;
      let failed = false;
      try {
        attempted = await this.round();
      } catch (error) {
        // A full disk is logged once where it is noticed (store/health.ts); the loop waits and tries again.
        if (!isStorageFault(error)) this.log.error({ err: error }, 'delivery round failed');
        failed = true;
      }
      if ((attempted > 0 && !failed) || !this.running) continue;
      // Only the queues this process works count: another process's due work (or work for a kind
      // not configured here) must not make this one spin.
      const mine = [...this.held].filter((target) => this.targets.has(splitTargetKey(target).kind));
      const nextDue = failed ? null : await this.store.nextDueAt(mine).catch(() => null);
      const wait = nextDue === null ? 5_000 : Math.max(0, Math.min(5_000, nextDue - this.now()));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  /**
   * The options recorded with a delivery, as its target gets them. A row without usable options
   * (written by an older release after the upgrade's fill, or damaged) still goes out, with the
   * kind's defaults; `warn` says so in the log (once per send, not for every look at a queue).
   */
  private optionsOf(job: DeliveryJob, warn = true): DeliveryOptions {
    const options = readDeliveryOptions(job.delivery.options);
    if (options) return options;
    if (warn) this.log.warn({ delivery: job.delivery.id, article: job.article.id, target: job.delivery.target }, 'delivery has no usable options; sent with the defaults');
    return fallbackOptions(job.article.feedId);
  }

  /**
   * Once per process: queues that waited for their kind to be configured (an earlier run without its
   * token) and whose kind is configured now are due at once.
   */
  private async wakeConfigured(): Promise<void> {
    if (this.woken) return;
    this.woken = true;
    const now = this.now();
    for (const { delivery } of await this.store.queueHeads()) {
      if (delivery.status !== 'pending' || !delivery.lastError?.startsWith(NOT_CONFIGURED) || !this.targets.has(splitTargetKey(delivery.target).kind)) continue;
      await this.store.markRetry(delivery.id, delivery.lastError, now, delivery.unknownOutcome, now);
    }
  }

  /**
   * Due deliveries to kinds that are not configured here say what to set, once (logged once per
   * delivery). They are not claimed and stay due: another process sharing the database that has
   * the kind configured sends them at once; only a delivery nobody has tried yet is labelled, so
   * that process's own errors are never overwritten.
   */
  private async holdUnconfigured(jobs: DeliveryJob[], now: number): Promise<void> {
    for (const { delivery, article } of jobs) {
      const setup = this.unconfigured.get(splitTargetKey(delivery.target).kind);
      if (setup === undefined || delivery.lastError !== null || delivery.attempts > 0) continue;
      const reason = `${NOT_CONFIGURED}${setup}`;
      await this.store.markRetry(delivery.id, reason, delivery.nextAttemptAt, delivery.unknownOutcome, now);
      this.log.warn({ delivery: delivery.id, article: article.id, feed: article.feedId, target: delivery.target, reason }, 'delivery waits');
    }
  }

  /** One due delivery and one due edit per target, sent side by side. */
  private async round(): Promise<number> {
    for (const [id, remoteId] of this.unrecorded) await this.recordSent(id, remoteId);
    await this.wakeConfigured();
    await this.claim();
    const now = this.now();
    const mine = (job: DeliveryJob) => this.held.has(job.delivery.target) && this.targets.has(splitTargetKey(job.delivery.target).kind);
    const due = await this.store.dueDeliveries(now);
    await this.holdUnconfigured(due, now);
    // A target with a digest due posts it this round, and its next single post waits for the next.
    const digests = new Map<string, Digest>();
    for (const digest of await this.store.dueDigests(now)) {
      if (this.held.has(digest.target) && this.targets.has(splitTargetKey(digest.target).kind) && !digests.has(digest.target)) digests.set(digest.target, digest);
    }
    const jobs = due.filter(mine).filter((job) => !digests.has(job.delivery.target));
    const edits: DeliveryJob[] = [];
    for (const job of (await this.store.dueEdits(now)).filter((edit) => this.targets.has(splitTargetKey(edit.delivery.target).kind))) {
      const target = this.targets.get(splitTargetKey(job.delivery.target).kind);
      if (target?.canEdit && target.target.edit) edits.push(job);
      // Posts on targets that cannot edit (X) stay as they were; close the revision out.
      else if (target) await this.store.markEdited(job.delivery.id, job.article.revision ?? 1, now);
    }
    await Promise.all([...jobs.map((job) => this.attempt(job)), ...edits.map((job) => this.attemptEdit(job)), ...[...digests.values()].map((digest) => this.digests.post(digest, this.targets.get(splitTargetKey(digest.target).kind)!.target))]);
    return jobs.length + edits.length + digests.size;
  }

  private async attemptEdit(job: DeliveryJob): Promise<void> {
    const { delivery, article } = job;
    const { kind, address } = splitTargetKey(delivery.target);
    const context = { delivery: delivery.id, article: article.id, feed: article.feedId, target: delivery.target, revision: article.revision };
    try {
      await this.targets.get(kind)!.target.edit!(article, { address, unknownOutcome: false, remoteId: delivery.remoteId!, options: this.optionsOf(job) });
      await this.store.markEdited(delivery.id, article.revision ?? 1, this.now());
      this.log.info(context, 'message edited');
    } catch (error) {
      const failure = error instanceof DeliveryError ? error : new DeliveryError((error as Error)?.message ?? String(error), 'retry');
      if (failure.kind === 'permanent') {
        // The message is gone or not ours to edit: nothing more to do for this revision.
        await this.store.markEdited(delivery.id, article.revision ?? 1, this.now());
        this.log.warn({ ...context, reason: failure.message }, 'message could not be edited');
        return;
      }
      const retryAt = failure.retryAt ?? this.now() + backoffDelay(3, this.policy);
      await this.store.markEditRetry(delivery.id, failure.message, retryAt, this.now());
      this.log.warn({ ...context, reason: failure.message }, 'message edit will be retried');
    }
  }

  private async attempt(job: DeliveryJob): Promise<void> {
    const { delivery, article } = job;
    const { kind, address } = splitTargetKey(delivery.target);
    const { target, idempotent, policy } = this.targets.get(kind)!;
    const context = { delivery: delivery.id, article: article.id, feed: article.feedId, target: delivery.target };
    const options = this.optionsOf(job);
    // `held`: the target held a send already started (DeliveryError 'held'), so its attempt is taken back.
    const waits = async (until: number, reason: string, held = false) => {
      await this.store.markRetry(delivery.id, reason, until, delivery.unknownOutcome, this.now(), !held);
      // A long wait is rechecked often (a paused X authorization every 15 s): say so once per reason.
      if (reason !== delivery.lastError) this.log.info({ ...context, until: new Date(until).toISOString(), reason }, 'delivery waits');
    };
    // A delivery that may have gone out already is sent again (the nonce makes it harmless), never folded.
    if (!delivery.unknownOutcome && (await this.digests.paced(job, options))) return;
    const readiness = target.ready ? await target.ready(address) : ({ kind: 'send' } as const);
    if (readiness.kind === 'wait') return waits(readiness.until, readiness.reason);
    if (policy) {
      const queue = async (): Promise<QueuedDelivery[]> => (await this.store.unfinishedFor(delivery.target)).map((queued) => ({ ...queued, options: this.optionsOf(queued, false) }));
      const verdict = await policy.admit({ ...job, options }, queue);
      if (verdict.kind === 'wait') return waits(verdict.until, verdict.reason);
      if (verdict.kind === 'triage') {
        for (const skipped of (await queue()).filter((queued) => verdict.skip.has(queued.delivery.id))) {
          await this.store.markSkipped(skipped.delivery.id, verdict.reason, this.now());
          this.log.warn({ delivery: skipped.delivery.id, article: skipped.article.id, feed: skipped.article.feedId, target: delivery.target, reason: verdict.reason }, verdict.logMessage);
        }
        if (verdict.skip.has(delivery.id)) return;
      }
    }
    await this.store.markSending(delivery.id, this.now());
    let remoteId: string | null;
    try {
      ({ remoteId } = await target.send(article, { address, unknownOutcome: delivery.unknownOutcome, options }));
    } catch (error) {
      const failure =
        error instanceof DeliveryError ? error : new DeliveryError((error as Error)?.message ?? String(error), 'retry');
      if (failure.kind === 'held') return waits(failure.retryAt ?? this.now() + backoffDelay(delivery.attempts + 1, this.policy), failure.message, true);
      const attempts = delivery.attempts + 1;
      const unknown = failure.kind === 'unknown' || delivery.unknownOutcome;
      const secondUnknown = failure.kind === 'unknown' && delivery.unknownOutcome && !idempotent;
      if (failure.kind === 'permanent' || secondUnknown || attempts >= this.policy.maxAttempts) {
        const reason =
          failure.kind === 'permanent'
            ? failure.message
            : secondUnknown
              ? `outcome unknown twice; not sent again to avoid a duplicate post (${failure.message})`
              : `gave up after ${counted(attempts, 'attempt')}: ${failure.message}`;
        await this.store.markFailed(delivery.id, reason, this.now());
        this.failedCount++;
        this.log.error({ ...context, attempts, reason }, 'delivery failed');
        this.events.failed?.(job, reason);
        return;
      }
      // A target that says when to come back (rate-limit reset) is trusted; otherwise back off.
      const retryAt = failure.retryAt ?? this.now() + backoffDelay(attempts, this.policy);
      await this.store.markRetry(delivery.id, failure.message, retryAt, unknown, this.now());
      this.log.warn({ ...context, attempts, retryInMs: retryAt - this.now(), reason: failure.message }, 'delivery will be retried');
      return;
    }
    this.log.info({ ...context, remoteId, attempts: delivery.attempts + 1 }, this.dryRun ? 'printed (dry run)' : 'delivered');
    this.events.delivered?.(job, remoteId);
    await this.recordSent(delivery.id, remoteId);
  }

  /**
   * Records a send that went out. When the store cannot take it (a full disk), it is kept here and
   * recorded when the store can: the delivery stays "sending" meanwhile, so it is not sent again.
   */
  private async recordSent(id: number, remoteId: string | null): Promise<void> {
    try {
      await this.store.markSent(id, remoteId, this.now());
      this.unrecorded.delete(id);
    } catch (error) {
      this.unrecorded.set(id, remoteId);
      throw error;
    }
  }
}
