import type { Kysely } from 'kysely';
import { z } from 'zod';
import { compileOnce } from './compile-once.js';
import type { Tables } from './schema.js';
import type { DeliveryStatus } from './store.js';
import { ARTICLE_COLUMNS, checkRow, text } from './rows.js';

/**
 * The queries of the poll and send paths, built with kysely and compiled to SQL once per database
 * (compile-once.ts), for both backends.
 */

/** A database with Herald's tables, on either backend. */
export type Db = Kysely<Tables>;

/** The statuses of a delivery still to be sent. */
const UNFINISHED: DeliveryStatus[] = ['pending', 'sending'];

/** The statuses of a digest still to be posted. */
export const UNPOSTED_DIGEST = ['open', 'ready'];

const targetRow = z.object({ target: text });

/** The queries of the poll and send paths, compiled once per database (see compile-once.ts). */
function compileQueries(db: Db) {
  return {
    queueHeads: compileOnce((_: object) => queueHeads(db)),
    dueQueueHeads: compileOnce((a: { now: number }) => db.selectFrom(queueHeads(db).as('heads')).selectAll().where('next_attempt_at', '<=', a.now)),
    markSending: compileOnce((a: { id: number; now: number }) =>
      db.updateTable('deliveries').set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), updated_at: a.now })).where('id', '=', a.id),
    ),
    // The message shows the article as it is now: record that revision as posted.
    markSent: compileOnce((a: { id: number; remoteId: string | null; now: number }) =>
      db
        .updateTable('deliveries')
        .set((eb) => ({
          status: 'sent',
          remote_id: a.remoteId,
          last_error: null,
          updated_at: a.now,
          sent_at: a.now,
          posted_revision: eb.selectFrom('articles').select('revision').whereRef('articles.id', '=', 'deliveries.article_id'),
        }))
        .where('id', '=', a.id),
    ),
    markRetry: compileOnce((a: { id: number; error: string; nextAttemptAt: number; unknownOutcome: number; now: number; uncounted: number }) =>
      db
        .updateTable('deliveries')
        .set((eb) => ({ status: 'pending', last_error: a.error, next_attempt_at: a.nextAttemptAt, unknown_outcome: a.unknownOutcome, attempts: eb('attempts', '-', a.uncounted), updated_at: a.now }))
        .where('id', '=', a.id),
    ),
    markFinished: compileOnce((a: { id: number; status: DeliveryStatus; error: string; now: number }) =>
      db.updateTable('deliveries').set({ status: a.status, last_error: a.error, updated_at: a.now }).where('id', '=', a.id),
    ),
    articles: compileOnce((a: { ids: string[] }) => db.selectFrom('articles').select(ARTICLE_COLUMNS).where('id', 'in', a.ids), ['ids']),
    // A target with a digest to post (open or ready) has work too, though its deliveries are folded into it.
    unfinishedTargets: compileOnce((_: object) =>
      db
        .selectFrom('deliveries')
        .select('target')
        .where('status', 'in', UNFINISHED)
        .union(db.selectFrom('digests').select('target').where('status', 'in', UNPOSTED_DIGEST)),
    ),
    nextDueAt: compileOnce(
      (a: { targets: string[] }) =>
        db
          .selectFrom(queueHeads(db).as('heads'))
          .select((eb) => eb.fn.min('next_attempt_at').as('next'))
          .where('status', '=', 'pending')
          .where('target', 'in', a.targets),
      ['targets'],
    ),
    nextDigestAt: compileOnce(
      (a: { targets: string[] }) => db.selectFrom('digests').select((eb) => eb.fn.min('due_at').as('next')).where('status', 'in', UNPOSTED_DIGEST).where('target', 'in', a.targets),
      ['targets'],
    ),
    editHeads: compileOnce((a: { now: number }) =>
      db
        .selectFrom('deliveries as d')
        .innerJoin('articles as a', 'a.id', 'd.article_id')
        .selectAll('d')
        .where('d.status', '=', 'sent')
        .where('d.remote_id', 'is not', null)
        .whereRef('d.posted_revision', '<', 'a.revision')
        .where('d.next_attempt_at', '<=', a.now)
        .orderBy('d.target')
        .orderBy('d.id'),
    ),
    unfinishedFor: compileOnce((a: { target: string }) => db.selectFrom('deliveries').selectAll().where('target', '=', a.target).where('status', 'in', UNFINISHED).orderBy('sort_at').orderBy('id')),
    deliveryCounts: compileOnce((_: object) => db.selectFrom('deliveries').select((eb) => ['status', eb.fn.countAll().as('n')]).groupBy('status')),
    getMeta: compileOnce((a: { key: string }) => db.selectFrom('meta').select('value').where('key', '=', a.key)),
    xUsage: compileOnce((a: { periods: string[] }) => db.selectFrom('x_usage').select(['period', 'posts', 'usd']).where('period', 'in', a.periods), ['periods']),
    sentSince: compileOnce((a: { kind: string; pattern: string; since: number }) =>
      db.selectFrom('deliveries').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'sent').where('updated_at', '>=', a.since).where((eb) => eb.or([eb('target', '=', a.kind), eb('target', 'like', a.pattern)])),
    ),
    recordXUsage: compileOnce(
      (a: { periods: string[]; posts: number; usd: number }) =>
        db
          .insertInto('x_usage')
          .values(a.periods.map((period) => ({ period, posts: a.posts, usd: a.usd })))
          .onConflict((conflict) =>
            conflict.column('period').doUpdateSet((eb) => ({ posts: eb('x_usage.posts', '+', eb.ref('excluded.posts')), usd: eb('x_usage.usd', '+', eb.ref('excluded.usd')) })),
          ),
      ['periods'],
    ),
  };
}

const compiledFor = new WeakMap<Db, ReturnType<typeof compileQueries>>();
/** The compiled queries of `db`, compiled on first use. */
export function compiled(db: Db): ReturnType<typeof compileQueries> {
  let queries = compiledFor.get(db);
  if (!queries) compiledFor.set(db, (queries = compileQueries(db)));
  return queries;
}

/** The head of each target's queue: its earliest unfinished delivery in publication order. */
function queueHeads(db: Db) {
  return db
    .selectFrom((eb) =>
      eb
        .selectFrom('deliveries')
        .selectAll()
        .select((inner) => inner.fn.agg<number>('row_number').over((over) => over.partitionBy('target').orderBy('sort_at').orderBy('id')).as('place'))
        .where('status', 'in', UNFINISHED)
        .as('queued'),
    )
    .selectAll()
    .where('place', '=', 1);
}

/** The targets that have unfinished (pending or sending) deliveries or a digest to post, in no particular order; `executor`: `db` or one of its transactions. */
export async function unfinishedTargets(db: Db, executor: Db = db): Promise<string[]> {
  return (await compiled(db).unfinishedTargets(executor, {})).rows.map((row) => checkRow(targetRow, 'deliveries', row).target);
}
