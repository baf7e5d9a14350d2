import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { FeedState, Store } from './store.js';
import type { Tables } from './schema.js';
import { z } from 'zod';
import { ARTICLE_COLUMNS, checkRow, text, toArticle, toFeedState } from './rows.js';
import { migrate, searchWords } from './migrations.js';
import { createStore } from './queries.js';
import { batcher, BATCH_ROWS, onePerKey } from './batch.js';
import { unfinishedTargets } from './statements.js';
import { compileOnce, fixedStatement, runDirectly } from './compile-once.js';

/**
 * The store on PostgreSQL, shared by several Herald processes. What only PostgreSQL does: tsvector
 * search, leases in the database that decide which process polls a feed and which sends a target's
 * queue, and advisory locks (which process holds the Discord gateway; one migrates at a time).
 */

/** Any constant shared by Herald processes: the advisory lock that elects the gateway holder. */
const GATEWAY_LOCK = 7_245_001;
const MIGRATION_LOCK = 7_245_002;
const INT8_OID = 20;
const leaseRow = z.object({ target: text, owner: text.optional() });
const workerRow = z.object({ owner: text });

/**
 * BIGINT (and COUNT) values as numbers rather than pg's default strings: every BIGINT column holds
 * epoch milliseconds or a count, exact below 2^53; a larger value fails the row check (rows.ts).
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
};

/**
 * Opens a PostgreSQL store at `url` (postgres://…), migrating the database first. Rejects with pg's
 * error when the database cannot be reached or migrated.
 */
