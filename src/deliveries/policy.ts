import type { Article } from '../articles/article.js';
import type { Delivery } from '../store/store.js';
import type { DeliveryOptions } from './options.js';

/** A delivery waiting in its target's queue, with the options its route gave it. */
export interface QueuedDelivery {
  delivery: Delivery;
  article: Article;
  options: DeliveryOptions;
}

/**
 * A policy's word on a due delivery: send it; wait (nothing goes to this target before `until`, in
 * ms since the epoch); or triage: the deliveries listed in `skip` (ids, possibly this one) are
 * never sent, for `reason` (each logged as a warning with `logMessage`), and this one goes if it
 * is not among them.
 */
export type Verdict =
  | { kind: 'send' }
  | { kind: 'wait'; until: number; reason: string }
  | { kind: 'triage'; skip: ReadonlySet<number>; reason: string; logMessage: string };

/**
 * A rule the outbox asks before each send to one kind of target (X's spending caps). The policy
 * decides; the outbox records the decision (waits, skipped deliveries) and logs it.
 */
export interface DeliveryPolicy {
  /** `queue`: every unfinished delivery of the same target, in queue order, `due` among them. */
  admit(due: QueuedDelivery, queue: () => Promise<QueuedDelivery[]>): Promise<Verdict>;
}
