import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import { ApiRequestError, ApiResponseError, type ITwitterApiClientPlugin, type TwitterApi } from 'twitter-api-v2';
import type { DeliveryOptions } from '../../deliveries/options.js';
import { DeliveryError, type Readiness, type Target } from '../../deliveries/target.js';
import type { HttpClient } from '../../sources/http.js';
import type { Article } from '../../articles/article.js';
import type { UsageLedger } from '../../store/store.js';
import { fetchLeadImage } from '../image.js';
import { usagePeriods } from './budget.js';
import { altText, renderXPost } from './render.js';
import type { XSettings } from './settings.js';

const X_HOSTS = new Set(['api.x.com', 'upload.x.com', 'api.twitter.com', 'upload.twitter.com']);
/** X's limit for an image upload, in bytes (POST /2/media/upload: 5 MB for images). */
const MAX_IMAGE_BYTES = 5_000_000;
/** How often a paused X target (authorization revoked) looks whether `herald x login` has been run since. */
const PAUSE_RECHECK_MS = 15_000;

/**
 * twitter-api-v2 has its hosts built in. This plugin sends every request to `baseUrl` instead
 * (X_API_URL: a proxy, or the fake X server in tests). It runs after OAuth signing, as X would
 * verify the signature against its own host.
 */
export function redirectPlugin(baseUrl: string): ITwitterApiClientPlugin {
  const base = new URL(baseUrl);
  const agent = base.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  return {
    onBeforeRequest({ computedParams, requestOptions }) {
      const url = computedParams.url;
      if (!X_HOSTS.has(url.hostname)) return;
      url.protocol = base.protocol;
      url.host = base.host;
      if (base.pathname !== '/') url.pathname = base.pathname.replace(/\/$/, '') + url.pathname;
      requestOptions.agent = agent;
    },
  };
}

function isDuplicate(error: ApiResponseError): boolean {
  return error.code === 403 && JSON.stringify(error.data ?? {}).toLowerCase().includes('duplicate');
}

/** X problem types that refuse every post of this app (no write permission, no access level), not this one post. */
const APP_REFUSALS = /\/problems\/(?:oauth1-permissions|client-forbidden|unsupported-authentication)$/;

function appRefusal(error: unknown): string | null {
  if (!(error instanceof ApiResponseError) || error.code !== 403) return null;
  const data = error.data as { type?: string; detail?: string } | undefined;
  if (!APP_REFUSALS.test(data?.type ?? '')) return null;
  return (
    `X refuses posts from this app (403: ${data?.detail ?? data?.type}). In the X developer portal give the app Read and write, ` +
    'then regenerate its access token and restart Herald, or run `herald x login` again (OAuth 2.0); X posts wait until then'
  );
}

function classifyXError(error: unknown, now: number): DeliveryError | 'duplicate' {
  if (error instanceof DeliveryError) return error;
  if (error instanceof ApiResponseError) {
    if (isDuplicate(error)) return 'duplicate';
    if (error.code === 429 || error.rateLimitError) {
      // X sends no Retry-After: wait for the window's reset (seconds since the epoch).
      const reset = error.rateLimit?.reset ? error.rateLimit.reset * 1000 : now + 60_000;
      return new DeliveryError('X rate limit reached', 'retry', Math.max(reset, now + 1000));
    }
    if (error.code >= 500) return new DeliveryError(`X ${error.code}`, 'retry');
    const detail = (error.data as { detail?: string } | undefined)?.detail ?? error.message;
    return new DeliveryError(`X ${error.code}: ${detail}`, 'permanent');
  }
  if (error instanceof ApiRequestError) {
    // The request may have reached X before the connection failed: the post may exist.
    return new DeliveryError(`X request failed: ${error.requestError?.message ?? error.message}`, 'unknown');
  }
  return new DeliveryError(`X request failed: ${(error as Error)?.message ?? String(error)}`, 'unknown');
}

/** Gives the X client to use now; OAuth 2 refreshes behind it. `invalidate` after a 401. */
export interface XClientSource {
  client(): Promise<TwitterApi>;
  /** Called after a 401: refresh once if possible. Returns false when the authorization is gone. */
  recover?(): Promise<boolean>;
  /** Pauses posting for a reason that concerns every post (the app may not post at all), logged once. */
  pause?(reason: string): void;
  /** Why posting is paused (a revoked authorization), or null once it is authorized again. */
  paused?(): Promise<string | null>;
}

