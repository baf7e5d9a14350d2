/** SQLite schema versions, applied in order and once, each in its own transaction. */
export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE feed_state (
        feed_id TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        initialized INTEGER NOT NULL DEFAULT 0,
        last_poll_at BIGINT,
        last_success_at BIGINT,
        failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
      );
      CREATE TABLE seen_items (
        feed_id TEXT NOT NULL,
        item_key TEXT NOT NULL,
        article_id TEXT,
        seen_at BIGINT NOT NULL,
        PRIMARY KEY (feed_id, item_key)
      );
      CREATE TABLE articles (
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
      );
      CREATE INDEX articles_by_time ON articles (sort_at DESC);
      CREATE INDEX articles_by_feed_time ON articles (feed_id, sort_at DESC);
      CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
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
      );
      CREATE INDEX deliveries_queue ON deliveries (target, status, sort_at, id);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
];
