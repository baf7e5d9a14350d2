import { z } from 'zod';
import type { TargetKind } from '../../deliveries/kind.js';
import type { KeyValues, UsageLedger } from '../../store/store.js';
import type { TargetDeps } from '../deps.js';
import { budgetPolicy, xUsageReport } from './budget.js';
import { readXEnv, X_ENV } from './env.js';
import { xSettingsSchema, xTemplateSchema, type XSettings } from './settings.js';

/** The `x:` section as loaded (its defaults when the config has none, as for a bare URL in preview). */
function xSettings(config: { settings: Readonly<Record<string, unknown>> } | null): XSettings {
  return (config?.settings.x as XSettings | undefined) ?? xSettingsSchema.parse(undefined);
}

/**
 * The X account from the environment: `{ x: {} }` (or `{ x: { template: "…" } }`) in a route's
 * `to:` list, or the shorthand `x: true` with `xTemplate`. Not idempotent (X has no idempotency
 * key), never edits, and asks the budget policy (x.maxPostsPerDay, …) before each post.
 * twitter-api-v2 is loaded only when X is configured.
 */
export const xKind: TargetKind<Pick<TargetDeps, 'httpFor' | 'log' | 'config' | 'metrics'> & { store: KeyValues & UsageLedger }> = {
  name: 'x',
  entry: z.strictObject({ template: xTemplateSchema.optional() }).transform((entry) => ({ address: '', template: entry.template ?? null })),
  shorthand: {
    keys: { x: z.boolean().default(false), xTemplate: xTemplateSchema.optional() },
    destinations: (values) => (values.x ? [{ address: '', template: (values.xTemplate as string | undefined) ?? null }] : []),
  },
  settings: xSettingsSchema,
  env: X_ENV,
  dryRunPolicy: (deps) => budgetPolicy({ store: deps.store, settings: () => xSettings(deps.config()) }),
  fromEnv(environment) {
    const { account } = readXEnv(environment);
    if (!account) return null;
    return {
      async create(deps) {
        const { createXTarget } = await import('./publisher.js');
        const { oauth1Source, oauth2Source } = await import('./auth.js');
        const log = deps.log.child({ component: 'x' });
        const source = account.mode === 'oauth1' ? oauth1Source(account.credentials, account.apiUrl, log) : await oauth2Source(account, deps.store, log);
        const settings = () => xSettings(deps.config());
        return {
          target: createXTarget({ source, store: deps.store, httpFor: deps.httpFor, log, settings }),
          policy: budgetPolicy({ store: deps.store, settings }),
          usage: (now) => xUsageReport(deps.store, settings(), now),
        };
      },
      messageUrl: (_address, remoteId) => `https://x.com/i/web/status/${remoteId}`,
    };
  },
  idempotent: false,
  canEdit: false,
  sampleAddress: '',
  demo: { entry: {} },
  setup: 'set X_APP_KEY, X_APP_SECRET, X_ACCESS_TOKEN and X_ACCESS_SECRET (or X_CLIENT_ID, then run herald x login)',
  describe: () => 'X',
  title: 'X',
  async metrics(deps) {
    // prom-client is loaded only by a running bot, not by every command that reads the config.
    const { registerPostsLeft } = await import('./metrics.js');
    registerPostsLeft(deps.metrics, deps.store, () => xSettings(deps.config()));
  },
  printer(print, config) {
    return {
      kind: 'x',
      async send(article, context) {
        const { renderXPost, weightedLength } = await import('./render.js');
        const settings = xSettings(config());
        const { text, reply } = renderXPost(article, { template: context.options.template, hashtags: settings.hashtags, thread: settings.thread, mentions: settings.mentions });
        print(`── would post to X (${weightedLength(text)}/280) ──\n${text}\n`);
        if (reply) print(`── …and reply in a thread (${weightedLength(reply)}/280) ──\n${reply}\n`);
        return { remoteId: null };
      },
    };
  },
  async preview(article, options, config) {
    const { renderXPost } = await import('./render.js');
    const settings = xSettings(config);
    const { text, reply } = renderXPost(article, { template: options.template, hashtags: settings.hashtags, thread: settings.thread, mentions: settings.mentions });
    return { look: 'text', text, replies: reply ? [reply] : [] };
  },
};
