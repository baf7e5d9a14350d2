import type { TargetKind, TargetUsage } from '../../deliveries/kind.js';
import type { UsageLedger } from '../../store/store.js';
import type { TargetDeps } from '../deps.js';
import { freeUsage, utcMinute } from '../usage.js';
import { MASTODON_ENV, readMastodonEnv } from './env.js';
import { statusOf } from './remote.js';
import { mastodonEntrySchema, mastodonRoute } from './settings.js';

/** Mastodon's default limits, for a dry run that reads no instance (docs.joinmastodon.org/entities/Instance). */
const DEFAULT_LIMITS = { maxCharacters: 500, charactersPerUrl: 23 };

/** What Mastodon's limits leave: no cap on posts, a request window (docs.joinmastodon.org/api/rate-limits), and a 429 that holds now. */
function mastodonLimits(limitedUntil: number | null): Pick<TargetUsage, 'postsLeft' | 'notes'> {
  const notes = ['Mastodon has no daily cap on statuses; it allows 300 requests per 5 minutes per account and 30 media uploads per 30 minutes (docs.joinmastodon.org, Rate limits); a status takes one request, two with an image.'];
  notes.push(limitedUntil === null ? 'Rate limit: no 429 from the instance holds statuses now.' : `Rate limit reached: statuses wait until ${utcMinute(limitedUntil)}.`);
  return { postsLeft: { day: null, month: null }, notes };
}

/**
 * The Mastodon account from the environment: `{ mastodon: {} }` (or `{ mastodon: { visibility,
 * spoiler, language, images } }`) in a route's `to:` list. A resend carries the same Idempotency-Key,
 * so within Mastodon's hour it cannot post twice; the outbox still resends at most once after an
 * unknown outcome (a resend later than the hour could), as for X. Statuses follow the publisher's
 * edits. masto.js is loaded only when Mastodon is configured.
 */
export const mastodonKind: TargetKind<Pick<TargetDeps, 'httpFor' | 'log'> & { store: Pick<UsageLedger, 'sentSince'> }> = {
  name: 'mastodon',
  entry: mastodonEntrySchema,
  shorthand: { keys: {}, destinations: () => [] },
  env: MASTODON_ENV,
  fromEnv(environment) {
    const account = readMastodonEnv(environment);
    if (!account) return null;
    return {
      async create(deps) {
        const { createMastodonTarget } = await import('./publisher.js');
        const target = createMastodonTarget({ ...account, httpFor: deps.httpFor, log: deps.log.child({ component: 'mastodon' }) });
        return { target, usage: (now) => freeUsage(deps.store, 'mastodon', now, () => mastodonLimits(target.limitedUntil())) };
      },
      // The address the instance gave when the status was made (a status recorded before Herald kept it has none).
      messageUrl: (_address, remoteId) => statusOf(remoteId).url,
    };
  },
  idempotent: false,
  canEdit: true,
  sampleAddress: '',
  demo: { entry: {} },
  setup: 'set MASTODON_URL and MASTODON_TOKEN',
  title: 'Mastodon',
  describe: () => 'Mastodon',
  printer(print) {
    return {
      kind: 'mastodon',
      async send(article, context) {
        const { renderMastodonStatus, statusLength } = await import('./render.js');
        const route = mastodonRoute(context.options.kindOptions);
        const text = renderMastodonStatus(article, { spoiler: route.spoiler, limits: DEFAULT_LIMITS });
        const details = [route.visibility, route.spoiler ? `CW: ${route.spoiler}` : null, route.language].filter(Boolean).join(', ');
        // A dry run reads no instance: it says that the limit is assumed.
        const assumed = `(${DEFAULT_LIMITS.maxCharacters} characters assumed, Mastodon's default: a real run uses the instance's own limit, from GET /api/v2/instance)`;
        print(`── would post to Mastodon (${statusLength(text, DEFAULT_LIMITS.charactersPerUrl)}/${DEFAULT_LIMITS.maxCharacters}, ${details}) ──\n${assumed}\n${text}\n`);
        return { remoteId: null };
      },
    };
  },
  async preview(article, options) {
    const { renderMastodonStatus } = await import('./render.js');
    const route = mastodonRoute(options.kindOptions);
    return { look: 'text', text: renderMastodonStatus(article, { spoiler: route.spoiler, limits: DEFAULT_LIMITS }), replies: [] };
  },
};
