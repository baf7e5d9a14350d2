import type { DeliveryJob, DeliveryQueue, DeliveryStatus, FeedState, FeedStates } from '../store/store.js';
import type { FeedCatalog, ListedFeed } from './catalog.js';

/**
 * ok: its last poll worked; failing: failed polls in a row; held: its host asked to come back later
 * (Retry-After) and it waits until then (FeedState.heldUntil); paused; new: never polled yet.
 */
type FeedHealth = 'ok' | 'failing' | 'held' | 'paused' | 'new';

export interface FeedStatus {
  feed: ListedFeed;
  /** Null until the feed is first polled. */
  state: FeedState | null;
  health: FeedHealth;
}

/** What Herald is doing, as /status and the dashboard show it. */
export interface StatusSnapshot {
  feeds: FeedStatus[];
  /** Deliveries in each status. */
  counts: Record<DeliveryStatus, number>;
  /** The most recently given-up (failed or skipped) deliveries, newest first. */
  failed: DeliveryJob[];
  /** Each target's queue head (its earliest unfinished delivery), due or not. */
  heads: DeliveryJob[];
  /** The heads that wait past `now` for a stated reason (an X cap, a paused login, a rate limit): they hold their queue. */
  waiting: DeliveryJob[];
}

/** A feed's health from its listing and its polling state. Pure. */
function healthOf(feed: ListedFeed, state: FeedState | null): FeedHealth {
  if (feed.paused) return 'paused';
  if (!state || state.lastPollAt === null) return 'new';
  if (state.heldUntil !== null) return 'held';
  return state.failures > 0 ? 'failing' : 'ok';
}

/**
 * Reads what /status and the dashboard show: every feed with its polling state and health,
 * delivery counts, the `failedLimit` latest failed or skipped deliveries, and the queue heads
 * (those waiting past `now`, in ms since the epoch, apart). Rejects when the store does.
 */
export async function statusSnapshot(store: Pick<FeedStates, 'feedStates'> & Pick<DeliveryQueue, 'deliveryCounts' | 'failedDeliveries' | 'queueHeads'>, catalog: Pick<FeedCatalog, 'list'>, failedLimit: number, now: number): Promise<StatusSnapshot> {
  const [states, counts, failed, heads] = await Promise.all([store.feedStates(), store.deliveryCounts(), store.failedDeliveries(failedLimit), store.queueHeads()]);
  const stateOf = new Map(states.map((state) => [state.feedId, state]));
  const feeds = catalog.list().map((feed) => {
    const state = stateOf.get(feed.id) ?? null;
    return { feed, state, health: healthOf(feed, state) };
  });
  const waiting = heads.filter(({ delivery }) => delivery.status === 'pending' && delivery.nextAttemptAt > now && delivery.lastError);
  return { feeds, counts, failed, heads, waiting };
}
