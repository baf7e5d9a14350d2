import { z } from 'zod';
import type { Approval, Approvals, Articles, DeliveryJob, DeliveryQueue, DeliveryStatus, FeedStates, KeyValues, PushSubscriptions, SeenItems, Store, StoredArticle, StoredOptions, Subscriptions, UsageLedger } from './store.js';
import { ARTICLE_COLUMNS, checkRow, deliveryStatus, int, json, nullableInt, nullableText, skippedBy, StoreRowError, text, toApproval, toArticle, toDelivery, toDiscordFeed, toFeedState, pushRowOf, toPushSubscription } from './rows.js';
import { batches } from './batch.js';
import { memberAlertParts } from './member-alert-queries.js';
import { compiled, type Db } from './statements.js';
import { batchedWrites, seenItemsRead, type Backend } from './bulk.js';
import type { Digests } from './digests.js';
import type { MemberAlerts } from './member-alerts.js';
import { digestQueries } from './digest-queries.js';
import { articleWrite } from './article-writes.js';

/**
 * The store's queries, written once for SQLite and PostgreSQL with kysely. What truly differs
 * (full-text search, leases, the gateway lock) is in sqlite.ts and postgres.ts.
 */

/** The part of the store each backend supplies itself. */
export type DialectParts = Pick<Articles, 'searchArticles'> & Omit<Store, keyof CommonParts | keyof Digests | keyof MemberAlerts | 'searchArticles'>;
/** The part of the store written once. */
type CommonParts = FeedStates & SeenItems & Omit<Articles, 'searchArticles'> & DeliveryQueue & Subscriptions & PushSubscriptions & KeyValues & UsageLedger & Approvals;

const seenKeyRow = z.object({ item_key: text, content_hash: nullableText, article_id: nullableText });
const seenUrlRow = z.object({ feed_id: text, seen_at: int, article_id: nullableText });
const countRow = z.object({ status: deliveryStatus, n: int });
const usageRow = z.object({ period: text, posts: int, usd: z.number() });
const sentRow = z.object({ n: int });
const nextDueRow = z.object({ next: nullableInt });
const metaRow = z.object({ value: text });
const feedTargetRow = z.object({ feed_id: text, target: text });

/**
 * The whole Store on `db`: the queries written once, with the backend's own `dialect` parts. Its
 * close writes the state writes still gathering (see batch.ts) before the dialect closes the database.
 */
export function createStore(db: Db, backend: Backend, dialect: DialectParts): Store {
  const { flush, ...common } = commonParts(db, backend);
  return {
    ...common,
    ...digestQueries(db),
    ...memberAlertParts(db),
    ...dialect,
    async close() {
      await flush();
      await dialect.close();
    },
  };
}

