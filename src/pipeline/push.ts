import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { charsetOf, decodeBytes } from '../sources/decode.js';
import type { ParsedFeed } from '../sources/feed.js';
import { FetchError, type HttpClient } from '../sources/http.js';
import { parseFeedText } from '../sources/parse.js';
import { grantedLeaseMs, requestSubscription, signatureMatches } from '../sources/websub.js';
import { UNREADABLE_PUSH_ROW } from '../store/rows.js';
import type { KeyValues, PushSubscription, PushSubscriptions } from '../store/store.js';

/** The path under HERALD_PUBLIC_URL (and on the ops server) where hubs call back: `/websub/<callback id>`. */
export const PUSH_CALLBACK_PATH = '/websub/';

/** A subscription the hub accepted but never verified is asked for again after this long (ms). */
const UNVERIFIED_RETRY_MS = 3_600_000;
/** After a hub refused (or could not be reached), it is asked again after this long (ms). */
const REFUSED_RETRY_MS = 86_400_000;
/** After a failed renewal, the least time before the next request for that feed, in ms. */
const RENEW_GAP_MS = 60_000;
/** Safety polls in a row that found stories the hub never pushed, after which polling takes over (until the hub pushes again). */
const MISSED_LIMIT = 2;
/** The `meta` key holding the HERALD_PUBLIC_URL under which every watched feed's hubs were last looked for. */
const HUBS_READ_KEY = 'websub.hubsReadFor';

export interface PushDeps {
  store: PushSubscriptions & KeyValues;
  /** The guarded client for a feed: its hub is reached like the feed's host (SSRF rules and the feed's reach, per-host politeness). */
  httpFor(feedId: string): HttpClient;
  log: Logger;
  /** HERALD_PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
  /** The lease asked of hubs, in ms (`push.lease`). */
  leaseMs: number;
  /** Deadline of a request to a hub, in ms. */
  timeoutMs: number;
  /** Largest notification body accepted, in bytes. */
  maxBytes: number;
  /** A genuine (signed) notification for a feed: its content as a parsed feed, or null for a thin ping (fetch it). */
  notified(feedId: string, feed: ParsedFeed | null): void;
  /** Clock, in ms since the epoch. */
  now?: () => number;
}

/** How a feed stands with push, for /feeds list, /status and the scheduler. */
export interface PushStatus {
  state: PushSubscription['state'];
  /** True when the hub is trusted to push: verified, lease running, and not gone quiet. */
  pushed: boolean;
  hub: string;
  leaseUntil: number | null;
}

/**
 * WebSub subscriber (W3C Recommendation, https://www.w3.org/TR/websub/): subscribes feeds whose
 * polls name a hub, with a callback under HERALD_PUBLIC_URL and a secret of its own per
 * subscription; answers the hub's intent verification only for a subscription it asked for and
 * still wants; takes signed notifications (a forged or unsigned one gets a 2xx and is ignored, §7);
 * renews on a timer before the lease ends and unsubscribes removed feeds. Subscriptions live in the store,
 * so any process sharing the database can answer a hub.
 */
export class WebSub {
  /** This process's view of the subscriptions it has dealt with, by feed id. */
  private readonly known = new Map<string, PushSubscription>();
  /** Safety polls in a row that found stories the hub had not pushed. */
  private readonly missed = new Map<string, number>();
  /** Each verified subscription's renewal timer, by feed id. */
  private readonly renewals = new Map<string, NodeJS.Timeout>();
  /** The client each feed's hub was asked with: the feed's reach still applies to its unsubscription, when the feed itself is gone. */
  private readonly hubClients = new Map<string, HttpClient>();
  private closed = false;
  /** From a start where push is new (or HERALD_PUBLIC_URL changed) until every feed's first poll: feeds polled before answer 304 without showing their hubs, so those polls read the content. */
  private hubsUnread = false;
  /** Feeds whose content (and so their hubs) a poll of this process has read. */
  private readonly hubsRead = new Set<string>();

