import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { loadConfigFile, xTemplateFor, type Config } from './config/config.js';
import type { Env } from './config/env.js';
import { Outbox } from './deliveries/outbox.js';
import { splitTargetKey, type Target } from './deliveries/target.js';
import { startOpsServer, type OpsServer } from './ops/http.js';
import { createMetrics } from './ops/metrics.js';
import type { PollOutcome } from './pipeline/ingest.js';
import { createExtractionPool } from './pipeline/extraction.js';
import { articlePreparer } from './pipeline/pages.js';
import { FeedRegistry } from './pipeline/registry.js';
import { FeedScheduler } from './pipeline/scheduler.js';
import { createHttpClient } from './sources/http.js';
import { openStore } from './store/open.js';
import type { DiscordConnection } from './targets/discord/client.js';
import { dryRunTargets } from './targets/dry-run.js';
import { currentUsage, postsLeft } from './targets/x/budget.js';
import { USER_AGENT, VERSION } from './version.js';

export interface HeraldOptions {
  config: Config;
  env: Env;
  log: Logger;
  /** Send nothing; print every post instead, and keep state in memory only. */
  dryRun: boolean;
  /** Where dry-run posts are printed. */
  print?: (text: string) => void;
  /** Start the /healthz, /readyz, /metrics server (off for --once). */
  serveOps: boolean;
}

export interface Herald {
  /** One full cycle: poll every feed, then send everything that is due. */
  runOnce(onProgress?: (done: number, total: number) => void): Promise<{ polls: PollOutcome[]; attempted: number }>;
  /** Long-running mode: feeds on their timers, the outbox continuously, Discord commands. */
  start(): Promise<void>;
  /** Applies a new config file's feeds and routes without a restart (SIGHUP). */
  reload(config: Config): { added: string[]; removed: string[]; changed: string[] };
  /** Graceful stop: no new polls, in-flight sends finished, database closed. */
  stop(): Promise<void>;
}

/**
 * Builds Herald from its config and environment: the store, the HTTP client, the feed registry,
 * the targets that are configured, the pipeline (scheduler, ingest, article pages) and the outbox.
 * Nothing runs until `start` or `runOnce`. Throws ConfigError for a bad DATABASE_URL.
 */
