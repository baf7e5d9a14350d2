import { createHash } from 'node:crypto';
import { createRestAPIClient, MastoHttpError, MastoTimeoutError, type mastodon } from 'masto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DeliveryOptions } from '../../deliveries/options.js';
import { DeliveryError, type Readiness, type Target } from '../../deliveries/target.js';
import type { HttpClient } from '../../sources/http.js';
import type { Article } from '../../articles/article.js';
import { fetchLeadImage } from '../image.js';
import { imageDescription, renderMastodonStatus, type StatusLimits } from './render.js';
import { statusOf, statusRemoteId } from './remote.js';
import { mastodonRoute } from './settings.js';

/** How long an instance's limits are trusted before they are read again, in ms. */
const INSTANCE_TTL_MS = 60 * 60_000;
/** How long one request to the instance may take, in ms (then its outcome is unknown). */
const REQUEST_TIMEOUT_MS = 30_000;
/** How long a refused token holds Mastodon statuses before the next look, in ms (the token changes only with a restart). */
const REFUSED_RECHECK_MS = 60_000;
/** When a 429 names no reset time: Mastodon's windows are 5 minutes (300 requests, docs.joinmastodon.org/api/rate-limits). */
const DEFAULT_RATE_LIMIT_WAIT_MS = 5 * 60_000;

/** The parts of GET /api/v2/instance (or v1 on older servers) Herald reads; masto gives them camel-cased. */
const instanceSchema = z.object({
  configuration: z
    .object({
      statuses: z.object({ maxCharacters: z.number().int().positive(), charactersReservedPerUrl: z.number().int().min(0).default(23) }).partial().optional(),
      mediaAttachments: z.object({ supportedMimeTypes: z.array(z.string()).optional(), imageSizeLimit: z.number().int().positive().optional() }).optional(),
    })
    .optional(),
  /** Pleroma and older forks: the limit at the top of GET /api/v1/instance. */
  maxTootChars: z.number().int().positive().optional(),
});

/** A created status's web address (Status `url`, docs.joinmastodon.org/entities/Status): only an http(s) URL is kept, as it is shown as a link. */
const statusUrlSchema = z.url({ protocol: /^https?$/ }).nullish().catch(null);

/** What Herald knows of the instance and the account it posts as. */
interface InstanceFacts {
  limits: StatusLimits;
  /** Largest image upload accepted, in bytes. */
  imageSizeLimit: number;
  imageTypes: readonly string[];
  /** "<instance host>/<account id>": whose statuses the idempotency keys are for. */
  account: string;
}

/** Mastodon's documented defaults (docs.joinmastodon.org/entities/Instance), used only when the instance does not say. */
const MASTODON_DEFAULTS = { maxCharacters: 500, charactersReservedPerUrl: 23, imageSizeLimit: 16 * 1024 * 1024 };

export interface MastodonTargetOptions {
  /** The instance's base URL (MASTODON_URL), e.g. https://mastodon.social. */
  url: string;
  /** An access token with write:statuses and write:media (MASTODON_TOKEN). */
  token: string;
  /** The SSRF-guarded client for lead images, reaching what the article's feed may reach (private networks only for a feed allowed them). */
  httpFor(feedId: string): HttpClient;
  log: Logger;
  /** Clock, in ms since the epoch. */
  now?: () => number;
}

/**
 * The Idempotency-Key for an article's status on one account: Mastodon answers a repeated
 * POST /api/v1/statuses with the same key (for about an hour) with the status it made the first
 * time, so a resend after a lost answer cannot post twice (docs.joinmastodon.org/methods/statuses/#create).
 */
export function idempotencyKey(articleId: string, account: string): string {
  return `herald-${createHash('sha256').update(`${account}\n${articleId}`).digest('hex').slice(0, 40)}`;
}

/** When a 429 says the window resets (X-RateLimit-Reset, an ISO 8601 time), in ms since the epoch. */
function rateLimitReset(error: MastoHttpError, now: number): number {
  const reset = error.cause instanceof Response ? Date.parse(error.cause.headers.get('x-ratelimit-reset') ?? '') : Number.NaN;
  return Number.isNaN(reset) ? now + DEFAULT_RATE_LIMIT_WAIT_MS : Math.max(reset, now + 1000);
}

/**
 * A failure as the outbox treats it. `reached`: the request that failed may have been carried out
 * (the status create), so a lost answer is an unknown outcome; before it, a plain retry.
 */
function classify(error: unknown, now: number, reached: boolean): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof MastoHttpError) {
    const detail = error.description ? `${error.message}: ${error.description}` : error.message;
    if (error.statusCode === 429) return new DeliveryError('Mastodon rate limit reached', 'retry', rateLimitReset(error, now));
    if (error.statusCode >= 500) return new DeliveryError(`Mastodon ${error.statusCode}: ${detail}`, 'retry');
    return new DeliveryError(`Mastodon ${error.statusCode}: ${detail}`, 'permanent');
  }
  const message = `Mastodon request failed: ${(error as Error)?.message ?? String(error)}`;
  return new DeliveryError(message, reached && (error instanceof MastoTimeoutError || error instanceof TypeError) ? 'unknown' : 'retry');
}

/** The Mastodon target, and what it last learnt of the instance's rate limit (for the dashboard's usage page). */
export interface MastodonTarget extends Target {
  /** Until when (ms since the epoch) the instance's last 429 said to wait, or null when none holds now. */
  limitedUntil(): number | null;
}

