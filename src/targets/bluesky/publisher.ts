import { XRPCError, type AtpAgent, type BlobRef } from '@atproto/api';
import type { Logger } from 'pino';
import { DeliveryError, type Readiness, type Target } from '../../deliveries/target.js';
import type { HttpClient } from '../../sources/http.js';
import type { Article } from '../../articles/article.js';
import { fetchLeadImage } from '../image.js';
import { renderBlueskyPost } from './render.js';
import { isSessionRefusal, PAUSE_RECHECK_MS, rateLimitReset, type BlueskySession } from './session.js';
import type { BlueskySettings } from './settings.js';
import { postRecordKey } from './tid.js';

/** Record keys tried per article before giving up: the first is taken by another article only rarely (see postRecordKey). */
const RECORD_KEYS = 4;
const POST_COLLECTION = 'app.bsky.feed.post';
/** A link card's thumbnail may hold at most this many bytes (app.bsky.embed.external `thumb`: maxSize 1,000,000). */
const MAX_THUMB_BYTES = 1_000_000;

export interface BlueskyTargetOptions {
  session: BlueskySession;
  /** The SSRF-guarded client for lead images, reaching what the article's feed may reach (private networks only for a feed allowed them). */
  httpFor(feedId: string): HttpClient;
  log: Logger;
  /** The `bluesky:` section as currently loaded (SIGHUP may replace it). */
  settings(): BlueskySettings;
  now?: () => number;
}

/** A failed request, as the outbox should treat it; Bluesky's rate limits wait for their `ratelimit-reset`. */
function classify(error: unknown, now: number): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof XRPCError) {
    if (error.status === 429) return new DeliveryError('Bluesky rate limit reached (429)', 'retry', rateLimitReset(error.headers?.['ratelimit-reset'], now + 60_000));
    // No HTTP answer (network, timeout): the record may have been written.
    if (error.status < 100) return new DeliveryError(`Bluesky request failed: ${error.message}`, 'unknown');
    if (error.status >= 500 || isSessionRefusal(error)) return new DeliveryError(`Bluesky ${error.status} ${error.error}: ${error.message}`, 'retry');
    return new DeliveryError(`Bluesky ${error.status} ${error.error}: ${error.message}`, 'permanent');
  }
  return new DeliveryError(`Bluesky request failed: ${(error as Error)?.message ?? String(error)}`, 'unknown');
}

/**
 * Posts articles to one Bluesky account: a post (renderBlueskyPost) with a link card and, when
 * `bluesky.thumbnails` is on, the lead image as the card's thumbnail (uploadBlob; JPEG, PNG, GIF or
 * WebP of at most 1,000,000 bytes; an image problem never blocks the post).
 *
 * Exactly once: the record key is derived from the article and the account (postRecordKey), so a
 * resend after an unknown outcome names the record that may exist. A create that fails for any reason
 * but the session or a rate limit is followed by a getRecord of that key: a record there is the
 * article's post (the PDS refused a second one), and counts as posted with its uri.
 * Rate limits: nothing is sent while Bluesky's last answer said none remain (ratelimit-remaining 0),
 * until its ratelimit-reset; a 429 waits until then too. Posts are never edited (Bluesky has no edits).
 */
