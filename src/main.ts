import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { ConfigError, loadConfigFile, type Config } from './config/config.js';
import type { Env, Environment } from './config/env.js';
import type { FilterFacts } from './config/filter.js';
import type { Article } from './articles/article.js';
import type { NewDelivery } from './store/store.js';
import { NOT_CONFIGURED, Outbox, type DrainReport } from './deliveries/outbox.js';
import type { ConfiguredKind, LiveTarget, TargetKind } from './deliveries/kind.js';
import { splitTargetKey } from './deliveries/target.js';
import type { Dashboard } from './dashboard/server.js';
import { startOpsServer, type OpsServer } from './ops/http.js';
import { releaseHeap } from './ops/memory.js';
import { createMetrics } from './ops/metrics.js';
import type { PollOutcome } from './pipeline/ingest.js';
import { createExtractionPool } from './pipeline/extraction.js';
import { AlertMonitor } from './pipeline/alerts.js';
import { ApprovalQueue } from './pipeline/approvals.js';
import { articlePreparer } from './pipeline/pages.js';
import { FeedRegistry } from './pipeline/registry.js';
import { PUSH_CALLBACK_PATH, WebSub } from './pipeline/push.js';
import { FeedScheduler } from './pipeline/scheduler.js';
import { createHttpClient } from './sources/http.js';
import { watchWrites } from './store/health.js';
import { describeDatabase, openStore } from './store/open.js';
import type { TargetDeps } from './targets/deps.js';
import { kindNamed, TARGET_KINDS } from './targets/index.js';
import { USER_AGENT, VERSION } from './version.js';

export interface HeraldOptions {
  config: Config;
  env: Env;
  /** The destination kinds the environment configures (targets/index.ts configuredKinds), by name. */
  configured: ReadonlyMap<string, ConfiguredKind<TargetDeps>>;
  log: Logger;
  /** Send nothing; print every post instead, and keep state in memory only. */
  dryRun: boolean;
  /** Where dry-run posts are printed. */
  print?: (text: string) => void;
  /** Start the /healthz, /readyz, /metrics server (off for --once). */
  serveOps: boolean;
  /** Discord's REST base URL (DISCORD_API_URL), for webhook URLs given with /feeds add; default https://discord.com/api. */
  webhookApiUrl?: string;
}

export interface Herald {
  /** One full cycle: poll every feed, then send everything that is due. */
  runOnce(onProgress?: (done: number, total: number) => void): Promise<{ polls: Omit<PollOutcome, 'fetched'>[]; deliveries: DrainReport }>;
  /** Long-running mode: feeds on their timers, the outbox continuously, Discord commands. */
  start(): Promise<void>;
  /** Applies a new config file's feeds and routes without a restart (SIGHUP). */
  reload(config: Config): { added: string[]; removed: string[]; changed: string[] };
  /** Graceful stop: no new polls, in-flight sends finished, database closed. */
  stop(): Promise<void>;
}

/**
 * Builds Herald from its config and environment (Herald's own variables and the configured kinds): the store, the HTTP client, the feed registry,
 * the targets that are configured, the pipeline (scheduler, ingest, article pages) and the outbox.
 * Nothing runs until `start` or `runOnce`. Throws ConfigError for a bad DATABASE_URL, and when no
 * destination kind is configured (outside a dry run), naming what to set.
 */