  constructor(private readonly deps: PushDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /**
   * At start: loads the stored subscriptions and times their renewals; a subscription of a feed not
   * in `watched` (removed or paused while Herald was stopped) is ended at its hub, and a feed watched
   * again (resumed or put back in the config meanwhile) is subscribed again at once, and after a
   * change of HERALD_PUBLIC_URL every subscription is renewed with the new callback address. Rejects
   * with the store's error.
   */
  async load(watched: ReadonlySet<string>): Promise<void> {
    const readFor = await this.deps.store.getMeta(HUBS_READ_KEY);
    this.hubsUnread = readFor !== this.deps.publicUrl;
    // HERALD_PUBLIC_URL changed: hubs would call the old address until each renewal; renew now.
    const moved = readFor !== null && readFor !== this.deps.publicUrl;
    for (const subscription of await this.deps.store.pushSubscriptions()) {
      this.remember(subscription);
      const { feedId, hub, topic, state } = subscription;
      if (subscription.lastError?.startsWith(UNREADABLE_PUSH_ROW)) this.deps.log.warn({ feed: feedId, hub, reason: subscription.lastError }, 'stored push subscription unreadable: counted as refused; polling, and the hub is asked again');
      if (!watched.has(feedId)) {
        if (state !== 'ended') await this.unsubscribe(feedId);
      } else if (state === 'ended' || state === 'unsubscribing') {
        await this.subscribe(feedId, hub, topic, null);
      } else if (moved && (state === 'active' || state === 'requested')) {
        await this.subscribe(feedId, hub, topic, subscription);
      }
    }
  }

  /**
   * Whether the feed's next poll must read its content, not take a 304: push is new since the feed
   * was last read (or HERALD_PUBLIC_URL changed), and its hubs are not known yet.
   */
  needsContent(feedId: string): boolean {
    return this.hubsUnread && !this.known.has(feedId) && !this.hubsRead.has(feedId);
  }

  /**
   * Every watched feed had its first poll since the start (the scheduler's first round): records that
   * their hubs were read under this HERALD_PUBLIC_URL. Never throws: a failure is logged.
   */
  async hubsSeen(): Promise<void> {
    if (!this.hubsUnread) return;
    try {
      await this.deps.store.setMeta(HUBS_READ_KEY, this.deps.publicUrl);
      this.hubsUnread = false;
      this.hubsRead.clear();
    } catch (error) {
      this.deps.log.warn({ err: error }, 'could not record that the hubs of every feed were read; the next start reads them again');
    }
  }

  /** Stops the renewal timers (graceful stop); subscriptions stay, for the next start. */
  close(): void {
    this.closed = true;
    for (const timer of this.renewals.values()) clearTimeout(timer);
    this.renewals.clear();
  }

  /** How a feed stands with push, or null when it has no subscription. */
  status(feedId: string): PushStatus | null {
    const subscription = this.known.get(feedId);
    if (!subscription) return null;
    return { state: subscription.state, pushed: this.isPushed(subscription), hub: subscription.hub, leaseUntil: subscription.leaseUntil };
  }

  private isPushed(subscription: PushSubscription): boolean {
    return subscription.state === 'active' && (subscription.leaseUntil ?? 0) > this.now() && (this.missed.get(subscription.feedId) ?? 0) < MISSED_LIMIT;
  }

  /**
   * When a verified subscription is renewed, in ms since the epoch: a tenth of its lease (at least a
   * minute, at most half the lease) before the lease ends; after a failed renewal, not sooner than a
   * minute after it (a hub refusing renewals is not asked again and again).
   */
  private static renewAt(subscription: PushSubscription & { leaseUntil: number }): number {
    const lease = subscription.leaseUntil - subscription.requestedAt;
    const renewAt = subscription.leaseUntil - Math.min(Math.max(lease / 10, 60_000), lease / 2);
    return subscription.lastError === null ? renewAt : Math.max(renewAt, subscription.requestedAt + RENEW_GAP_MS);
  }

  /** Keeps this process's view of a subscription, and times its renewal when it is verified. */
  private remember(subscription: PushSubscription): void {
    this.known.set(subscription.feedId, subscription);
    clearTimeout(this.renewals.get(subscription.feedId));
    this.renewals.delete(subscription.feedId);
    if (this.closed || subscription.state !== 'active' || subscription.leaseUntil === null) return;
    const at = WebSub.renewAt({ ...subscription, leaseUntil: subscription.leaseUntil });
    // setTimeout holds at most 2^31-1 ms (24.8 days); a longer wait is re-timed when it fires.
    const timer = setTimeout(() => void this.renew(subscription.feedId, at), Math.min(Math.max(0, at - this.now()), 2 ** 31 - 1));
    timer.unref();
    this.renewals.set(subscription.feedId, timer);
  }

  private async renew(feedId: string, at: number): Promise<void> {
    try {
      const stored = await this.deps.store.pushSubscription(feedId);
      if (!stored || stored.state !== 'active') return;
      if (this.now() < at) this.remember(stored);
      else await this.subscribe(feedId, stored.hub, stored.topic, stored);
    } catch (error) {
      this.deps.log.warn({ err: error, feed: feedId }, 'push subscription renewal failed');
    }
  }

  /**
   * After a poll of a watched feed: `found` is the hubs and topic the answer named (null for a 304),
   * and `newArticles` how many stories the poll found. Subscribes when the feed names a hub and has
   * no subscription (or another hub or topic), or one that was ended or is being ended (a feed
   * watched again: resumed, re-added, back in the config; the hub it had is asked again even when
   * the poll answers 304); renews a lease that is due, asks again after a refusal a day later, and
   * notes a hub that missed stories. Never throws: failures are logged and stored.
   */
  async afterPoll(feedId: string, found: { hubs: string[]; topic: string } | null, newArticles: number): Promise<void> {
    try {
      const stored = await this.deps.store.pushSubscription(feedId);
      if (stored) this.remember(stored);
      else this.known.delete(feedId);
      if (found) this.hubsRead.add(feedId);
      if (stored && this.isPushed(stored) && newArticles > 0) {
        const missed = (this.missed.get(feedId) ?? 0) + 1;
        this.missed.set(feedId, missed);
        if (missed === MISSED_LIMIT) this.deps.log.warn({ feed: feedId, hub: stored.hub }, 'hub went quiet: polling takes over until it pushes again');
      }
      const now = this.now();
      const hub = found?.hubs[0] ?? stored?.hub;
      const topic = found?.topic ?? stored?.topic;
      if (!hub || !topic) return;
      if (!stored || stored.state === 'ended' || stored.state === 'unsubscribing' || (found && !found.hubs.includes(stored.hub)) || stored.topic !== topic) {
        await this.subscribe(feedId, hub, topic, null);
        return;
      }
      const due =
        stored.state === 'refused'
          ? now - stored.requestedAt >= REFUSED_RETRY_MS
          : stored.state === 'requested'
            ? now - stored.requestedAt >= UNVERIFIED_RETRY_MS
            : stored.state === 'active' && stored.leaseUntil !== null
              ? now >= WebSub.renewAt({ ...stored, leaseUntil: stored.leaseUntil })
              : false;
      if (due) await this.subscribe(feedId, stored.hub, stored.topic, stored);
    } catch (error) {
      this.deps.log.warn({ err: error, feed: feedId }, 'push subscription bookkeeping failed');
    }
  }

  /** Asks `hub` for the topic; a renewal keeps the callback and secret (the hub knows them). */
  private async subscribe(feedId: string, hub: string, topic: string, renewing: PushSubscription | null): Promise<void> {
    const subscription: PushSubscription = renewing
      ? { ...renewing, requestedAt: this.now(), lastError: null, state: renewing.state === 'active' ? 'active' : 'requested' }
      : {
          feedId,
          hub,
          topic,
          callbackId: randomBytes(18).toString('base64url'),
          secret: randomBytes(24).toString('base64url'),
          state: 'requested',
          leaseUntil: null,
          requestedAt: this.now(),
          lastPushAt: null,
          lastError: null,
        };
    // Stored before asking: a hub may verify before it answers the request.
    await this.save(subscription);
    try {
      const http = this.deps.httpFor(feedId);
      this.hubClients.set(feedId, http);
      await requestSubscription(
        http,
        { hub, mode: 'subscribe', topic, callback: this.callbackUrl(subscription), secret: subscription.secret, leaseSeconds: Math.round(this.deps.leaseMs / 1000) },
        this.deps.timeoutMs,
      );
      this.deps.log.info({ feed: feedId, hub, topic, renewal: renewing !== null }, 'push subscription requested');
    } catch (error) {
      const reason = error instanceof FetchError ? `${error.kind}: ${error.message}` : (error as Error).message;
      const current = this.known.get(feedId) ?? subscription;
      // A failed renewal leaves a verified lease running (asked again a minute later); once the lease
      // is over, the hub counts as refusing: polling takes over and it is asked again a day later.
      if (current.state !== 'active' || (current.leaseUntil ?? 0) <= this.now()) await this.save({ ...current, state: 'refused', lastError: reason });
      else await this.save({ ...current, lastError: reason });
      this.deps.log.warn({ feed: feedId, hub, reason }, 'hub refused the push subscription; polling');
    }
  }

  /**
   * A feed is no longer watched (removed, paused, gone from the config): asks its hub to end the
   * subscription; it counts as ended when the hub verifies that (at once if the hub cannot be
   * asked, or had refused). Never throws: failures are logged.
   */
  async unsubscribe(feedId: string): Promise<void> {
    this.missed.delete(feedId);
    try {
      const stored = await this.deps.store.pushSubscription(feedId);
      if (!stored || stored.state === 'unsubscribing' || stored.state === 'ended') return;
      if (stored.state === 'refused') {
        await this.end(stored);
        return;
      }
      await this.save({ ...stored, state: 'unsubscribing', requestedAt: this.now() });
      const http = this.hubClients.get(feedId) ?? this.deps.httpFor(feedId);
      this.hubClients.delete(feedId);
      await requestSubscription(http, { hub: stored.hub, mode: 'unsubscribe', topic: stored.topic, callback: this.callbackUrl(stored) }, this.deps.timeoutMs);
      this.deps.log.info({ feed: feedId, hub: stored.hub }, 'push unsubscription requested');
    } catch (error) {
      this.deps.log.warn({ err: error, feed: feedId }, 'push unsubscription failed; the subscription is ended here and its notifications refused');
      const stored = await this.deps.store.pushSubscription(feedId).catch(() => null);
      if (stored) await this.end(stored).catch(() => undefined);
    }
  }

  private callbackUrl(subscription: PushSubscription): string {
    return `${this.deps.publicUrl}${PUSH_CALLBACK_PATH}${subscription.callbackId}`;
  }

  private async save(subscription: PushSubscription): Promise<void> {
    await this.deps.store.savePushSubscription(subscription);
    this.remember(subscription);
  }

  /** Ends a subscription here: no renewal, its notifications refused; hub and topic kept for when the feed is watched again. */
  private end(subscription: PushSubscription): Promise<void> {
    return this.save({ ...subscription, state: 'ended', leaseUntil: null, requestedAt: this.now() });
  }

  /**
   * Answers a hub at `/websub/<callback id>` (the ops server routes it here): GET is the intent
   * verification (§5.3) or a denial (§5.2), POST a content distribution (§7, §8).
   */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://callback');
    const callbackId = url.pathname.slice(PUSH_CALLBACK_PATH.length);
    const subscription = /^[A-Za-z0-9_-]{8,64}$/.test(callbackId) ? await this.deps.store.pushSubscriptionByCallback(callbackId) : null;
    if (req.method === 'GET') return this.verify(subscription, url.searchParams, res);
    if (req.method === 'POST') return this.receive(subscription, req, res);
    res.writeHead(405, { allow: 'GET, POST' }).end();
  }