/**
 * Posts statuses to one Mastodon account with masto.js: the instance's own limits (read from
 * GET /api/v2/instance, refreshed hourly), an Idempotency-Key per article and account, the lead image
 * with a description, edits with PUT /api/v1/statuses/:id, and 429s waited out until X-RateLimit-Reset.
 * A refused token (401) holds every status with one clear error until Herald restarts with a new one.
 */
export function createMastodonTarget(options: MastodonTargetOptions): MastodonTarget {
  const now = options.now ?? Date.now;
  const { log } = options;
  const client = createRestAPIClient({ url: options.url, accessToken: options.token, timeout: REQUEST_TIMEOUT_MS });
  let facts: { value: InstanceFacts; until: number } | null = null;
  let refused: string | null = null;
  let limited: number | null = null;

  /** The failure as the outbox treats it; a 429's reset is remembered for limitedUntil. */
  function failure(error: unknown, reached: boolean): DeliveryError {
    if (error instanceof MastoHttpError && error.statusCode === 429) limited = rateLimitReset(error, now());
    return refusedToken(error) ?? classify(error, now(), reached);
  }

  async function instanceFacts(): Promise<InstanceFacts> {
    if (facts && facts.until > now()) return facts.value;
    const raw = await client.v2.instance.fetch().catch(async (error: unknown) => {
      if (error instanceof MastoHttpError && error.statusCode === 404) return client.v1.instance.fetch();
      throw error;
    });
    const instance = instanceSchema.parse(raw);
    const account = await client.v1.accounts.verifyCredentials();
    const statuses = instance.configuration?.statuses;
    const media = instance.configuration?.mediaAttachments;
    const value: InstanceFacts = {
      limits: {
        maxCharacters: statuses?.maxCharacters ?? instance.maxTootChars ?? MASTODON_DEFAULTS.maxCharacters,
        charactersPerUrl: statuses?.charactersReservedPerUrl ?? MASTODON_DEFAULTS.charactersReservedPerUrl,
      },
      imageSizeLimit: media?.imageSizeLimit ?? MASTODON_DEFAULTS.imageSizeLimit,
      imageTypes: media?.supportedMimeTypes ?? ['image/jpeg', 'image/png', 'image/gif', 'image/webp'],
      account: `${new URL(options.url).host}/${z.string().min(1).parse(account.id)}`,
    };
    facts = { value, until: now() + INSTANCE_TTL_MS };
    log.info({ instance: options.url, maxCharacters: value.limits.maxCharacters }, 'mastodon instance read');
    return value;
  }

  /** Lead image → media id, or null; an image problem never blocks the status. */
  async function uploadImage(article: Article, instance: InstanceFacts): Promise<string | null> {
    if (!article.imageUrl) return null;
    try {
      const image = await fetchLeadImage(options.httpFor(article.feedId), article.imageUrl, instance.imageSizeLimit, instance.imageTypes);
      if (!image) return null;
      const media = await client.v2.media.create({ file: new Blob([Buffer.from(image.bytes)], { type: image.type }), description: imageDescription(article) });
      return media.id;
    } catch (error) {
      log.warn({ article: article.id, image: article.imageUrl, reason: (error as Error).message }, 'lead image not attached; posting without it');
      return null;
    }
  }

  /** Remembers a refused token (logged once) and gives the wait that holds every status. */
  function refusedToken(error: unknown): DeliveryError | null {
    if (!(error instanceof MastoHttpError) || error.statusCode !== 401) return null;
    if (!refused) {
      refused =
        'Mastodon refused the access token (401): create a new one (Preferences, Development, your application, with write:statuses and write:media), ' +
        'put it in MASTODON_TOKEN and restart Herald (Mastodon statuses wait until then)';
      log.error({ instance: options.url }, refused);
    }
    return new DeliveryError(refused, 'held', now() + REFUSED_RECHECK_MS);
  }

  function statusParams(article: Article, delivery: DeliveryOptions, instance: InstanceFacts) {
    const route = mastodonRoute(delivery.kindOptions);
    const status = renderMastodonStatus(article, { spoiler: route.spoiler, limits: instance.limits });
    return { route, status, spoilerText: route.spoiler ?? '', ...(route.language ? { language: route.language } : {}) };
  }

  return {
    kind: 'mastodon',
    limitedUntil: () => (limited !== null && limited > now() ? limited : null),

    async ready(): Promise<Readiness> {
      return refused ? { kind: 'wait', until: now() + REFUSED_RECHECK_MS, reason: refused } : { kind: 'send' };
    },

    async send(article, context) {
      let reached = false;
      try {
        const instance = await instanceFacts();
        const { route, ...params } = statusParams(article, context.options, instance);
        const mediaId = route.images ? await uploadImage(article, instance) : null;
        const create: mastodon.rest.v1.CreateStatusParams = { ...params, visibility: route.visibility, ...(mediaId ? { mediaIds: [mediaId] } : {}) };
        reached = true;
        const status = await client.v1.statuses.create(create, { requestInit: { headers: { 'Idempotency-Key': idempotencyKey(article.id, instance.account) } } });
        return { remoteId: statusRemoteId(status.id, statusUrlSchema.parse(status.url) ?? null) };
      } catch (error) {
        throw failure(error, reached);
      }
    },

    async edit(article, context) {
      try {
        const instance = await instanceFacts();
        const { route: _route, ...params } = statusParams(article, context.options, instance);
        // No mediaIds: Mastodon keeps the status's attachments when the edit does not name them.
        await client.v1.statuses.$select(statusOf(context.remoteId).id).update(params);
      } catch (error) {
        throw failure(error, false);
      }
    },
  };
}