export interface XTargetOptions {
  source: XClientSource;
  store: UsageLedger;
  /** The SSRF-guarded client for lead images, reaching what the article's feed may reach (private networks only for a feed allowed them). */
  httpFor(feedId: string): HttpClient;
  log: Logger;
  /** The `x:` section as currently loaded (SIGHUP may replace it). */
  settings(): XSettings;
  now?: () => number;
}

export function createXTarget(options: XTargetOptions): Target {
  const now = options.now ?? Date.now;
  const { store, log } = options;

  /** Lead image → media id, or null; an image problem never blocks the post. */
  async function uploadImage(client: TwitterApi, article: Article): Promise<string | null> {
    if (!article.imageUrl) return null;
    try {
      const image = await fetchLeadImage(options.httpFor(article.feedId), article.imageUrl, MAX_IMAGE_BYTES);
      if (!image) return null;
      const mediaId = await client.v2.uploadMedia(Buffer.from(image.bytes), { media_type: image.type as 'image/jpeg' });
      await client.v2.createMediaMetadata(mediaId, { alt_text: { text: altText(article) } });
      return mediaId;
    } catch (error) {
      log.warn({ article: article.id, image: article.imageUrl, reason: (error as Error).message }, 'lead image not attached; posting without it');
      return null;
    }
  }

  /** The client to post with. Nothing has reached X yet, so a failure here is a plain retry, never an unknown outcome. */
  async function authorizedClient(): Promise<TwitterApi> {
    try {
      return await options.source.client();
    } catch (error) {
      throw await pausedOr(`X authorization unavailable: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  /** Waits out a paused authorization until the next check; otherwise an ordinary retry. */
  async function pausedOr(message: string): Promise<DeliveryError> {
    const paused = await options.source.paused?.();
    return paused ? new DeliveryError(paused, 'held', now() + PAUSE_RECHECK_MS) : new DeliveryError(message, 'retry');
  }

  async function post(article: Article, delivery: DeliveryOptions): Promise<{ remoteId: string | null }> {
    const config = options.settings();
    const { text, reply } = renderXPost(article, { template: delivery.template, hashtags: config.hashtags, thread: config.thread, mentions: config.mentions });
    const client = await authorizedClient();
    const mediaId = config.images ? await uploadImage(client, article) : null;
    const result = await client.v2.tweet({ text, ...(mediaId ? { media: { media_ids: [mediaId] } } : {}) });
    const periods = usagePeriods(now());
    await store.recordXUsage([periods.day, periods.month], 1, config.prices.postWithUrl + (mediaId ? config.prices.mediaUpload : 0));
    if (reply) {
      try {
        await client.v2.reply(reply, result.data.id);
        await store.recordXUsage([periods.day, periods.month], 1, config.prices.post);
      } catch (error) {
        log.warn({ article: article.id, reason: (error as Error).message }, 'thread reply not posted; the post itself is out');
      }
    }
    return { remoteId: result.data.id };
  }

  return {
    kind: 'x',

    /** A paused authorization (revoked, or the app refused) holds every post until it is lifted. */
    async ready(): Promise<Readiness> {
      const paused = await options.source.paused?.();
      return paused ? { kind: 'wait', until: now() + PAUSE_RECHECK_MS, reason: paused } : { kind: 'send' };
    },

    async send(article, context) {
      try {
        return await post(article, context.options);
      } catch (error) {
        if (error instanceof ApiResponseError && error.code === 401 && options.source.recover) {
          // X refused the token, so nothing was posted: refresh once and try again, or wait for a new login.
          if (!(await options.source.recover())) throw await pausedOr(`X 401: ${error.message}`);
          try {
            return await post(article, context.options);
          } catch (retryError) {
            return settle(retryError);
          }
        }
        return settle(error);
      }
    },
  };

  async function settle(error: unknown): Promise<{ remoteId: null }> {
    const refusal = appRefusal(error);
    if (refusal && options.source.pause) {
      options.source.pause(refusal);
      throw await pausedOr(refusal);
    }
    const outcome = classifyXError(error, now());
    // X refuses a post identical to a recent one: it is already there, which is what we wanted.
    if (outcome === 'duplicate') return { remoteId: null };
    throw outcome;
  }
}