export function createBlueskyTarget(options: BlueskyTargetOptions): Target {
  const { session, log } = options;
  const now = options.now ?? Date.now;

  async function thumbnail(agent: AtpAgent, article: Article): Promise<BlobRef | null> {
    if (!article.imageUrl || !options.settings().thumbnails) return null;
    try {
      const image = await fetchLeadImage(options.httpFor(article.feedId), article.imageUrl, MAX_THUMB_BYTES);
      if (!image) return null;
      const { data } = await agent.uploadBlob(image.bytes, { encoding: image.type });
      return data.blob;
    } catch (error) {
      log.warn({ article: article.id, image: article.imageUrl, reason: (error as Error).message }, 'link card thumbnail not attached; posting without it');
      return null;
    }
  }

  /** The article's post if the account already holds it, as its uri; null when there is none. */
  /**
   * The post at `rkey`: its URI when it links `url` (this article's post), 'other' when another
   * article's post holds the key, null when there is none.
   */
  async function existing(agent: AtpAgent, did: string, rkey: string, url: string): Promise<string | 'other' | null> {
    try {
      const { data } = await agent.com.atproto.repo.getRecord({ repo: did, collection: POST_COLLECTION, rkey });
      const value = data.value as { embed?: { external?: { uri?: unknown } } };
      if (value.embed?.external?.uri !== url) return 'other';
      log.info({ target: 'bluesky', uri: data.uri, cid: data.cid }, 'Bluesky post already there');
      return data.uri;
    } catch (error) {
      if (error instanceof XRPCError && error.status === 400 && error.error === 'RecordNotFound') return null;
      throw error;
    }
  }

  async function post(agent: AtpAgent, article: Article, unknownOutcome: boolean): Promise<{ remoteId: string }> {
    const did = agent.assertDid;
    let record: Record<string, unknown> | null = null;
    // Two articles first seen close together can, rarely, derive the same key: a key held by another
    // article's post is passed over for the next one in the article's own fixed sequence.
    for (let n = 0; n < RECORD_KEYS; n++) {
      const rkey = postRecordKey(did, n === 0 ? article.id : `${article.id}\n${n}`, article.firstSeenAt);
      // After an unknown outcome, look first: no thumbnail is uploaded again for a post that is out.
      const found = unknownOutcome || n > 0 ? await existing(agent, did, rkey, article.url) : null;
      if (found === 'other') continue;
      if (found) return { remoteId: found };
      if (!record) {
        const { text, facets, card } = renderBlueskyPost(article);
        const thumb = await thumbnail(agent, article);
        const { langs } = options.settings();
        record = {
          $type: POST_COLLECTION,
          text,
          facets,
          embed: { $type: 'app.bsky.embed.external', external: { ...card, ...(thumb ? { thumb } : {}) } },
          ...(langs.length > 0 ? { langs } : {}),
          createdAt: new Date(now()).toISOString(),
        };
      }
      try {
        const { data } = await agent.com.atproto.repo.createRecord({ repo: did, collection: POST_COLLECTION, rkey, record });
        return { remoteId: data.uri };
      } catch (error) {
        if (isSessionRefusal(error) || (error instanceof XRPCError && error.status === 429)) throw error;
        // A refused create (a PDS answers a taken key with an error, some with a 500) may mean it is there already.
        const there = await existing(agent, did, rkey, article.url).catch(() => null);
        if (there === 'other') continue;
        if (there) return { remoteId: there };
        throw error;
      }
    }
    throw new Error(`Bluesky: the first ${RECORD_KEYS} record keys of article ${article.id} are held by other posts`);
  }

  async function attempt(article: Article, unknownOutcome: boolean): Promise<{ remoteId: string }> {
    try {
      return await post(await session.agent(), article, unknownOutcome);
    } finally {
      await session.saved();
    }
  }

  return {
    kind: 'bluesky',

    /** A refused login holds every post until a restart; a spent rate limit until its reset. */
    async ready(): Promise<Readiness> {
      const paused = session.paused();
      if (paused) return { kind: 'wait', until: now() + PAUSE_RECHECK_MS, reason: paused };
      const limited = session.limitedUntil();
      if (limited) return { kind: 'wait', until: limited, reason: `Bluesky rate limit: nothing more until ${new Date(limited).toISOString()}` };
      return { kind: 'send' };
    },

    async send(article, context) {
      try {
        return await attempt(article, context.unknownOutcome);
      } catch (error) {
        if (!isSessionRefusal(error)) throw classify(error, now());
        // The session was refused (its refresh too), so nothing was posted: log in again, once.
        await session.drop();
        try {
          return await attempt(article, context.unknownOutcome);
        } catch (retryError) {
          throw classify(retryError, now());
        }
      }
    },
  };
}