export async function openPostgresStore(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10, types });
  pool.on('error', () => undefined); // an idle client's error surfaces on its next query
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrate(db, { name: 'postgres', lock: async (trx) => void (await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx)) });
  } catch (error) {
    await db.destroy();
    throw error;
  }
  runDirectly(db, async (query, name) => {
    const result = await pool.query({ text: query.sql, values: query.parameters as unknown[], ...(name ? { name } : {}) });
    const changed = result.command === 'INSERT' || result.command === 'UPDATE' || result.command === 'DELETE';
    return { rows: result.rows, numAffectedRows: changed ? BigInt(result.rowCount ?? 0) : undefined };
  });
  let gatewayClient: pg.PoolClient | null = null;
  const leasesOf = compileOnce((a: { targets: string[] }) => db.selectFrom('target_leases').select(['target', 'owner']).where('target', 'in', a.targets).forUpdate(), ['targets']);
  const claimTargets = compileOnce(
    (a: { targets: string[]; owner: string; now: number; until: number }) =>
      db
        .insertInto('target_leases')
        .values(a.targets.map((target) => ({ target, owner: a.owner, lease_until: a.until })))
        .onConflict((conflict) =>
          conflict
            .column('target')
            .doUpdateSet((eb) => ({ owner: eb.ref('excluded.owner'), lease_until: eb.ref('excluded.lease_until') }))
            .where((eb) => eb.or([eb('target_leases.owner', '=', a.owner), eb('target_leases.lease_until', '<', a.now)])),
        )
        .returning('target'),
    ['targets'],
  );
  const beat = compileOnce((a: { owner: string; now: number }) =>
    db
      .insertInto('workers')
      .values({ owner: a.owner, seen_at: a.now })
      .onConflict((conflict) => conflict.column('owner').doUpdateSet((eb) => ({ seen_at: eb.ref('excluded.seen_at') }))),
  );
  const forgetWorkers = compileOnce((a: { before: number }) => db.deleteFrom('workers').where('seen_at', '<', a.before));
  const liveWorkers = compileOnce((a: { since: number }) => db.selectFrom('workers').select('owner').where('seen_at', '>=', a.since).orderBy('owner'));
  // Several claims in one statement, of one text whatever their number (rows in feed order, one
  // per feed: see batch.ts onePerKey); a row comes back only where the claim won. $4, now: the
  // latest of the batch, the closest to when it runs.
  const claimFeeds = fixedStatement(
    `INSERT INTO feed_state (feed_id, lease_owner, lease_until) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
      ON CONFLICT (feed_id) DO UPDATE SET lease_owner = excluded.lease_owner, lease_until = excluded.lease_until
      WHERE feed_state.lease_owner IS NULL OR feed_state.lease_owner = excluded.lease_owner OR feed_state.lease_until < $4
      RETURNING *`,
  );
  // The claims of polls that start together: one round trip, one commit (see batch.ts).
  const claims = batcher<{ feedId: string; owner: string; now: number; until: number }, FeedState | null>(async (requests) => {
    // Two claims of one feed in a batch: the first made is tried, as if they had run one after the
    // other; the other wins too only when it has the same owner (a renewal).
    const rows = onePerKey(requests, (request) => request.feedId, 'first');
    const won = (
      await claimFeeds(db, [
        rows.map((row) => row.feedId),
        rows.map((row) => row.owner),
        rows.map((row) => row.until),
        Math.max(...requests.map((request) => request.now)),
      ])
    ).rows.map(toFeedState);
    const tried = new Map(rows.map((row) => [row.feedId, row.owner]));
    const states = new Map(won.map((state) => [state.feedId, state]));
    return requests.map((request) => (tried.get(request.feedId) === request.owner ? (states.get(request.feedId) ?? null) : null));
  }, BATCH_ROWS);

  return createStore(db, 'postgres', {
    async searchArticles(text, options) {
      const words = searchWords(text);
      if (words.length === 0) return [];
      const tsquery = words.map((word) => `${word}:*`).join(' & ');
      const { rows } = await sql`SELECT ${sql.join(ARTICLE_COLUMNS.map((column) => sql.ref(`a.${column}`)))}
        FROM articles a, to_tsquery('simple', ${tsquery}) q
        WHERE a.search @@ q
          ${options.feedId !== undefined ? sql`AND a.feed_id = ${options.feedId}` : sql``}
          ${options.since !== undefined ? sql`AND a.sort_at >= ${options.since}` : sql``}
        ORDER BY round(ts_rank(a.search, q)::numeric, 6) DESC, a.sort_at DESC LIMIT ${options.limit}`.execute(db);
      return rows.map(toArticle);
    },
    claimFeed: (feedId, owner, now, until) => claims.load({ feedId, owner, now, until }),
    async claimTargets(owner, now, until, sends) {
      return db.transaction().execute(async (trx) => {
        const candidates = (await unfinishedTargets(db, trx)).filter(sends);
        if (candidates.length === 0) return { held: [], takenOver: [] };
        // Lock existing leases so two processes cannot both see one as expired.
        const previous = new Map((await leasesOf(trx, { targets: candidates })).rows.map((row) => checkRow(leaseRow, 'target_leases', row)).map((row) => [row.target, row.owner]));
        const won = (await claimTargets(trx, { targets: candidates, owner, now, until })).rows;
        const held = won.map((row) => checkRow(leaseRow, 'target_leases', row).target);
        return { held, takenOver: held.filter((target) => previous.get(target) !== owner) };
      });
    },
    async releaseLeases(owner) {
      await db.deleteFrom('target_leases').where('owner', '=', owner).execute();
      await db.updateTable('feed_state').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner).execute();
      await db.deleteFrom('workers').where('owner', '=', owner).execute();
    },
    async releaseFeed(feedId, owner) {
      await db.updateTable('feed_state').set({ lease_owner: null, lease_until: null }).where('feed_id', '=', feedId).where('lease_owner', '=', owner).execute();
    },
    async heartbeat(owner, now, liveSince) {
      await beat(db, { owner, now });
      // Rows of processes long gone are cleared by whoever is alive.
      await forgetWorkers(db, { before: liveSince - 3_600_000 });
      return (await liveWorkers(db, { since: liveSince })).rows.map((row) => checkRow(workerRow, 'workers', row).owner);
    },
    async tryGatewayLock() {
      if (gatewayClient) return true;
      const client = await pool.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [GATEWAY_LOCK]);
      if (rows[0]?.locked) {
        // The lock lives as long as this session: a killed process's connection drops, and with it the lock.
        gatewayClient = client;
        return true;
      }
      client.release();
      return false;
    },
    async close() {
      await claims.flush();
      gatewayClient?.release();
      gatewayClient = null;
      await db.destroy();
    },
  });
}
