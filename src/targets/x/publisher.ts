import http from 'node:http';
import https from 'node:https';
import { ApiRequestError, ApiResponseError, TwitterApi, type ITwitterApiClientPlugin } from 'twitter-api-v2';
import { DeliveryError, type Target } from '../../deliveries/target.js';
import type { XCredentials } from '../../config/env.js';
import { renderTweet } from './render.js';

const X_HOSTS = new Set(['api.x.com', 'upload.x.com', 'api.twitter.com', 'upload.twitter.com']);

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
  const text = JSON.stringify(error.data ?? {}).toLowerCase();
  return error.code === 403 && text.includes('duplicate');
}

export function classifyXError(error: unknown, now: number): DeliveryError | 'duplicate' {
  if (error instanceof ApiResponseError) {
    if (isDuplicate(error)) return 'duplicate';
    if (error.code === 429 || error.rateLimitError) {
      // X sends no Retry-After: wait for the window's reset (seconds since the epoch).
      const reset = error.rateLimit?.reset ? error.rateLimit.reset * 1000 : now + 60_000;
      return new DeliveryError('X rate limit reached', 'retry', Math.max(reset, now + 1000));
    }
    if (error.code >= 500) return new DeliveryError(`X ${error.code}`, 'retry');
    const detail = (error.data as { detail?: string; title?: string } | undefined)?.detail ?? error.message;
    return new DeliveryError(`X ${error.code}: ${detail}`, 'permanent');
  }
  if (error instanceof ApiRequestError) {
    // The request may have reached X before the connection failed: the post may exist.
    return new DeliveryError(`X request failed: ${error.requestError?.message ?? error.message}`, 'unknown');
  }
  return new DeliveryError(`X request failed: ${(error as Error)?.message ?? String(error)}`, 'unknown');
}

export interface XOptions {
  credentials: XCredentials;
  apiUrl: string | null;
}

export function createXTarget(options: XOptions): Target {
  const plugins = options.apiUrl ? [redirectPlugin(options.apiUrl)] : [];
  const client = new TwitterApi(options.credentials, { plugins });
  return {
    kind: 'x',
    idempotent: false,
    async send(article) {
      try {
        const result = await client.v2.tweet(renderTweet(article));
        return { remoteId: result.data.id };
      } catch (error) {
        const outcome = classifyXError(error, Date.now());
        // X refuses a post identical to a recent one: it is already there, which is what we wanted.
        if (outcome === 'duplicate') return { remoteId: null };
        throw outcome;
      }
    },
  };
}
