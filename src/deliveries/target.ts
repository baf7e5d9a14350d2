import type { Article } from '../articles/article.js';
import type { Approval } from '../store/store.js';
import type { DeliveryOptions } from './options.js';
import type { DigestCause } from '../store/digests.js';

/**
 * How a failed send should be treated:
 * - permanent: will never succeed as is (missing permission, unknown channel, invalid body);
 * - retry: try again later (5xx, network, rate limit), at `retryAt` when the target says when;
 * - unknown: the request may have been carried out but its answer was lost (timeout after sending);
 * - held: the target cannot send for now, whatever the delivery (its credentials were refused, its
 *   authorization is paused, Discord cannot be reached): nothing went out, and the delivery waits
 *   until `retryAt` without spending one of its attempts.
 */
export type FailureKind = 'permanent' | 'retry' | 'unknown' | 'held';

export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly retryAt?: number,
  ) {
    super(message);
  }
}

export interface SendContext {
  /** The delivery's target key without its kind: the channel id for Discord, '' for X. */
  address: string;
  /** True when an earlier attempt may have posted already (see FailureKind 'unknown'). */
  unknownOutcome: boolean;
  /** What the delivery's route said when it was recorded. */
  options: DeliveryOptions;
}

/** A digest message's context: a delivery's, with the remote id of the digest's first message once it is posted (later messages may need to follow it, as into a forum post). */
interface DigestSendContext extends SendContext {
  firstRemoteId: string | null;
}

/** A target's word on its own state before a send: send, or wait until a time (a refused token, a paused login). */
export type Readiness = { kind: 'send' } | { kind: 'wait'; until: number; reason: string };

interface SendResult {
  remoteId: string | null;
}

/** What a digest shows (deliveries/pace.ts): its articles in order, why it was made, and its id (for its nonces). */
export interface DigestContent {
  id: number;
  cause: DigestCause;
  /** For a scheduled digest: daily or weekly. */
  every?: 'daily' | 'weekly';
  articles: readonly Article[];
}

/** A place Herald posts to: one per destination kind that is configured (or its dry-run printer). */
export interface Target {
  readonly kind: string;
  send(article: Article, context: SendContext): Promise<SendResult>;
  /**
   * Optional gate before a send, about the target itself or the destination `address` (as in a
   * target key), not one delivery: not counted as an attempt. Without `address`: whether the
   * target holds any of its posts back (for the --once report).
   */
  ready?(address?: string): Promise<Readiness>;
  /** Updates a message already posted to show the article as it is now (targets that can edit). */
  edit?(article: Article, context: SendContext & { remoteId: string }): Promise<void>;
  /**
   * Posts message `part` (from 0) of a digest (targets that take digests); resolves with its id and
   * how many messages the whole digest takes. The same digest always splits the same way, and each
   * message carries a nonce of (digest, part) where the platform has one, so posting a part again
   * after a crash or a lost answer posts nothing twice. Rejects with a DeliveryError as `send` does.
   */
  sendDigest?(digest: DigestContent, part: number, context: DigestSendContext): Promise<{ remoteId: string | null; parts: number }>;
  /** Sends a short plain-text notice (an ops alert) to one destination (`address` as in a target key); mentions nobody. */
  notify?(address: string, text: string): Promise<void>;
  /**
   * The approval desk (targets that have buttons): posts to `address` a moderators' preview of an
   * article held for approval, with Approve, Edit and Skip; `destinations` say where it would go.
   * Resolves with the preview's message id; rejects when it could not be posted.
   */
  askApproval?(address: string, article: Article, approval: Approval, destinations: readonly string[]): Promise<string>;
  /** Shows on a preview that its article was decided elsewhere (the dashboard, expiry), without buttons. */
  settleApproval?(address: string, messageId: string, article: Article, approval: Approval, destinations: readonly string[]): Promise<void>;
}

/** A delivery's target key, as stored: "<kind>:<address>", or the kind alone when it has no address ("x"). */
export function targetKey(kind: string, address: string): string {
  return address ? `${kind}:${address}` : kind;
}

/** The kind and address of a delivery's target key (see targetKey). */
export function splitTargetKey(key: string): { kind: string; address: string } {
  const colon = key.indexOf(':');
  return colon < 0 ? { kind: key, address: '' } : { kind: key.slice(0, colon), address: key.slice(colon + 1) };
}
