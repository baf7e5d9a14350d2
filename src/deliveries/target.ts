import type { DeliveryJob, StoredArticle } from '../store/store.js';

/**
 * How a failed send should be treated:
 * - permanent: will never succeed as is (missing permission, unknown channel, invalid body);
 * - retry: try again later (5xx, network, rate limit), at `retryAt` when the target says when;
 * - unknown: the request may have been carried out but its answer was lost (timeout after sending).
 */
export type FailureKind = 'permanent' | 'retry' | 'unknown';

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
}

/** A target's word on a due delivery before it is tried: send it, wait until a time, or it was skipped. */
export type Readiness = { kind: 'send' } | { kind: 'wait'; until: number; reason: string } | { kind: 'skipped' };

export interface SendResult {
  remoteId: string | null;
}

/** A place Herald posts to. One implementation per kind ("discord", "x", and the dry-run printer). */
export interface Target {
  readonly kind: string;
  /**
   * True when resending after an unknown outcome cannot post twice (Discord's nonce). A target
   * that is not idempotent gets at most one resend after an unknown outcome.
   */
  readonly idempotent: boolean;
  send(article: StoredArticle, context: SendContext): Promise<SendResult>;
  /** Optional gate before a send (X's budget): not counted as an attempt. */
  ready?(job: DeliveryJob): Promise<Readiness>;
  /** Updates a message already posted to show the article as it is now (targets that can edit). */
  edit?(article: StoredArticle, context: SendContext & { remoteId: string }): Promise<void>;
}

export function splitTargetKey(key: string): { kind: string; address: string } {
  const colon = key.indexOf(':');
  return colon < 0 ? { kind: key, address: '' } : { kind: key.slice(0, colon), address: key.slice(colon + 1) };
}