export async function createHerald(options: HeraldOptions): Promise<Herald> {
  const { config, env, log } = options;
  const store = await openStore(options.dryRun ? 'sqlite::memory:' : env.databaseUrl);
  // Names this process in the database's leases (several may share a PostgreSQL database).
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const http = createHttpClient({ userAgent: USER_AGENT, allowPrivateNetwork: env.allowPrivateNetwork, perHost: config.http.perHost });
  const feeds = new FeedRegistry(config, store);
  await feeds.load();
  const feedStyle = (feedId: string) => {
    const feed = feeds.get(feedId);
    return { name: feed?.name ?? feedId, color: feed?.color ?? 0x5865f2 };
  };
  const feedLimits = { maxBytes: config.http.maxFeedBytes, timeoutMs: config.http.timeoutMs };
  const extraction = createExtractionPool({ timeoutMs: config.extraction.timeoutMs, maxDepth: config.extraction.maxDepth, threads: config.extraction.threads ?? undefined });
  const articles = articlePreparer({ http, extraction, pageLimits: { maxBytes: config.http.maxPageBytes, timeoutMs: config.http.timeoutMs }, summary: config.summary });
  const metrics = createMetrics({
    async pendingDeliveries() {
      const counts = await store.deliveryCounts();
      return counts.pending + counts.sending;
    },
    async xPostsLeft() {
      return env.x || options.dryRun ? postsLeft(feeds.current().x, await currentUsage(store, Date.now())) : null;
    },
  });

  const targets = new Map<string, Target>();
  let discord: DiscordConnection | null = null;
  if (options.dryRun) {
    const xOptions = (feedId: string) => ({ template: xTemplateFor(feeds.current(), feedId), hashtags: feeds.current().x.hashtags, thread: feeds.current().x.thread, mentions: feeds.current().x.mentions });
    for (const target of dryRunTargets(options.print ?? ((text) => process.stdout.write(`${text}\n`)), feedStyle, xOptions)) targets.set(target.kind, target);
  } else {
    // discord.js and twitter-api-v2 are loaded only when their target is configured (~60 MB of code).
    if (env.discord) {
      const { createDiscord } = await import('./targets/discord/client.js');
      discord = createDiscord({
        ...env.discord,
        store,
        log: log.child({ component: 'discord' }),
        commands: { store, feeds, http, feedLimits, articles, summary: config.summary, startedAt: Date.now(), version: VERSION },
        commandCounter: metrics.commands,
        feedStyle,
      });
      targets.set('discord', discord.target);
    }
    if (env.x) {
      const { createXTarget } = await import('./targets/x/publisher.js');
      const { oauth1Source, oauth2Source } = await import('./targets/x/auth.js');
      const xLog = log.child({ component: 'x' });
      const source = env.x.mode === 'oauth1' ? oauth1Source(env.x.credentials, env.x.apiUrl, xLog) : await oauth2Source(env.x, store, xLog);
      targets.set(
        'x',
        createXTarget({
          source,
          store,
          http,
          log: xLog,
          config: () => feeds.current().x,
          templateFor: (feedId) => xTemplateFor(feeds.current(), feedId),
          priorityOf: (feedId) => feeds.get(feedId)?.priority ?? 0,
        }),
      );
    }
  }
  // Deliveries are recorded only for targets that can be reached, so none waits forever.
  const enabledTargetsFor = (feedId: string) => feeds.targetsFor(feedId).filter((key) => targets.has(splitTargetKey(key).kind));
  for (const feed of feeds.active()) {
    if (feeds.targetsFor(feed.id).length > enabledTargetsFor(feed.id).length) {
      log.warn({ feed: feed.id }, 'a route names a target that is not configured (token missing); it is skipped');
    }
  }

  const outbox = new Outbox(
    store,
    targets,
    { maxAttempts: config.deliveries.maxAttempts, baseMs: config.deliveries.retryBaseMs, maxMs: config.deliveries.retryMaxMs },
    log.child({ component: 'outbox' }),
    owner,
    {
      delivered(job) {
        const kind = splitTargetKey(job.delivery.target).kind;
        metrics.deliveries.inc({ target: kind, outcome: 'sent' });
        metrics.publishToPost.observe({ target: kind }, (Date.now() - job.article.firstSeenAt) / 1000);
      },
      failed(job) {
        metrics.deliveries.inc({ target: splitTargetKey(job.delivery.target).kind, outcome: 'failed' });
      },
    },
  );
  const ingest = {
    store,
    http,
    articles,
    log: log.child({ component: 'poller' }),
    targetsFor: enabledTargetsFor,
    updates: config.updates,
    feedLimits,
    onNewDeliveries: () => outbox.wake(),
  };
  const scheduler = new FeedScheduler(feeds.active(), ingest, config.http.concurrency, owner, (outcome) => {
    metrics.polls.inc({ feed: outcome.feedId, outcome: outcome.status });
    if (outcome.newArticles > 0) metrics.newArticles.inc({ feed: outcome.feedId }, outcome.newArticles);
  });

  feeds.onChange({ added: (feed) => scheduler.add(feed), removed: (feedId) => scheduler.remove(feedId) });

  let ops: OpsServer | null = null;
  let stopped = false;
  let feedRefresh: NodeJS.Timeout | null = null;

  return {
    async runOnce(onProgress) {
      const polls = await scheduler.pollAllOnce(onProgress);
      const attempted = await outbox.drain();
      return { polls, attempted };
    },
    async start() {
      if (options.serveOps) {
        ops = await startOpsServer(
          { host: env.httpHost, port: env.httpPort },
          [
            { name: 'database', check: async () => (await store.deliveryCounts(), true) },
            { name: 'discord', check: async () => !discord || discord.ready() },
          ],
          metrics,
          log,
        );
      }
      outbox.start();
      await scheduler.start();
      // Feeds added, paused or removed from Discord by another process sharing the database.
      feedRefresh = setInterval(() => void feeds.refresh().catch((error: unknown) => log.warn({ err: error }, 'could not refresh Discord feeds')), 30_000);
      log.info({ feeds: feeds.active().length, targets: [...targets.keys()], dryRun: options.dryRun }, 'herald started');
      await discord?.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (feedRefresh) clearInterval(feedRefresh);
      await scheduler.stop();
      await outbox.stop();
      await discord?.close().catch(() => undefined);
      await ops?.close();
      await http.close();
      await extraction.close();
      await store.close();
    },
    reload(next) {
      const changes = feeds.replaceConfig(next);
      log.info({ ...changes, feeds: feeds.active().length }, 'config reloaded: feeds and routes');
      return changes;
    },
  };
}

/** A graceful stop that takes longer than this is cut short, so a container still stops. */
const STOP_DEADLINE_MS = 10_000;

/**
 * Runs a started Herald until SIGTERM or SIGINT, then stops it gracefully (exit status 0, at most
 * 10 s later). SIGHUP re-reads `configFile` and applies its feeds and routes; a broken file is
 * logged and the running config kept. Resolves with the exit status.
 */
export function runUntilSignalled(herald: Herald, configFile: string, log: Logger): Promise<number> {
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'stopping');
      const force = setTimeout(() => {
        log.error('graceful stop took over 10 s; exiting');
        resolve(0);
      }, STOP_DEADLINE_MS);
      force.unref();
      herald
        .stop()
        .catch((error: unknown) => log.error({ err: error }, 'error while stopping'))
        .finally(() => {
          clearTimeout(force);
          log.info('stopped');
          resolve(0);
        });
    };
    process.on('SIGHUP', () => {
      try {
        herald.reload(loadConfigFile(configFile));
      } catch (error) {
        log.error({ reason: (error as Error).message }, 'config reload failed; keeping the running config');
      }
    });
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
