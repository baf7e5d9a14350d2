import type { Config } from '../config/config.js';
import type { PostPreview, TargetKind, TargetUsage } from '../deliveries/kind.js';
import { splitTargetKey } from '../deliveries/target.js';
import { fallbackOptions, readDeliveryOptions } from '../deliveries/options.js';
import { feedOwner } from '../pipeline/sharing.js';
import type { Approvals, Articles, Delivery, DeliveryQueue, FeedStates, UsageLedger } from '../store/store.js';
import type { Digests } from '../store/digests.js';
import type { FeedCatalog } from '../targets/catalog.js';
import type { ApprovalDesk } from '../targets/desk.js';
import { statusSnapshot } from '../targets/status.js';
import type { DeskItem } from './desk-view.js';
import type { FeedRow, DeliveryView } from './feeds-view.js';
import type { HeldPosts, QueueRow } from './status-view.js';

/** What the dashboard reads and changes; passed in by main.ts. */
export interface DashboardSources {
  store: FeedStates & Articles & DeliveryQueue & UsageLedger & Approvals & Digests;
  feeds: FeedCatalog;
  /** The approval desk (pipeline/approvals.ts): decides as Discord's buttons do, first decision wins. */
  desk: ApprovalDesk;
  /** The destination kinds Herald knows (targets/index.ts): how each names, links and previews a post. */
  kinds: readonly TargetKind<unknown>[];
  /** The kinds the environment configures (their tokens are set), by name, with their message links. */
  configured: ReadonlyMap<string, { messageUrl?(address: string, remoteId: string): string | null }>;
  /** Each configured kind's use and what its limits leave at `now` (ms; LiveTarget.usage), named as people write the platform. */
  usage(now: number): Promise<Array<{ platform: string; usage: TargetUsage }>>;
  /** When this process polls a feed next (ms since the epoch), or null. */
  nextPollAt(feedId: string): number | null;
  /** This process's name among the workers, and every live worker's. */
  workers(): { self: string; live: readonly string[] };
}

/** How a target key reads on a page: "Discord <channel id>", "X", or the key itself for a kind Herald no longer has. */
export function describeTarget(kinds: DashboardSources['kinds'], target: string): string {
  const { kind, address } = splitTargetKey(target);
  const found = kinds.find((candidate) => candidate.name === kind);
  if (!found) return target;
  const title = found.title ?? found.name;
  return address ? `${title} ${address}` : title;
}

/** Every feed with its status and next poll. */
export async function feedRows(sources: DashboardSources, now: number): Promise<FeedRow[]> {
  const snapshot = await statusSnapshot(sources.store, sources.feeds, 0, now);
  return snapshot.feeds.map((status) => ({ ...status, nextPollAt: status.feed.paused ? null : sources.nextPollAt(status.feed.id) }));
}

function deliveryView(sources: DashboardSources, delivery: Delivery): DeliveryView {
  const { kind, address } = splitTargetKey(delivery.target);
  const messageUrl = delivery.status === 'sent' && delivery.remoteId ? (sources.configured.get(kind)?.messageUrl?.(address, delivery.remoteId) ?? null) : null;
  return { delivery, where: describeTarget(sources.kinds, delivery.target), messageUrl };
}

/** A feed's `limit` newest articles, each with its deliveries. */
export async function feedItems(sources: DashboardSources, feedId: string, limit: number) {
  const articles = await sources.store.recentArticles(limit, feedId);
  return Promise.all(
    articles.map(async (article) => {
      const history = await sources.store.urlHistory(article.url);
      return { article, deliveries: history.deliveries.map((delivery) => deliveryView(sources, delivery)) };
    }),
  );
}

/** One row per destination with unfinished deliveries. */
export async function queueRows(sources: DashboardSources): Promise<QueueRow[]> {
  const heads = await sources.store.queueHeads();
  return Promise.all(
    heads.map(async (head) => ({ where: describeTarget(sources.kinds, head.delivery.target), waiting: (await sources.store.unfinishedFor(head.delivery.target)).length, head })),
  );
}

/** The live workers and the feeds each polls (the same rendezvous hashing the scheduler uses). */
export function workerRows(sources: DashboardSources): Array<{ name: string; self: boolean; feeds: string[] }> {
  const { self, live } = sources.workers();
  const active = sources.feeds.list().filter((feed) => !feed.paused);
  return live.map((name) => ({ name, self: name === self, feeds: active.filter((feed) => feedOwner(feed.id, live) === name).map((feed) => feed.id) }));
}

/** How a delivery would be posted, as its platform shows it (null for a kind without a preview). */
function previewOf(sources: DashboardSources, config: Config, delivery: Delivery, article: DeskItem['article']) {
  const found = sources.kinds.find((candidate) => candidate.name === splitTargetKey(delivery.target).kind);
  const options = readDeliveryOptions(delivery.options) ?? fallbackOptions(article.feedId);
  return found?.preview?.(article, options, config) ?? Promise.resolve(null);
}

/**
 * One article of the approval desk, or null when it has none: its approval, what the Edit form
 * starts from, and each destination — while held, with the post as its platform would show it.
 */
export async function deskItem(sources: DashboardSources, config: Config, articleId: string): Promise<DeskItem | null> {
  const [found, draft] = await Promise.all([sources.store.approval(articleId), sources.desk.draft(articleId)]);
  if (!found || !draft) return null;
  const posts = await Promise.all(
    found.deliveries
      .filter((delivery) => delivery.status !== 'skipped' || found.approval.status !== 'held')
      .map(async (delivery) => ({ ...deliveryView(sources, delivery), preview: delivery.status === 'held' ? await previewOf(sources, config, delivery, found.article) : null })),
  );
  return { approval: found.approval, article: found.article, draft: { summary: draft.summary, xText: draft.xText }, posts };
}

/** The `limit` oldest articles waiting on the approval desk (see deskItem). */
export async function deskItems(sources: DashboardSources, config: Config, limit: number): Promise<DeskItem[]> {
  const held = await sources.store.heldApprovals(limit);
  const items = await Promise.all(held.map(({ article }) => deskItem(sources, config, article.id)));
  return items.filter((item): item is DeskItem => item !== null);
}

/** What is held at `now` (ms since the epoch): see HeldPosts. */
export async function heldPosts(sources: DashboardSources, now: number): Promise<HeldPosts> {
  const [counts, digests] = await Promise.all([sources.store.deliveryCounts(), sources.store.dueDigests(Number.MAX_SAFE_INTEGER)]);
  return {
    approval: counts.held,
    digests: await Promise.all(
      digests.map(async (digest) => ({ where: describeTarget(sources.kinds, digest.target), cause: digest.cause, articles: (await sources.store.digestCandidates(digest, now)).length, dueAt: digest.dueAt })),
    ),
  };
}

/** The next `perTarget` posts of every destination, as its platform would show them. */
export async function nextPosts(sources: DashboardSources, config: Config, perTarget: number): Promise<Array<{ where: string; title: string; preview: PostPreview | null }>> {
  const heads = await sources.store.queueHeads();
  const posts = [];
  for (const head of heads) {
    for (const job of (await sources.store.unfinishedFor(head.delivery.target)).slice(0, perTarget)) {
      posts.push({ where: describeTarget(sources.kinds, job.delivery.target), title: job.article.title, preview: await previewOf(sources, config, job.delivery, job.article) });
    }
  }
  return posts;
}