export async function createHerald(options: HeraldOptions): Promise<Herald> {
  const { config, env, log } = options;
  const databaseUrl = options.dryRun ? 'sqlite::memory:' : env.databaseUrl;
  // Write failures (a full disk, a read-only file) are logged once, and /readyz fails until a write works again.
  const database = watchWrites(await openStore(databaseUrl), log.child({ component: 'store' }), describeDatabase(databaseUrl));
  const { store } = database;
  if (!options.dryRun && options.configured.size === 0) {
    await store.close();
    throw new ConfigError(`no destination is configured, so Herald could post nowhere: ${TARGET_KINDS.map((kind) => `${kind.setup} (${kind.name})`).join(', or ')}; herald run --dry-run shows what would be posted`);
  }
  // Names this process in the database's leases (several may share a PostgreSQL database).
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // Public addresses only; a feed allowed private networks, and typed URLs when HERALD_ALLOW_PRIVATE_COMMANDS
  // is set, get a client of wider reach from it (withPrivateNetwork).
  const http = createHttpClient({ userAgent: USER_AGENT, allowPrivateNetwork: false, perHost: config.http.perHost });
  const feeds = new FeedRegistry(config, store, { allFeeds: env.allowPrivateNetwork, addedFeeds: env.allowPrivateCommands });
  if (env.allowPrivateNetwork) {
    log.warn('HERALD_ALLOW_PRIVATE_NETWORK is set: every feed, its article pages and images may reach loopback and private addresses; prefer privateNetwork: true on the feeds that need it');
  }
  /** The client for a feed's content: private networks only for a feed allowed them (a feed no longer known: only with HERALD_ALLOW_PRIVATE_NETWORK). */
  const httpFor = (feedId: string) => http.withPrivateNetwork(feeds.get(feedId)?.privateNetwork ?? env.allowPrivateNetwork);
  const typedUrls = { privateNetwork: env.allowPrivateCommands };
  await feeds.load();
  // Deliveries queued by a release that did not keep options with them get today's, once.
  const filled = await store.fillDeliveryOptions((feedId, target) => feeds.optionsFor(feedId, target));
  if (filled > 0) log.info({ deliveries: filled }, 'route options recorded for deliveries queued by an earlier release');
  const feedLimits = { maxBytes: config.http.maxFeedBytes, timeoutMs: config.http.timeoutMs };
  const extraction = createExtractionPool({ timeoutMs: config.extraction.timeoutMs, maxDepth: config.extraction.maxDepth, threads: config.extraction.threads ?? undefined });
  const articles = articlePreparer({ http, extraction, pageLimits: { maxBytes: config.http.maxPageBytes, timeoutMs: config.http.timeoutMs }, summary: config.summary });
  const metrics = createMetrics({
    async failingFeeds() {
      const active = new Set(feeds.active().map((feed) => feed.id));
      return (await store.feedStates()).filter((state) => state.failures > 0 && state.heldUntil === null && active.has(state.feedId)).length;
    },
    async pendingDeliveries() {
      const counts = await store.deliveryCounts();
      return counts.pending + counts.sending;
    },
  });

  const deps: TargetDeps = {
    store,
    httpFor,
    log,
    config: () => feeds.current(),
    metrics: metrics.registry,
    commands: {
      store,
      feeds,
      http,
      reach: typedUrls,
      feedLimits,
      articles,
      summary: config.summary,
      describeTarget,
      waitingFor: (target: string) => {
        const setup = unconfigured.get(splitTargetKey(target).kind);
        return setup === undefined ? null : `${NOT_CONFIGURED}${setup}`;
      },
      messageUrl: (target: string, remoteId: string) => {
        const { kind, address } = splitTargetKey(target);
        return options.configured.get(kind)?.messageUrl?.(address, remoteId) ?? null;
      },
      secretKey: env.secretKey,
      webhookApiUrl: options.webhookApiUrl ?? 'https://discord.com/api',
      startedAt: Date.now(),
      version: VERSION,
    },
    commandCounter: metrics.commands,
  };
  const print = options.print ?? ((text: string) => process.stdout.write(`${text}\n`));
  // Only the kinds that are configured are built (discord.js and twitter-api-v2 are ~60 MB of code).
  const live = new Map<string, { kind: TargetKind<TargetDeps>; live: LiveTarget }>();
  for (const kind of TARGET_KINDS) {
    const configured = options.configured.get(kind.name);
    if (options.dryRun) {
      // A dry run prints for every kind, and says which ones a real run could not send to yet.
      const label = configured ? null : `(${NOT_CONFIGURED}${kind.setup}: a real run would keep these posts waiting)`;
      const target = kind.printer(label ? (text) => print(`${label}\n${text}`) : print, () => feeds.current());
      // The kind's caps apply as in a real run (X's budget, counted from a fresh day): only what would be sent is printed.
      live.set(kind.name, { kind, live: { target, policy: kind.dryRunPolicy?.(deps) } });
    }
    else if (configured) live.set(kind.name, { kind, live: await configured.create(deps) });
    else continue;
    await kind.metrics?.(deps);
  }
  // Deliveries are recorded for every destination a route names; those of kinds not configured wait
  // (saying what to set) and go out after a restart that configures them.
  const unconfigured = new Map(TARGET_KINDS.filter((kind) => !live.has(kind.name)).map((kind) => [kind.name, kind.setup]));
  for (const [kind, setup] of unconfigured) {
    const routed = feeds.active().filter((feed) => feeds.targetsFor(feed.id).some((key) => splitTargetKey(key).kind === kind));
    if (routed.length > 0) log.warn({ target: kind, feeds: routed.map((feed) => feed.id) }, `${NOT_CONFIGURED}${setup}; deliveries to it are recorded and wait until it is`);
  }

  const outbox = new Outbox({
    store,
    targets: new Map([...live].map(([name, { kind, live: { target, policy } }]) => [name, { target, idempotent: kind.idempotent, canEdit: kind.canEdit, policy }])),
    unconfigured,
    retry: { maxAttempts: config.deliveries.maxAttempts, baseMs: config.deliveries.retryBaseMs, maxMs: config.deliveries.retryMaxMs },
    log: log.child({ component: 'outbox' }),
    dryRun: options.dryRun,
    owner,
    events: {
      delivered(job) {
        const kind = splitTargetKey(job.delivery.target).kind;
        metrics.deliveries.inc({ target: kind, outcome: 'sent' });
        metrics.publishToPost.observe({ target: kind }, (Date.now() - job.article.firstSeenAt) / 1000);
      },
      failed(job) {
        metrics.deliveries.inc({ target: splitTargetKey(job.delivery.target).kind, outcome: 'failed' });
      },
    },
  });
  const desk = new ApprovalQueue({
    store,
    target: options.dryRun ? null : (live.get('discord')?.live.target ?? null),
    describe: describeTarget,
    onApproved: () => outbox.wake(),
    log: log.child({ component: 'approvals' }),
    isLeader: () => (scheduler.liveWorkers()[0] ?? owner) === owner,
    checkEveryMs: DESK_CHECK_MS,
  });
  deps.commands.desk = desk;
  const ingest = {
    store,
    http,
    articles,
    log: log.child({ component: 'poller' }),
    deliveriesFor: (feedId: string, facts: FilterFacts) => feeds.deliveriesFor(feedId, facts),
    matchedFilters: (facts: FilterFacts) => feeds.matchedFilters(facts),
    async moreDeliveries(article: Article, facts: FilterFacts, routed: readonly NewDelivery[]) {
      const added = await Promise.all([...live.values()].map(({ live: kind }) => kind.moreDeliveries?.(article, facts, routed) ?? []));
      return added.flat();
    },
    updates: config.updates,
    feedLimits,
    addresses: new Map(),
    onNewDeliveries: () => {
      outbox.wake();
      void desk.check();
    },
  };
  // WebSub push beside polling: only in long-running mode (hubs call the ops server) with HERALD_PUBLIC_URL.
  const websub =
    env.publicUrl && options.serveOps && !options.dryRun
      ? new WebSub({
          store,
          httpFor,
          log: log.child({ component: 'websub' }),
          publicUrl: env.publicUrl,
          leaseMs: config.push.leaseMs,
          timeoutMs: config.http.timeoutMs,
          maxBytes: config.http.maxFeedBytes,
          notified: (feedId, content) => scheduler.pushed(feedId, content),
        })
      : null;
  const scheduler: FeedScheduler = new FeedScheduler(
    feeds.active(),
    ingest,
    config.http.concurrency,
    owner,
    (outcome, lagMs) => {
      metrics.polls.inc({ feed: outcome.feedId, outcome: outcome.status });
      metrics.pollLag.observe(lagMs / 1000);
      if (outcome.newArticles > 0) metrics.newArticles.inc({ feed: outcome.feedId }, outcome.newArticles);
    },
    websub ? { websub, safetyEveryMs: config.push.safetyEveryMs } : null,
  );
  deps.commands.watch = scheduler;

  feeds.onChange({
    added: (feed) => scheduler.add(feed),
    removed: (feedId) => {
      scheduler.remove(feedId);
      void websub?.unsubscribe(feedId);
    },
  });

  let ops: OpsServer | null = null;
  let dashboard: Dashboard | null = null;
  let stopped = false;
  let feedRefresh: NodeJS.Timeout | null = null;
  const alertChannel = config.alerts.discord;
  const discordTarget = live.get('discord')?.live.target;
  if (alertChannel && !discordTarget?.notify) log.warn({ channel: alertChannel }, 'alerts.discord is set but Discord is not configured (DISCORD_TOKEN); no alerts will be posted');
  const alerts =
    alertChannel && discordTarget?.notify && !options.dryRun
      ? new AlertMonitor({
          store,
          feeds,
          settings: config.alerts,
          notify: (text) => discordTarget.notify!(alertChannel, text),
          // The heartbeat's list is sorted: its first live worker alerts for all.
          isLeader: () => scheduler.liveWorkers()[0] === owner,
          describe: describeTarget,
          log: log.child({ component: 'alerts' }),
        })
      : null;

  return {
    async runOnce(onProgress) {
      const polls = await scheduler.pollAllOnce(onProgress);
      await desk.check();
      return { polls, deliveries: await outbox.drain() };
    },
    async start() {
      if (options.serveOps) {
        ops = await startOpsServer(
          { host: env.httpHost, port: env.httpPort },
          [
            { name: 'database', check: async () => database.writable() && (await store.deliveryCounts(), true) },
            ...[...live].flatMap(([name, { live: { ready } }]) => (ready ? [{ name, check: async () => ready() }] : [])),
          ],
          metrics,
          log,
          websub ? [{ prefix: PUSH_CALLBACK_PATH, handle: (req, res) => websub.handle(req, res) }] : [],
        );
      }
      if (options.serveOps && config.dashboard.enabled) {
        const { startDashboard } = await import('./dashboard/server.js');
        const { createGate } = await import('./dashboard/auth.js');
        dashboard = await startDashboard(config.dashboard, {
          store,
          feeds,
          desk,
          kinds: TARGET_KINDS,
          configured: options.configured,
          http,
          reach: typedUrls,
          feedLimits,
          config: () => feeds.current(),
          usage: (now) => Promise.all([...live.values()].flatMap(({ kind, live: built }) => (built.usage ? [built.usage(now).then((usage) => ({ platform: kind.title ?? kind.name, usage }))] : []))),
          nextPollAt: (feedId) => scheduler.nextPollAt(feedId),
          workers: () => ({ self: owner, live: scheduler.liveWorkers() }),
          gate: createGate(env.dashboardPassword),
          log,
        });
      }
      await websub?.load(new Set(feeds.active().map((feed) => feed.id)));
      outbox.start();
      await scheduler.start();
      // The first poll of every feed is a burst (all of them within seconds of the start): its
      // garbage is given back once it is over, not kept for the life of the process.
      void scheduler.firstRound
        .then(async () => {
          if (stopped) return;
          await websub?.hubsSeen();
          await releaseHeap();
          log.info({ feeds: feeds.active().length, rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20) }, 'first poll of every feed done; its garbage given back');
        })
        .catch((error: unknown) => log.warn({ err: error }, 'could not give the first poll round garbage back'));
      alerts?.start();
      desk.start();
      // Feeds added, paused or removed from Discord by another process sharing the database.
      feedRefresh = setInterval(() => void feeds.refresh().catch((error: unknown) => log.warn({ err: error }, 'could not refresh Discord feeds')), 30_000);
      log.info({ feeds: feeds.active().length, targets: [...live.keys()], dryRun: options.dryRun }, 'herald started');
      for (const { live: target } of live.values()) await target.start?.();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (feedRefresh) clearInterval(feedRefresh);
      websub?.close();
      await scheduler.stop();
      await alerts?.stop();
      await desk.stop();
      await outbox.stop();
      for (const { live: target } of live.values()) await target.close?.().catch(() => undefined);
      await ops?.close();
      await dashboard?.close();
      await http.close();
      await extraction.close();
      database.stop();
      await store.close();
    },
    reload(next) {
      const changes = feeds.replaceConfig(next);
      log.info({ ...changes, feeds: feeds.active().length }, 'config reloaded: feeds and routes');
      return changes;
    },
  };
}

/** How /status and /why name a delivery's target: "<#channel>" for Discord, "X", or the key itself for a kind Herald no longer has. */
function describeTarget(target: string): string {
  const { kind, address } = splitTargetKey(target);
  return kindNamed(kind)?.describe(address) ?? target;
}

/** How often the approval desk posts waiting previews and applies expiries, in ms (new articles trigger it at once too). */
const DESK_CHECK_MS = 5_000;

/** A graceful stop that takes longer than this is cut short, so a container still stops. */
const STOP_DEADLINE_MS = 10_000;

/**
 * Runs a started Herald until SIGTERM or SIGINT, then stops it gracefully (exit status 0, at most
 * 10 s later). SIGHUP re-reads `configFile` (with the `environment` its routes may name) and
 * applies its feeds and routes; a broken file is logged and the running config kept. Resolves with
 * the exit status.
 */
export function runUntilSignalled(herald: Herald, configFile: string, environment: Environment, log: Logger): Promise<number> {
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
        herald.reload(loadConfigFile(configFile, TARGET_KINDS, environment));
      } catch (error) {
        log.error({ reason: (error as Error).message }, 'config reload failed; keeping the running config');
      }
    });
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