  private async verify(subscription: PushSubscription | null, query: URLSearchParams, res: ServerResponse): Promise<void> {
    const mode = query.get('hub.mode');
    const topic = query.get('hub.topic');
    const challenge = query.get('hub.challenge');
    if (subscription === null || topic !== subscription.topic) {
      this.deps.log.warn({ mode, topic }, 'push verification refused: not a subscription Herald asked for');
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such subscription\n');
      return;
    }
    if (mode === 'denied' && subscription.state === 'requested') {
      await this.save({ ...subscription, state: 'refused', lastError: `denied by the hub${query.get('hub.reason') ? `: ${query.get('hub.reason')}` : ''}` });
      this.deps.log.warn({ feed: subscription.feedId, hub: subscription.hub, reason: query.get('hub.reason') }, 'hub denied the push subscription; polling');
      res.writeHead(200).end();
      return;
    }
    // Only a subscription Herald asked for and still wants, and an unsubscription it asked for, are confirmed.
    const wanted = challenge !== null && ((mode === 'subscribe' && (subscription.state === 'requested' || subscription.state === 'active')) || (mode === 'unsubscribe' && subscription.state === 'unsubscribing'));
    if (!wanted) {
      this.deps.log.warn({ mode, topic, feed: subscription.feedId, state: subscription.state }, 'push verification refused: not a subscription Herald asked for');
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such subscription\n');
      return;
    }
    if (mode === 'unsubscribe') {
      await this.end(subscription);
      this.deps.log.info({ feed: subscription.feedId, hub: subscription.hub }, 'push unsubscribed');
    } else {
      const leaseMs = grantedLeaseMs(query.get('hub.lease_seconds'), this.deps.leaseMs);
      const now = this.now();
      await this.save({ ...subscription, state: 'active', leaseUntil: now + leaseMs, requestedAt: now, lastError: null });
      this.deps.log.info({ feed: subscription.feedId, hub: subscription.hub, leaseUntil: new Date(now + leaseMs).toISOString() }, 'push subscription verified');
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(challenge);
  }

  private async receive(subscription: PushSubscription | null, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!subscription || subscription.state === 'unsubscribing' || subscription.state === 'ended') {
      // 410: the hub may end a subscription Herald no longer has (§8).
      req.resume();
      res.writeHead(410).end();
      return;
    }
    const body = await readBody(req, this.deps.maxBytes);
    if (body === null) {
      res.writeHead(413).end();
      return;
    }
    const signature = req.headers['x-hub-signature'];
    if (!signatureMatches(subscription.secret, Array.isArray(signature) ? signature[0] : signature, body)) {
      // §7: a notification that is not signed with the subscription's secret is acknowledged and ignored.
      this.deps.log.warn({ feed: subscription.feedId, hub: subscription.hub, signed: signature !== undefined }, 'push notification ignored: missing or wrong signature');
      res.writeHead(202).end();
      return;
    }
    res.writeHead(202).end();
    this.missed.delete(subscription.feedId);
    const feed = parseNotification(body, req.headers['content-type'] ?? null, subscription.topic);
    this.deps.log.info({ feed: subscription.feedId, bytes: body.length, items: feed?.items.length ?? null }, feed ? 'push notification' : 'push notification without content; fetching the feed');
    this.deps.notified(subscription.feedId, feed);
    await this.save({ ...(this.known.get(subscription.feedId) ?? subscription), lastPushAt: this.now() }).catch(() => undefined);
  }
}

/** The feed a notification carries (a fat ping), or null when it carries none that parses (a thin ping). */
function parseNotification(body: Uint8Array, contentType: string | null, topic: string): ParsedFeed | null {
  if (body.length === 0) return null;
  try {
    return parseFeedText(decodeBytes(body, charsetOf(contentType)), topic);
  } catch {
    return null;
  }
}

/** The request body, or null when it is longer than `maxBytes`. */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  // Read to the end either way, so the answer can still be sent on the connection.
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total <= maxBytes) chunks.push(chunk as Buffer);
  }
  return total > maxBytes ? null : Buffer.concat(chunks);
}
