import type { EpochMs, StoredArticle, StoredOptions } from './store.js';

/** Why a digest was made (deliveries/pace.ts DigestCause). */
export type DigestCause = 'pace' | 'quiet' | 'scheduled';

/**
 * open: gathering articles until due; ready: its list fixed, being posted part by part; sent;
 * failed (for good, with its folded deliveries); skipped: due with nothing to list.
 */
export type DigestStatus = 'open' | 'ready' | 'sent' | 'failed' | 'skipped';

/** One message (or a few, when one cannot hold them) listing several articles for one target. */
export interface Digest {
  id: number;
  /** A target key, as for deliveries. */
  target: string;
  cause: DigestCause;
  status: DigestStatus;
  /** When it is posted (or tried again). */
  dueAt: EpochMs;
  /** The start of the time a scheduled digest covers. */
  since: EpochMs;
  /** The destination's options (deliveries/options.ts), as stored: parsed JSON, unchecked. */
  options: unknown;
  /** Messages of it posted so far. */
  partsSent: number;
  /** Its first message's id, once posted. */
  remoteId: string | null;
  attempts: number;
  lastError: string | null;
}

/**
 * Digests (deliveries/pace.ts): deliveries folded into one message per target when a destination's
 * pace, quiet hours or schedule says so. A folded delivery belongs to its digest, which is posted
 * once: its posting and the marking of its deliveries are one transaction (markDigestSent), and
 * each of its messages carries a nonce of its own, so a resend after a crash in between posts nothing twice.
 */
export interface Digests {
  /** When posts went out to `target` after `since` (single posts and digests, each one): for the pace. */
  postTimes(target: string, since: EpochMs): Promise<EpochMs[]>;
  /**
   * In one transaction: the target's open digest of `cause` (made when none is open: due at
   * `dueAt`, with `options`, covering from the last such digest's due time, or `since`); when
   * `fold`, every pending delivery of the target not of unknown outcome is folded into it.
   * Returns the digest's id and how many deliveries were folded.
   */
  foldIntoDigest(target: string, cause: DigestCause, digest: { dueAt: EpochMs; since: EpochMs; options: StoredOptions }, fold: boolean, now: EpochMs): Promise<{ digestId: number; folded: number }>;
  /** Open and ready digests due at `now`, oldest due first. */
  dueDigests(now: EpochMs): Promise<Digest[]>;
  /**
   * What an open digest may list: the articles of its folded deliveries, and for a scheduled
   * digest those of the deliveries to its target recorded between its `since` and `until`
   * (posted alone or waiting); each with how many feeds carried the story and its delivery's options.
   */
  digestCandidates(digest: Digest, until: EpochMs): Promise<Array<{ article: StoredArticle; feeds: number; options: unknown }>>;
  /**
   * Fixes an open digest's list (`articleIds`, in order; none makes it skipped) and skips its folded
   * deliveries that are not listed, with `reason`; in one transaction, only if it is still open.
   * Returns false (changing nothing) when it is not.
   */
  closeDigest(id: number, articleIds: readonly string[], reason: string, now: EpochMs): Promise<boolean>;
  /** The articles a closed digest lists, in order. */
  digestArticles(id: number): Promise<StoredArticle[]>;
  /** Message `part` (from 0) of a ready digest was posted, as `remoteId`. */
  markDigestPart(id: number, part: number, remoteId: string | null, now: EpochMs): Promise<void>;
  /** Every message of it was posted: the digest and its folded deliveries are sent, in one transaction. */
  markDigestSent(id: number, now: EpochMs): Promise<void>;
  /** It waits until `dueAt`, with the reason (a failed post when `attempted`: one more attempt counted). */
  markDigestRetry(id: number, reason: string, dueAt: EpochMs, attempted: boolean, now: EpochMs): Promise<void>;
  /** Given up for good: the digest and its folded deliveries failed with `error`, in one transaction. */
  markDigestFailed(id: number, error: string, now: EpochMs): Promise<void>;
}

