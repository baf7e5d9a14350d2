import { sql, type Kysely, type Transaction } from 'kysely';
import type { Tables } from './schema.js';

/**
 * Schema versions, applied in order and once, each in its own transaction, recorded in
 * `schema_migrations (version, applied_at)`. Every version is one change written for both backends:
 * the same tables and meaning, each dialect's own syntax (SQLite's FTS5 where PostgreSQL has
 * tsvector, AUTOINCREMENT where it has BIGSERIAL). Each is a list of single statements. A version,
 * once released, never changes: databases created by earlier releases carry it.
 */
interface Migration {
  version: number;
  sqlite: readonly string[];
  postgres: readonly string[];
}

const V1_TABLES = (idColumn: string) => [
  `CREATE TABLE feed_state (
    feed_id TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    initialized INTEGER NOT NULL DEFAULT 0,
    last_poll_at BIGINT,
    last_success_at BIGINT,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
  )`,
  `CREATE TABLE seen_items (
    feed_id TEXT NOT NULL,
    item_key TEXT NOT NULL,
    article_id TEXT,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (feed_id, item_key)
  )`,
  `CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    feed_id TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    author TEXT,
    site_name TEXT,
    image_url TEXT,
    published_at BIGINT,
    first_seen_at BIGINT NOT NULL,
    sort_at BIGINT NOT NULL
  )`,
  'CREATE INDEX articles_by_time ON articles (sort_at DESC)',
  'CREATE INDEX articles_by_feed_time ON articles (feed_id, sort_at DESC)',
  `CREATE TABLE deliveries (
    ${idColumn},
    article_id TEXT NOT NULL REFERENCES articles (id),
    target TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    remote_id TEXT,
    unknown_outcome INTEGER NOT NULL DEFAULT 0,
    sort_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (article_id, target)
  )`,
  'CREATE INDEX deliveries_queue ON deliveries (target, status, sort_at, id)',
  'CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
];

const V2_COMMON = [
  'ALTER TABLE seen_items ADD COLUMN url TEXT',
  'CREATE INDEX seen_items_by_url ON seen_items (url)',
  'CREATE INDEX articles_by_url ON articles (url)',
  `CREATE TABLE discord_feeds (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    every_ms BIGINT NOT NULL,
    backfill INTEGER NOT NULL,
    name TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    added_by TEXT,
    created_at BIGINT NOT NULL
  )`,
];

const V3 = [
  'ALTER TABLE seen_items ADD COLUMN content_hash TEXT',
  'ALTER TABLE articles ADD COLUMN revision INTEGER NOT NULL DEFAULT 1',
  'ALTER TABLE deliveries ADD COLUMN posted_revision INTEGER NOT NULL DEFAULT 1',
  'CREATE INDEX deliveries_sent_by_article ON deliveries (article_id, status)',
];

const V5 = [
  'ALTER TABLE feed_state ADD COLUMN lease_owner TEXT',
  'ALTER TABLE feed_state ADD COLUMN lease_until BIGINT',
  'CREATE TABLE target_leases (target TEXT PRIMARY KEY, owner TEXT NOT NULL, lease_until BIGINT NOT NULL)',
];

/** Processes that share the database announce themselves, so feeds can be shared out among the live ones. */
const V6 = ['CREATE TABLE workers (owner TEXT PRIMARY KEY, seen_at BIGINT NOT NULL)'];

/** Each delivery keeps the options its route gave it (deliveries/options.ts); rows from before have none (NULL). */
const V7 = (json: string) => [`ALTER TABLE deliveries ADD COLUMN options ${json}`];

/**
 * The approval desk: an article of a route with `approval:` waits here for a moderator (its
 * deliveries are 'held'); the decision, who made it and when are kept.
 */
const V8 = [
  `CREATE TABLE approvals (
    article_id TEXT PRIMARY KEY REFERENCES articles (id),
    channel TEXT NOT NULL,
    message_id TEXT,
    status TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    on_expiry TEXT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    created_at BIGINT NOT NULL
  )`,
  'CREATE INDEX approvals_by_status ON approvals (status, expires_at)',
];

/** WebSub subscriptions: one per feed, found by its callback id when the hub calls. */
const V9 = [
  `CREATE TABLE push_subscriptions (
    feed_id TEXT PRIMARY KEY,
    hub TEXT NOT NULL,
    topic TEXT NOT NULL,
    callback_id TEXT NOT NULL UNIQUE,
    secret TEXT NOT NULL,
    state TEXT NOT NULL,
    lease_until BIGINT,
    requested_at BIGINT NOT NULL,
    last_push_at BIGINT,
    last_error TEXT
  )`,
];

