import { z } from 'zod';
import type { TargetKind, TargetUsage } from '../../deliveries/kind.js';
import type { KeyValues, UsageLedger } from '../../store/store.js';
import type { TargetDeps } from '../deps.js';
import { freeUsage, utcMinute } from '../usage.js';
import { BLUESKY_ENV, readBlueskyEnv } from './env.js';
import type { BlueskySession } from './session.js';
import { blueskySettingsSchema, type BlueskySettings } from './settings.js';

/** The `bluesky:` section as loaded (its defaults when the config has none, as for a bare URL in preview). */
function blueskySettings(config: { settings: Readonly<Record<string, unknown>> } | null): BlueskySettings {
  return (config?.settings.bluesky as BlueskySettings | undefined) ?? blueskySettingsSchema.parse(undefined);
}

/**
 * Bluesky's limits on an account's writes (docs.bsky.app "Rate Limits"): 5,000 points an hour and
 * 35,000 a day, a created record (a post) costing 3.
 */
const BLUESKY_POINTS = { perDay: 35_000, perPost: 3 };

/** What Bluesky's limits leave: posts today by the daily points, and the window its last answer stated. */
function blueskyLimits(session: Pick<BlueskySession, 'rateLimit' | 'limitedUntil'>, posts: { day: number }): Pick<TargetUsage, 'postsLeft' | 'notes'> {
  const limit = session.rateLimit();
  const limited = session.limitedUntil();
  const notes = [
    `Bluesky allows ${BLUESKY_POINTS.perDay.toLocaleString('en')} points a day and 5,000 an hour per account, a post costing ${BLUESKY_POINTS.perPost} (docs.bsky.app, Rate Limits); other apps posting as the account use them too.`,
    limit
      ? `Rate limit: ${limit.remaining.toLocaleString('en')} of ${limit.limit.toLocaleString('en')} left until ${utcMinute(limit.resetAt)}${limit.policy ? ` (policy ${limit.policy})` : ''}, as Bluesky last answered.`
      : 'Rate limit: no answer from Bluesky with its rate-limit headers in this window yet.',
  ];
  if (limited) notes.push(`Bluesky said to send nothing more until ${utcMinute(limited)}: posts wait until then.`);
  return { postsLeft: { day: Math.max(0, Math.floor(BLUESKY_POINTS.perDay / BLUESKY_POINTS.perPost) - posts.day), month: null }, notes };
}

/**
 * The Bluesky account from the environment: `{ bluesky: {} }` in a route's `to:` list, or the
 * shorthand `bluesky: true`. Idempotent (each article's post has a record key derived from the
 * article and the account, so the server refuses a second one); posts cannot be edited on Bluesky.
 * @atproto/api is loaded only when Bluesky is configured.
 */
export const blueskyKind: TargetKind<Pick<TargetDeps, 'httpFor' | 'log' | 'config'> & { store: KeyValues & Pick<UsageLedger, 'sentSince'> }> = {
  name: 'bluesky',
  entry: z.strictObject({}).transform(() => ({ address: '', template: null })),
  shorthand: {
    keys: { bluesky: z.boolean().default(false) },
    destinations: (values) => (values.bluesky ? [{ address: '', template: null }] : []),
  },
  settings: blueskySettingsSchema,
  env: BLUESKY_ENV,
  fromEnv(environment) {
    const account = readBlueskyEnv(environment);
    if (!account) return null;
    return {
      async create(deps) {
        const { blueskySession } = await import('./session.js');
        const { createBlueskyTarget } = await import('./publisher.js');
        const log = deps.log.child({ component: 'bluesky' });
        const session = blueskySession({ account, store: deps.store, log });
        const target = createBlueskyTarget({ session, httpFor: deps.httpFor, log, settings: () => blueskySettings(deps.config()) });
        return { target, ready: () => session.paused() === null, usage: (now) => freeUsage(deps.store, 'bluesky', now, (posts) => blueskyLimits(session, posts)) };
      },
    };
  },
  idempotent: true,
  canEdit: false,
  sampleAddress: '',
  demo: { entry: {}, settings: { langs: ['en'] } },
  setup: 'set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (an app password from Bluesky settings)',
  title: 'Bluesky',
  describe: () => 'Bluesky',
  printer(print, config) {
    return {
      kind: 'bluesky',
      async send(article) {
        const { graphemeLength, MAX_POST_GRAPHEMES, renderBlueskyPost } = await import('./render.js');
        const { langs } = blueskySettings(config());
        const { text, card } = renderBlueskyPost(article);
        const language = langs.length > 0 ? ` [${langs.join(', ')}]` : '';
        print(`── would post to Bluesky (${graphemeLength(text)}/${MAX_POST_GRAPHEMES})${language} ──\n${text}\n── link card: ${card.title} · ${card.uri}\n`);
        return { remoteId: null };
      },
    };
  },
  async preview(article) {
    const { renderBlueskyPost } = await import('./render.js');
    return { look: 'text', text: renderBlueskyPost(article).text, replies: [] };
  },
};
