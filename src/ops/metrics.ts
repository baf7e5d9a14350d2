import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { VERSION } from '../version.js';

/** Herald's Prometheus metrics, one registry per process (no global state). */
export interface MetricSources {
  pendingDeliveries(): Promise<number>;
  /** Feeds being polled whose last poll failed. */
  failingFeeds(): Promise<number>;
}

export function createMetrics(sources: MetricSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({ name: 'herald_build_info', help: 'Always 1; the labels say which Herald and Node run', labelNames: ['version', 'node'] as const, registers: [registry] }).set({ version: VERSION, node: process.versions.node }, 1);
  return {
    registry,
    feedsFailing: new Gauge({
      name: 'herald_feeds_failing',
      help: 'Feeds whose last poll failed',
      registers: [registry],
      async collect() {
        this.set(await sources.failingFeeds());
      },
    }),
    pollLag: new Histogram({
      name: 'herald_poll_lag_seconds',
      help: 'How late polls start after they were due (all poll slots busy, a slow database); the interval itself is not counted',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    polls: new Counter({ name: 'herald_feed_polls_total', help: 'Feed polls by feed and outcome (ok, not-modified, failed, held: the host asked to come back later with Retry-After)', labelNames: ['feed', 'outcome'] as const, registers: [registry] }),
    newArticles: new Counter({ name: 'herald_new_articles_total', help: 'New articles found, by feed', labelNames: ['feed'] as const, registers: [registry] }),
    commands: new Counter({ name: 'herald_commands_total', help: 'Discord interactions answered, by command ("feeds add") and outcome (ok, refused, failed)', labelNames: ['command', 'outcome'] as const, registers: [registry] }),
    deliveries: new Counter({ name: 'herald_deliveries_total', help: 'Deliveries by target kind and outcome (sent, failed)', labelNames: ['target', 'outcome'] as const, registers: [registry] }),
    queueDepth: new Gauge({
      name: 'herald_deliveries_pending',
      help: 'Deliveries waiting to be sent',
      registers: [registry],
      async collect() {
        this.set(await sources.pendingDeliveries());
      },
    }),
    publishToPost: new Histogram({
      name: 'herald_publish_to_post_seconds',
      help: 'Time from an article being first seen to its post, by target kind',
      labelNames: ['target'] as const,
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