/**
 * Digests (deliveries/pace.ts): a message listing several articles for one target, made when posts
 * go over a destination's pace, fall in its quiet hours, or on its schedule. A delivery folded into
 * a digest is owned by it (digest_id, status 'folded') until the digest is posted, when both are
 * marked in one transaction; digest_items lists what a closed digest shows, in order. One open
 * digest per target and cause. deliveries.sent_at: when a post went out (for the pace).
 */
const V10 = (idColumn: string, json: string) => [
  `CREATE TABLE digests (
    ${idColumn},
    target TEXT NOT NULL,
    cause TEXT NOT NULL,
    status TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    since BIGINT NOT NULL,
    options ${json} NOT NULL,
    parts_sent INTEGER NOT NULL DEFAULT 0,
    remote_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    sent_at BIGINT
  )`,
  `CREATE UNIQUE INDEX digests_open ON digests (target, cause) WHERE status = 'open'`,
  'CREATE INDEX digests_due ON digests (status, due_at)',
  'CREATE INDEX digests_sent ON digests (target, sent_at)',
  `CREATE TABLE digest_items (
    digest_id BIGINT NOT NULL REFERENCES digests (id),
    article_id TEXT NOT NULL REFERENCES articles (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (digest_id, article_id)
  )`,
  'ALTER TABLE deliveries ADD COLUMN digest_id BIGINT REFERENCES digests (id)',
  'ALTER TABLE deliveries ADD COLUMN sent_at BIGINT',
  'CREATE INDEX deliveries_by_digest ON deliveries (digest_id)',
  'CREATE INDEX deliveries_sent_at ON deliveries (target, sent_at)',
];

/**
 * Per-member alerts (/alerts): the words a member of a guild wants a DM for. A member whose DMs
 * are closed has every alert paused (paused_at) until they resume them.
 */
const V11 = (id: string) => [
  `CREATE TABLE member_alerts (
    ${id},
    guild_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    words TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    paused_at BIGINT
  )`,
  'CREATE INDEX member_alerts_by_member ON member_alerts (member_id, guild_id)',
  'CREATE INDEX member_alerts_by_guild ON member_alerts (guild_id)',
];

/** V12: what a feed added from Discord says about its channel (include/exclude words, a role to ping), as JSON. */
const V12 = (json: string) => [`ALTER TABLE discord_feeds ADD COLUMN options ${json}`];

/**
 * V13: alerts are numbered per member (member_alerts.number: 1, 2, … in the order each member made
 * them), so the number a member sees tells nothing of other members' alerts; existing alerts are
 * numbered per member in id order.
 */
const V13 = [
  'ALTER TABLE member_alerts ADD COLUMN number INTEGER NOT NULL DEFAULT 0',
  'UPDATE member_alerts SET number = (SELECT COUNT(*) FROM member_alerts AS earlier WHERE earlier.member_id = member_alerts.member_id AND earlier.id <= member_alerts.id)',
  'CREATE UNIQUE INDEX member_alerts_number ON member_alerts (member_id, number)',
];

/**
 * V14: a poll the feed's host held back (429/503 with Retry-After) is recorded as held until the
 * given time (feed_state.held_until, epoch ms), not as a failure.
 */
const V14 = ['ALTER TABLE feed_state ADD COLUMN held_until BIGINT'];

/**
 * V15: where each feed was last read as a feed (feed_state.read_url: its configured url, or the feed
 * the page there links) and for which configured url (read_for), so a restart reads a feed found on
 * a page directly, and does not take an error page of a url that answered with a feed for a new page.
 */
