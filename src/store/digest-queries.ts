import { sql } from 'kysely';
import { z } from 'zod';
import type { Digests } from './digests.js';
import type { StoredArticle } from './store.js';
import { ARTICLE_COLUMNS, checkRow, int, nullableInt, text, toArticle, toDigest } from './rows.js';
import { batches } from './batch.js';
import { compiled, UNPOSTED_DIGEST, type Db } from './statements.js';

/** The digests' queries (store/digests.ts), written once for SQLite and PostgreSQL with kysely. */

const sentAtRow = z.object({ sent_at: int });
const idRow = z.object({ id: int });
const maxRow = z.object({ next: nullableInt });
const reachRow = z.object({ article_id: text, feeds: int });
const candidateRow = z.object({ article_id: text, options: z.unknown() });
const foldedRow = z.object({ id: int, article_id: text });

/** The Digests part of the store on `db`. */
export function digestQueries(db: Db): Digests {
  const q = compiled(db);
  return {
    async postTimes(target, since) {
      const singles = db.selectFrom('deliveries').select('sent_at').where('target', '=', target).where('digest_id', 'is', null).where('sent_at', '>', since);
      const digests = db.selectFrom('digests').select('sent_at').where('target', '=', target).where('status', '=', 'sent').where('sent_at', '>', since);
      return (await singles.unionAll(digests).execute()).map((row) => checkRow(sentAtRow, 'deliveries', row).sent_at);
    },
    async foldIntoDigest(target, cause, digest, fold, now) {
      return db.transaction().execute(async (trx) => {
        const open = () => trx.selectFrom('digests').select('id').where('target', '=', target).where('cause', '=', cause).where('status', '=', 'open').executeTakeFirst();
        let found = await open();
        if (!found) {
          // A scheduled digest covers the time since the last one.
          const last = await trx.selectFrom('digests').select((eb) => eb.fn.max('due_at').as('next')).where('target', '=', target).where('cause', '=', cause).executeTakeFirst();
          const since = checkRow(maxRow, 'digests', last).next ?? digest.since;
          await trx
            .insertInto('digests')
            .values({ target, cause, status: 'open', due_at: digest.dueAt, since, options: JSON.stringify(digest.options), created_at: now, updated_at: now })
            // The index's own predicate, written as it is (a bound parameter would not match it on SQLite).
            .onConflict((conflict) => conflict.columns(['target', 'cause']).where('status', '=', sql.lit('open')).doNothing())
            .execute();
          found = await open();
        }
        const digestId = checkRow(idRow, 'digests', found).id;
        if (!fold) return { digestId, folded: 0 };
        const folded = await trx
          .updateTable('deliveries')
          .set({ status: 'folded', digest_id: digestId, updated_at: now })
          .where('target', '=', target)
          .where('status', '=', 'pending')
          .where('unknown_outcome', '=', 0)
          .executeTakeFirst();
        return { digestId, folded: Number(folded.numUpdatedRows) };
      });
    },
    async dueDigests(now) {
      return (await db.selectFrom('digests').selectAll().where('status', 'in', UNPOSTED_DIGEST).where('due_at', '<=', now).orderBy('due_at').orderBy('id').execute()).map(toDigest);
    },
    async digestCandidates(digest, until) {
      let query = db.selectFrom('deliveries').select(['article_id', 'options']).where('digest_id', '=', digest.id).where('status', '=', 'folded');
      if (digest.cause === 'scheduled') {
        query = query.union(
          db
            .selectFrom('deliveries')
            .select(['article_id', 'options'])
            .where('target', '=', digest.target)
            .where('created_at', '>=', digest.since)
            .where('created_at', '<', until)
            .where('status', 'in', ['pending', 'sending', 'sent', 'folded']),
        );
      }
      const rows = (await query.execute()).map((row) => checkRow(candidateRow, 'deliveries', row));
      const options = new Map(rows.map((row) => [row.article_id, row.options]));
      const ids = [...options.keys()];
      const found: Array<{ article: StoredArticle; feeds: number; options: unknown }> = [];
      for (const batch of batches(ids)) {
        const reach = new Map(
          (await db.selectFrom('seen_items').select((eb) => ['article_id', eb.fn.count<number>('feed_id').distinct().as('feeds')]).where('article_id', 'in', batch).groupBy('article_id').execute())
            .map((row) => checkRow(reachRow, 'seen_items', { ...row, feeds: Number(row.feeds) }))
            .map((row) => [row.article_id, row.feeds]),
        );
        for (const row of (await q.articles(db, { ids: batch })).rows) {
          const article = toArticle(row);
          const stored = options.get(article.id);
          found.push({ article, feeds: reach.get(article.id) ?? 1, options: typeof stored === 'string' ? (JSON.parse(stored) as unknown) : stored });
        }
      }
      return found;
    },
    async closeDigest(id, articleIds, reason, now) {
      return db.transaction().execute(async (trx) => {
        const closed = await trx
          .updateTable('digests')
          .set({ status: articleIds.length > 0 ? 'ready' : 'skipped', updated_at: now })
          .where('id', '=', id)
          .where('status', '=', 'open')
          .executeTakeFirst();
        if (closed.numUpdatedRows === 0n) return false;
        for (const batch of batches(articleIds.map((articleId, position) => ({ digest_id: id, article_id: articleId, position })))) {
          await trx.insertInto('digest_items').values(batch).execute();
        }
        const listed = new Set(articleIds);
        const folded = (await trx.selectFrom('deliveries').select(['id', 'article_id']).where('digest_id', '=', id).where('status', '=', 'folded').execute()).map((row) =>
          checkRow(foldedRow, 'deliveries', row),
        );
        for (const batch of batches(folded.filter((row) => !listed.has(row.article_id)).map((row) => row.id))) {
          await trx.updateTable('deliveries').set({ status: 'skipped', last_error: reason, updated_at: now }).where('id', 'in', batch).execute();
        }
        return true;
      });
    },
    async digestArticles(id) {
      const rows = await db
        .selectFrom('digest_items as i')
        .innerJoin('articles as a', 'a.id', 'i.article_id')
        .select(ARTICLE_COLUMNS.map((column) => `a.${column}` as const))
        .where('i.digest_id', '=', id)
        .orderBy('i.position')
        .execute();
      return rows.map(toArticle);
    },
    async markDigestPart(id, part, remoteId, now) {
      await db
        .updateTable('digests')
        .set((eb) => ({ parts_sent: part + 1, remote_id: eb.fn.coalesce('remote_id', eb.val(remoteId)), last_error: null, updated_at: now }))
        .where('id', '=', id)
        .execute();
    },
    async markDigestSent(id, now) {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('digests').set({ status: 'sent', sent_at: now, last_error: null, updated_at: now }).where('id', '=', id).execute();
        // Posted inside the digest: no message of their own to edit (remote_id stays null).
        await trx.updateTable('deliveries').set({ status: 'sent', sent_at: now, last_error: null, updated_at: now }).where('digest_id', '=', id).where('status', '=', 'folded').execute();
      });
    },
    async markDigestRetry(id, reason, dueAt, attempted, now) {
      await db
        .updateTable('digests')
        .set((eb) => ({ last_error: reason, due_at: dueAt, attempts: eb('attempts', '+', attempted ? 1 : 0), updated_at: now }))
        .where('id', '=', id)
        .execute();
    },
    async markDigestFailed(id, error, now) {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('digests').set({ status: 'failed', last_error: error, updated_at: now }).where('id', '=', id).execute();
        await trx.updateTable('deliveries').set({ status: 'failed', last_error: `in a digest that failed: ${error}`, updated_at: now }).where('digest_id', '=', id).where('status', '=', 'folded').execute();
      });
    },

  };
}
