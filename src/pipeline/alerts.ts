import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { formatDuration } from '../config/duration.js';
import { redactUrlSecrets } from '../ops/redact.js';
import type { DeliveryQueue, FeedStates, KeyValues } from '../store/store.js';
import type { FeedCatalog } from '../targets/catalog.js';
import { statusSnapshot, type StatusSnapshot } from '../targets/status.js';
import { counted } from '../text/count.js';
import { cutText } from '../text/cut.js';

/** An open problem: `key` names it (one message per key while it lasts), `text` says what it is. */
interface Incident {
  key: string;
  text: string;
}

/** A queue head that has not gone out and says why (a wait, a refusal, a failed try to be retried). */
const waitsForAReason = ({ delivery }: StatusSnapshot['heads'][number]): boolean => delivery.status === 'pending' && delivery.lastError != null;

/** A queue head waiting longer than this for a stated reason counts as a paused destination (shorter waits are retries). */
const PAUSE_MS = 60_000;
/** Where the open incidents are kept (KeyValues), so a restart neither repeats nor forgets them. */
const OPEN_KEY = 'alerts:open';

/**
 * The problems a status snapshot shows at `now` (ms since the epoch), by the `alerts:` thresholds:
 * a feed failing `feedFailures` polls in a row; a destination whose queue waits for a reason (a
 * refused token, a gone webhook, a budget reached) either until over a minute from now or, rechecked
 * every few seconds, for over a minute since `waitingSince` (target key → ms since the epoch when
 * its queue was first seen waiting); a queue whose oldest delivery was first seen over
 * `deliveryWaitMs` ago; feeds polled over `pollLagMs` past their interval, or past the time their
 * host held them until (failing and paused feeds back off on purpose and are left out; a feed held
 * by its host's Retry-After is not failing). `describe` names a delivery's target. Pure.
 */
export function findIncidents(
  snapshot: StatusSnapshot,
  settings: Config['alerts'],
  now: number,
  describe: (target: string) => string,
  waitingSince: ReadonlyMap<string, number> = new Map(),
): Incident[] {
  const incidents: Incident[] = [];
  for (const { feed, state } of snapshot.feeds) {
    if (feed.paused || !state || state.failures < settings.feedFailures) continue;
    incidents.push({ key: `feed:${feed.id}`, text: `Feed ${feed.id} has failed ${state.failures} polls in a row: ${cutText(redactUrlSecrets(state.lastError ?? 'unknown error'), 300)}` });
  }
  for (const { delivery } of snapshot.heads.filter(waitsForAReason)) {
    const long = delivery.nextAttemptAt - now >= PAUSE_MS;
    if (!long && now - (waitingSince.get(delivery.target) ?? now) < PAUSE_MS) continue;
    const until = long ? ` until ${new Date(delivery.nextAttemptAt).toISOString()}` : '';
    incidents.push({ key: `paused:${delivery.target}`, text: `Posting to ${describe(delivery.target)} is paused${until}: ${cutText(redactUrlSecrets(delivery.lastError ?? ''), 300)}` });
  }
  for (const { delivery, article } of snapshot.heads) {
    if (now - article.firstSeenAt <= settings.deliveryWaitMs) continue;
    incidents.push({ key: `late:${delivery.target}`, text: `Deliveries to ${describe(delivery.target)} have waited over ${formatDuration(settings.deliveryWaitMs)} (the oldest: “${cutText(article.title, 120)}”)` });
  }
  // A feed its host holds back (Retry-After) is due when the host said, not an interval after its last poll.
  const late = snapshot.feeds.filter(({ feed, state }) => !feed.paused && state?.lastPollAt != null && state.failures === 0 && now - Math.max(state.lastPollAt + feed.everyMs, state.heldUntil ?? 0) > settings.pollLagMs);
  if (late.length > 0) {
    const ids = late.map(({ feed }) => feed.id);
    incidents.push({ key: 'polls-behind', text: `Polls are falling behind: ${counted(ids.length, 'feed')} not polled for over ${formatDuration(settings.pollLagMs)} past the interval (${cutText(ids.join(', '), 300)})` });
  }
  return incidents;
}

export interface AlertDeps {
  store: FeedStates & Pick<DeliveryQueue, 'deliveryCounts' | 'failedDeliveries' | 'queueHeads'> & KeyValues;
  feeds: Pick<FeedCatalog, 'list'>;
  settings: Config['alerts'];
  /** Posts one alert line to the ops channel; rejects when it could not. */
  notify(text: string): Promise<void>;
  /** True in the one process that alerts (the first of the live workers), so several processes alert once. */
  isLeader(): boolean;
  describe(target: string): string;
  log: Logger;
  now?: () => number;
}

/**
 * Watches Herald's state every `checkEvery` and posts to the ops channel when an incident opens and
 * when it is over: one message each, never one per check. Open incidents are kept in the store, so
 * a restart or a new leader picks up where the last left off. A message that cannot be posted is
 * tried again at the next check.
 */
export class AlertMonitor {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Target key → when its queue head was first seen waiting for a reason, in ms since the epoch (this process's checks). */
  private readonly waitingSince = new Map<string, number>();

  constructor(private readonly deps: AlertDeps) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.check()
        .catch((error: unknown) => this.deps.log.warn({ err: error }, 'alert check failed'))
        .finally(() => (this.running = null));
    }, this.deps.settings.checkEveryMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One check: opens and closes incidents, posting one message for each change. */
  async check(): Promise<void> {
    if (!this.deps.isLeader()) return;
    const now = (this.deps.now ?? Date.now)();
    const snapshot = await statusSnapshot(this.deps.store, this.deps.feeds, 0, now);
    this.trackWaiting(snapshot, now);
    const current = new Map(findIncidents(snapshot, this.deps.settings, now, this.deps.describe, this.waitingSince).map((incident) => [incident.key, incident.text]));
    const open = await this.openIncidents();
    for (const [key, text] of current) {
      if (open.has(key)) continue;
      if (await this.post(`🔴 ${text}`, key, 'alert posted')) open.set(key, text);
    }
    for (const [key, text] of open) {
      if (current.has(key)) continue;
      if (await this.post(`✅ Recovered: ${text}`, key, 'recovery posted')) open.delete(key);
    }
    await this.deps.store.setMeta(OPEN_KEY, JSON.stringify(Object.fromEntries(open)));
  }

  /**
   * Keeps when each queue's head began to wait for a reason. A head rechecked every few seconds (a
   * refused token) is briefly due between two looks: it keeps counting while it carries a reason.
   */
  private trackWaiting(snapshot: StatusSnapshot, now: number): void {
    const withReason = new Set(snapshot.heads.filter(waitsForAReason).map(({ delivery }) => delivery.target));
    for (const target of this.waitingSince.keys()) if (!withReason.has(target)) this.waitingSince.delete(target);
    for (const target of withReason) if (!this.waitingSince.has(target)) this.waitingSince.set(target, now);
  }

  private async openIncidents(): Promise<Map<string, string>> {
    try {
      const stored: unknown = JSON.parse((await this.deps.store.getMeta(OPEN_KEY)) ?? '{}');
      return new Map(Object.entries(stored && typeof stored === 'object' ? stored : {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    } catch {
      return new Map();
    }
  }

  private async post(text: string, incident: string, logMessage: string): Promise<boolean> {
    try {
      await this.deps.notify(text);
      this.deps.log.info({ incident }, logMessage);
      return true;
    } catch (error) {
      this.deps.log.warn({ err: error, incident }, 'could not post an alert; trying again at the next check');
      return false;
    }
  }
}