const V15 = ['ALTER TABLE feed_state ADD COLUMN read_url TEXT', 'ALTER TABLE feed_state ADD COLUMN read_for TEXT'];

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sqlite: V1_TABLES('id INTEGER PRIMARY KEY AUTOINCREMENT'),
    postgres: V1_TABLES('id BIGSERIAL PRIMARY KEY'),
  },
  {
    version: 2,
    sqlite: [
      ...V2_COMMON,
      `CREATE VIRTUAL TABLE articles_fts USING fts5 (title, summary, content = 'articles', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2')`,
      'INSERT INTO articles_fts (rowid, title, summary) SELECT rowid, title, summary FROM articles',
      `CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, summary) VALUES (new.rowid, new.title, new.summary);
      END`,
      `CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, summary) VALUES ('delete', old.rowid, old.title, old.summary);
      END`,
      `CREATE TRIGGER articles_fts_update AFTER UPDATE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, summary) VALUES ('delete', old.rowid, old.title, old.summary);
        INSERT INTO articles_fts (rowid, title, summary) VALUES (new.rowid, new.title, new.summary);
      END`,
    ],
    postgres: [
      ...V2_COMMON,
      `ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || summary)) STORED`,
      'CREATE INDEX articles_search ON articles USING GIN (search)',
    ],
  },
  { version: 3, sqlite: V3, postgres: V3 },
  {
    version: 4,
    sqlite: [
      `ALTER TABLE articles ADD COLUMN categories TEXT NOT NULL DEFAULT '[]'`,
      'CREATE TABLE x_usage (period TEXT PRIMARY KEY, posts INTEGER NOT NULL DEFAULT 0, usd REAL NOT NULL DEFAULT 0)',
    ],
    postgres: [
      `ALTER TABLE articles ADD COLUMN categories TEXT NOT NULL DEFAULT '[]'`,
      'CREATE TABLE x_usage (period TEXT PRIMARY KEY, posts INTEGER NOT NULL DEFAULT 0, usd DOUBLE PRECISION NOT NULL DEFAULT 0)',
    ],
  },
  { version: 5, sqlite: V5, postgres: V5 },
  { version: 6, sqlite: V6, postgres: V6 },
  { version: 7, sqlite: V7('TEXT'), postgres: V7('JSONB') },
  { version: 8, sqlite: V8, postgres: V8 },
  { version: 9, sqlite: V9, postgres: V9 },
  { version: 10, sqlite: V10('id INTEGER PRIMARY KEY AUTOINCREMENT', 'TEXT'), postgres: V10('id BIGSERIAL PRIMARY KEY', 'JSONB') },
  { version: 11, sqlite: V11('id INTEGER PRIMARY KEY AUTOINCREMENT'), postgres: V11('id BIGSERIAL PRIMARY KEY') },
  { version: 12, sqlite: V12('TEXT'), postgres: V12('JSONB') },
  { version: 13, sqlite: V13, postgres: V13 },
  { version: 14, sqlite: V14, postgres: V14 },
  { version: 15, sqlite: V15, postgres: V15 },
];

/** What the migration runner needs to know of a backend. */
export interface MigrationDialect {
  name: 'sqlite' | 'postgres';
  /**
   * Run first in every migration transaction: makes processes that start together take turns
   * (PostgreSQL: a transaction-scoped advisory lock). Absent where one process owns the database.
   */
  lock?(trx: Transaction<Tables>): Promise<void>;
}

/**
 * Brings the database up to the newest schema version: each missing version (MIGRATIONS) in its
 * own transaction, which also records it in schema_migrations. Safe when several processes start
 * at once on PostgreSQL (each version is re-checked under the lock). Rejects with the database's
 * error when a statement fails; that version is then rolled back and the later ones not tried.
 */
export async function migrate(db: Kysely<Tables>, dialect: MigrationDialect): Promise<void> {
  const appliedAtType = dialect.name === 'sqlite' ? 'integer' : 'bigint';
  await db.transaction().execute(async (trx) => {
    await dialect.lock?.(trx);
    await trx.schema
      .createTable('schema_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (column) => column.primaryKey())
      .addColumn('applied_at', appliedAtType, (column) => column.notNull())
      .execute();
  });
  const applied = new Set((await db.selectFrom('schema_migrations').select('version').execute()).map((row) => Number(row.version)));
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    await db.transaction().execute(async (trx) => {
      await dialect.lock?.(trx);
      // Another process may have applied it while this one waited for the lock.
      if (await trx.selectFrom('schema_migrations').select('version').where('version', '=', migration.version).executeTakeFirst()) return;
      for (const statement of migration[dialect.name]) await sql.raw(statement).execute(trx);
      await trx.insertInto('schema_migrations').values({ version: migration.version, applied_at: Date.now() }).execute();
    });
  }
}

/**
 * What a user typed turned into words a full-text index can match safely: letters and digits only,
 * so no query syntax of either backend can be injected. At most 12 words.
 */
export function searchWords(input: string): string[] {
  return (input.match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 12);
}