function commonParts(db: Db, backend: Backend): CommonParts & { flush(): Promise<void> } {
  const q = compiled(db);
  const writes = batchedWrites(db, backend);
  const addArticle = articleWrite(backend);
  const readSeen = seenItemsRead(backend);
  async function approvalOf(articleId: string): Promise<Approval | null> {
    const row = await db.selectFrom('approvals').selectAll().where('article_id', '=', articleId).executeTakeFirst();
    return row ? toApproval(row) : null;
  }
  async function withArticles(rows: unknown[]): Promise<Array<{ approval: Approval; article: StoredArticle }>> {
    return Promise.all(
      rows.map(toApproval).map(async (approval) => ({ approval, article: toArticle(await db.selectFrom('articles').select(ARTICLE_COLUMNS).where('id', '=', approval.articleId).executeTakeFirstOrThrow()) })),
    );
  }
  /** Deliveries rows with their articles, read with one query per BATCH_ROWS articles (not one per row). */
  async function jobs(rows: unknown[]): Promise<DeliveryJob[]> {
    const deliveries = rows.map(toDelivery);
    const articles = new Map<string, StoredArticle>();
    for (const ids of batches([...new Set(deliveries.map((delivery) => delivery.articleId))])) {
      for (const row of (await q.articles(db, { ids })).rows) {
        const article = toArticle(row);
        articles.set(article.id, article);
      }
    }
    return deliveries.map((delivery) => {
      const article = articles.get(delivery.articleId);
      if (!article) throw new StoreRowError('deliveries', `delivery ${delivery.id}: article ${delivery.articleId} is missing`);
      return { delivery, article };
    });
  }

  async function seenItems(feedId: string, keys: string[]): Promise<Map<string, { contentHash: string | null; articleId: string | null }>> {
    const found = new Map<string, { contentHash: string | null; articleId: string | null }>();
    for (const row of await readSeen(db, feedId, keys)) {
      const seen = checkRow(seenKeyRow, 'seen_items', row);
      found.set(seen.item_key, { contentHash: seen.content_hash, articleId: seen.article_id });
    }
    return found;
  }

  return {
    seenItems,
    flush: () => writes.flush(),
    saveFeedState: (state) => writes.saveFeedState(state),
    async feedStates() {
      return (await db.selectFrom('feed_state').selectAll().orderBy('feed_id').execute()).map(toFeedState);
    },

    async markSeen(feedId, items, at) {
      await writes.markSeen(items.map((item) => ({ feedId, key: item.key, url: item.url, contentHash: item.contentHash ?? null, seenAt: at })));
    },
    async setContentHash(feedId, key, contentHash) {
      await db.updateTable('seen_items').set({ content_hash: contentHash }).where('feed_id', '=', feedId).where('item_key', '=', key).execute();
    },

    async addArticle(article, item, deliveries, now) {
      const pending = new Set((await addArticle(db, article, item, deliveries, now)).filter((row) => row.status === 'pending').map((row) => row.target));
      return [...new Set(deliveries.map((delivery) => delivery.target))].filter((target) => pending.has(target));
    },
    async reviseArticle(articleId, changes) {
      const result = await db
        .updateTable('articles')
        .set((eb) => ({ title: changes.title, summary: changes.summary, revision: eb('revision', '+', 1) }))
        .where('id', '=', articleId)
        .where((eb) => eb.or([eb('title', '<>', changes.title), eb('summary', '<>', changes.summary)]))
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async rewriteDeliveryOptions(articleId, rewrite) {
      return db.transaction().execute(async (trx) => {
        const rows = await trx.selectFrom('deliveries').select(['id', 'options']).where('article_id', '=', articleId).where('options', 'is not', null).orderBy('id').execute();
        let rewritten = 0;
        for (const row of rows) {
          const stored = json(row.options);
          if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) continue;
          const next = JSON.stringify(rewrite(stored as StoredOptions));
          if (next === JSON.stringify(stored)) continue;
          await trx.updateTable('deliveries').set({ options: next }).where('id', '=', row.id).execute();
          rewritten++;
        }
        return rewritten;
      });
    },
    async recentArticles(limit, feedId, offset = 0) {
      const rows = await db
        .selectFrom('articles')
        .select(ARTICLE_COLUMNS)
        .$if(feedId !== undefined, (query) => query.where('feed_id', '=', feedId!))
        .orderBy('sort_at', 'desc')
        .orderBy('first_seen_at', 'desc')
        .limit(limit)
        .offset(offset)
        .execute();
      return rows.map(toArticle);
    },
    async urlHistory(url) {
      const seen = (await db.selectFrom('seen_items').select(['feed_id', 'seen_at', 'article_id']).where('url', '=', url).orderBy('seen_at').execute()).map((row) =>
        checkRow(seenUrlRow, 'seen_items', row),
      );
      const byUrl = await db.selectFrom('articles').select(ARTICLE_COLUMNS).where('url', '=', url).executeTakeFirst();
      const articleId = byUrl?.id ?? seen.find((row) => row.article_id)?.article_id ?? null;
      const articleRow = byUrl ?? (articleId ? await db.selectFrom('articles').select(ARTICLE_COLUMNS).where('id', '=', articleId).executeTakeFirst() : undefined);
      const article = articleRow ? toArticle(articleRow) : null;
      return {
        seen: seen.map((row) => ({ feedId: row.feed_id, seenAt: row.seen_at, posted: row.article_id !== null })),
        article,
        deliveries: article ? (await db.selectFrom('deliveries').selectAll().where('article_id', '=', article.id).orderBy('id').execute()).map(toDelivery) : [],
        approval: article ? await approvalOf(article.id) : null,
      };
    },

    async unannounced() {
      return withArticles(await db.selectFrom('approvals').selectAll().where('status', '=', 'held').where('message_id', 'is', null).orderBy('created_at').orderBy('article_id').execute());
    },
    async setApprovalMessage(articleId, messageId) {
      await db.updateTable('approvals').set({ message_id: messageId }).where('article_id', '=', articleId).execute();
    },
    async approval(articleId) {
      const approval = await approvalOf(articleId);
      if (!approval) return null;
      const article = toArticle(await db.selectFrom('articles').select(ARTICLE_COLUMNS).where('id', '=', articleId).executeTakeFirstOrThrow());
      const deliveries = (await db.selectFrom('deliveries').selectAll().where('article_id', '=', articleId).orderBy('id').execute()).map(toDelivery);
      return { approval, article, deliveries };
    },
    async heldApprovals(limit) {
      return withArticles(await db.selectFrom('approvals').selectAll().where('status', '=', 'held').orderBy('created_at').orderBy('article_id').limit(limit).execute());
    },
    async expiredApprovals(now) {
      return (await db.selectFrom('approvals').selectAll().where('status', '=', 'held').where('expires_at', '<=', now).orderBy('expires_at').execute()).map(toApproval);
    },
    async decide(articleId, decision, now) {
      return db.transaction().execute(async (trx) => {
        // The one conditional update: only a still-held approval is decided, so the first decision wins.
        const decided = await trx
          .updateTable('approvals')
          .set({ status: decision.status, decided_by: decision.by, decided_at: now })
          .where('article_id', '=', articleId)
          .where('status', '=', 'held')
          .executeTakeFirst();
        if (decided.numUpdatedRows === 0n) return false;
        if (decision.summary !== undefined) await trx.updateTable('articles').set({ summary: decision.summary }).where('id', '=', articleId).execute();
        for (const { deliveryId, options } of decision.options ?? []) {
          await trx.updateTable('deliveries').set({ options: JSON.stringify(options) }).where('id', '=', deliveryId).where('article_id', '=', articleId).where('status', '=', 'held').execute();
        }
        const held = trx.updateTable('deliveries').where('article_id', '=', articleId).where('status', '=', 'held');
        if (decision.status === 'approved') await held.set({ status: 'pending', next_attempt_at: now, updated_at: now }).execute();
        else await held.set({ status: 'skipped', last_error: skippedBy(decision.by), updated_at: now }).execute();
        return true;
      });
    },

    async dueDeliveries(now) {
      return jobs((await q.dueQueueHeads(db, { now })).rows);
    },
    async queueHeads() {
      return jobs((await q.queueHeads(db, {})).rows);
    },
    async nextDueAt(targets) {
      if (targets.length === 0) return null;
      const delivery = checkRow(nextDueRow, 'deliveries', (await q.nextDueAt(db, { targets })).rows[0]).next;
      const digest = checkRow(nextDueRow, 'digests', (await q.nextDigestAt(db, { targets })).rows[0]).next;
      return delivery === null ? digest : digest === null ? delivery : Math.min(delivery, digest);
    },
    async markSending(id, now) {
      await q.markSending(db, { id, now });
    },
    async markSent(id, remoteId, now) {
      await q.markSent(db, { id, remoteId, now });
    },
    async markRetry(id, error, nextAttemptAt, unknownOutcome, now, attemptCounts = true) {
      await q.markRetry(db, { id, error, nextAttemptAt, unknownOutcome: unknownOutcome ? 1 : 0, now, uncounted: attemptCounts ? 0 : 1 });
    },
    async markFailed(id, error, now) {
      await q.markFinished(db, { id, status: 'failed', error, now });
    },
    async markSkipped(id, reason, now) {
      await q.markFinished(db, { id, status: 'skipped', error: reason, now });
    },
    async unfinishedFor(target) {
      return jobs((await q.unfinishedFor(db, { target })).rows);
    },
    async interruptedDeliveries(target) {
      const rows = await db
        .selectFrom('deliveries')
        .selectAll()
        .where('status', '=', 'sending')
        .$if(target !== undefined, (query) => query.where('target', '=', target!))
        .orderBy('id')
        .execute();
      return rows.map(toDelivery);
    },
    async failedDeliveries(limit) {
      return jobs(await db.selectFrom('deliveries').selectAll().where('status', 'in', ['failed', 'skipped']).orderBy('updated_at', 'desc').limit(limit).execute());
    },
    async deliveryCounts() {
      const counts: Record<DeliveryStatus, number> = { held: 0, pending: 0, sending: 0, sent: 0, failed: 0, skipped: 0, folded: 0 };
      for (const row of (await q.deliveryCounts(db, {})).rows) {
        const count = checkRow(countRow, 'deliveries', row);
        counts[count.status] = count.n;
      }
      return counts;
    },
    async dueEdits(now) {
      const { rows } = await q.editHeads(db, { now });
      const oldestPerTarget = new Map<string, (typeof rows)[number]>();
      for (const row of rows) if (!oldestPerTarget.has(row.target)) oldestPerTarget.set(row.target, row);
      return jobs([...oldestPerTarget.values()]);
    },
    async markEdited(id, revision, now) {
      await db.updateTable('deliveries').set({ posted_revision: revision, last_error: null, updated_at: now }).where('id', '=', id).execute();
    },
    async markEditRetry(id, error, nextAttemptAt, now) {
      await db.updateTable('deliveries').set({ last_error: error, next_attempt_at: nextAttemptAt, updated_at: now }).where('id', '=', id).execute();
    },
    async fillDeliveryOptions(optionsOf) {
      const pairs = (
        await db.selectFrom('deliveries as d').innerJoin('articles as a', 'a.id', 'd.article_id').select(['a.feed_id', 'd.target']).distinct().where('d.options', 'is', null).execute()
      ).map((row) => checkRow(feedTargetRow, 'deliveries', row));
      if (pairs.length === 0) return 0;
      return db.transaction().execute(async (trx) => {
        let updated = 0n;
        for (const { feed_id: feedId, target } of pairs) {
          const result = await trx
            .updateTable('deliveries')
            .set({ options: JSON.stringify(optionsOf(feedId, target)) })
            .where('options', 'is', null)
            .where('target', '=', target)
            .where('article_id', 'in', (eb) => eb.selectFrom('articles').select('articles.id').where('articles.feed_id', '=', feedId))
            .executeTakeFirst();
          updated += result.numUpdatedRows;
        }
        return Number(updated);
      });
    },

    async discordFeeds() {
      return (await db.selectFrom('discord_feeds').selectAll().orderBy('id').execute()).map(toDiscordFeed);
    },
    async addDiscordFeed(feed) {
      const result = await db
        .insertInto('discord_feeds')
        .values({
          id: feed.id,
          url: feed.url,
          every_ms: feed.everyMs,
          backfill: feed.backfill,
          name: feed.name,
          channel_id: feed.channelId,
          paused: feed.paused ? 1 : 0, added_by: feed.addedBy,
          created_at: feed.createdAt,
          options: feed.options == null ? null : JSON.stringify(feed.options),
        })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },
    async removeDiscordFeed(id) {
      return (await db.deleteFrom('discord_feeds').where('id', '=', id).executeTakeFirst()).numDeletedRows > 0n;
    },
    async setDiscordFeedPaused(id, paused) {
      return (await db.updateTable('discord_feeds').set({ paused: paused ? 1 : 0 }).where('id', '=', id).executeTakeFirst()).numUpdatedRows > 0n;
    },

    async pushSubscriptions() {
      return (await db.selectFrom('push_subscriptions').selectAll().orderBy('feed_id').execute()).map(toPushSubscription);
    },
    async pushSubscription(feedId) {
      const row = await db.selectFrom('push_subscriptions').selectAll().where('feed_id', '=', feedId).executeTakeFirst();
      return row ? toPushSubscription(row) : null;
    },
    async pushSubscriptionByCallback(callbackId) {
      const row = await db.selectFrom('push_subscriptions').selectAll().where('callback_id', '=', callbackId).executeTakeFirst();
      return row ? toPushSubscription(row) : null;
    },
    async savePushSubscription(subscription) {
      const { feed_id, ...changes } = pushRowOf(subscription);
      await db
        .insertInto('push_subscriptions')
        .values({ feed_id, ...changes })
        .onConflict((conflict) => conflict.column('feed_id').doUpdateSet(changes))
        .execute();
    },
    async deletePushSubscription(feedId) {
      await db.deleteFrom('push_subscriptions').where('feed_id', '=', feedId).execute();
    },

    async getMeta(key) {
      const [row] = (await q.getMeta(db, { key })).rows;
      return row ? checkRow(metaRow, 'meta', row).value : null;
    },
    async setMeta(key, value) {
      await db
        .insertInto('meta')
        .values({ key, value })
        .onConflict((conflict) => conflict.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
        .execute();
    },

    async xUsage(periods) {
      const usage = new Map<string, { posts: number; usd: number }>(periods.map((period) => [period, { posts: 0, usd: 0 }]));
      if (periods.length === 0) return usage;
      for (const row of (await q.xUsage(db, { periods })).rows) {
        const used = checkRow(usageRow, 'x_usage', row);
        usage.set(used.period, { posts: used.posts, usd: used.usd });
      }
      return usage;
    },
    async sentSince(kind, since) {
      return checkRow(sentRow, 'deliveries', (await q.sentSince(db, { kind, pattern: `${kind}:%`, since })).rows[0]).n;
    },
    async recordXUsage(periods, posts, usd) {
      if (periods.length === 0) return;
      await q.recordXUsage(db, { periods, posts, usd });
    },
  };
}

