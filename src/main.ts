import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { xTemplateFor, type Config } from './config/config.js';
import type { Env } from './config/env.js';
import { Outbox } from './deliveries/outbox.js';
import { splitTargetKey, type Target } from './deliveries/target.js';
import { startOpsServer, type OpsServer } from './ops/http.js';
import { createMetrics } from './ops/metrics.js';
import { usagePeriods } from './targets/x/budget.js';
import { createHttpClient } from './sources/http.js';
import { FeedScheduler, type PollOutcome, type PollerDeps } from './pipeline/ingest.js';
import { FeedRegistry } from './pipeline/registry.js';
import { openStore } from './store/open.js';
import type { DiscordConnection } from './targets/discord/client.js';
import { dryRunTargets } from './targets/dry-run.js';
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

export async function createHerald(options: HeraldOptions): Promise<Herald> {
  const { config, env, log } = options;
  const store = await openStore(options.dryRun ? 'sqlite::memory:' : env.databaseUrl);
  // Names this process in the database's leases (several may share a PostgreSQL database).
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const http = createHttpClient({ userAgent: USER_AGENT, allowPrivateNetwork: env.allowPrivateNetwork });
  const feeds = new FeedRegistry(config, store);
  await feeds.load();
  const feedStyle = (feedId: string) => {
    const feed = feeds.get(feedId);
    return { name: feed?.name ?? feedId, color: feed?.color ?? 0x5865f2 };
  };
  const pageLimits = { maxBytes: config.http.maxPageBytes, timeoutMs: config.http.timeoutMs };
  const metrics = createMetrics({
    async pendingDeliveries() {
      const counts = await store.deliveryCounts();
      return counts.pending + counts.sending;
    },
    async xPostsLeft() {
      if (!env.x && !options.dryRun) return null;
      const x = feeds.current().x;
      const periods = usagePeriods(Date.now());
      const usage = await store.xUsage([periods.day, periods.month]);
      return {
        day: x.maxPostsPerDay === null ? null : Math.max(0, x.maxPostsPerDay - usage.get(periods.day)!.posts),
        month: x.maxPostsPerMonth === null ? null : Math.max(0, x.maxPostsPerMonth - usage.get(periods.month)!.posts),
      };
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
        commands: { store, feeds, http, summary: config.summary, pageLimits, startedAt: Date.now(), version: VERSION },
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
  const pollerDeps: PollerDeps = {
    store,
    http,
    log: log.child({ component: 'poller' }),
    targetsFor: enabledTargetsFor,
    summary: config.summary,
    updates: config.updates,
    feedLimits: { maxBytes: config.http.maxFeedBytes, timeoutMs: config.http.timeoutMs },
    pageLimits,
    onNewDeliveries: () => outbox.wake(),
  };
  const scheduler = new FeedScheduler(feeds.active(), pollerDeps, config.http.concurrency, owner, (outcome) => {
    metrics.polls.inc({ feed: outcome.feedId, outcome: outcome.status });
    if (outcome.newArticles > 0) metrics.newArticles.inc({ feed: outcome.feedId }, outcome.newArticles);
  });

  feeds.onChange({ added: (feed) => scheduler.add(feed), removed: (feedId) => scheduler.remove(feedId) });

  let ops: OpsServer | null = null;
  let stopped = false;
  let holdsGateway = false;
  let feedRefresh: NodeJS.Timeout | null = null;
  let gatewayRetry: NodeJS.Timeout | null = null;

  /** One process per database holds the Discord gateway (slash commands); every process posts over REST. */
  async function electGateway(): Promise<void> {
    if (!discord || holdsGateway || stopped) return;
    holdsGateway = await store.tryGatewayLock().catch(() => false);
    if (!holdsGateway) {
      log.info('another Herald process holds the Discord gateway; this one posts over REST and stands by');
      gatewayRetry ??= setInterval(() => void electGateway(), 15_000);
      return;
    }
    if (gatewayRetry) clearInterval(gatewayRetry);
    discord.connect().catch((error: unknown) => log.error({ err: error }, 'discord gateway connection failed; posting continues over REST'));
  }

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
            { name: 'discord', check: async () => !discord || !holdsGateway || discord.isReady() },
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
      await electGateway();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (gatewayRetry) clearInterval(gatewayRetry);
      if (feedRefresh) clearInterval(feedRefresh);
      await scheduler.stop();
      await outbox.stop();
      await discord?.close().catch(() => undefined);
      await ops?.close();
      await http.close();
      await store.close();
    },
    reload(next) {
      const changes = feeds.replaceConfig(next);
      log.info({ ...changes, feeds: feeds.active().length }, 'config reloaded: feeds and routes');
      return changes;
    },
  };
}
