import type { Generated } from 'kysely';

/**
 * The tables as the migrations (store/migrations.ts) leave them, for kysely's typed queries.
 * Timestamps are epoch milliseconds; flags are 0 or 1. `Generated` columns have a default and may
 * be left out of an insert.
 */
export interface Tables {
  feed_state: {
    feed_id: string;
    etag: string | null;
    last_modified: string | null;
    initialized: Generated<number>;
    last_poll_at: number | null;
    last_success_at: number | null;
    failures: Generated<number>;
    last_error: string | null;
    held_until: number | null;
    read_url: string | null;
    read_for: string | null;
    lease_owner: string | null;
    lease_until: number | null;
  };
  seen_items: {
    feed_id: string;
    item_key: string;
    article_id: string | null;
    seen_at: number;
    url: string | null;
    content_hash: string | null;
  };
  articles: {
    id: string;
    feed_id: string;
    url: string;
    title: string;
    summary: string;
    author: string | null;
    site_name: string | null;
    image_url: string | null;
    published_at: number | null;
    first_seen_at: number;
    /** published_at, or first_seen_at for an undated item: the order of queues and lists. */
    sort_at: number;
    revision: Generated<number>;
    /** A JSON array of strings. */
    categories: Generated<string>;
  };
  deliveries: {
    id: Generated<number>;
    article_id: string;
    target: string;
    status: string;
    attempts: Generated<number>;
    next_attempt_at: number;
    last_error: string | null;
    remote_id: string | null;
    unknown_outcome: Generated<number>;
    sort_at: number;
    created_at: number;
    updated_at: number;
    posted_revision: Generated<number>;
    /** The route's options as JSON (deliveries/options.ts): text on SQLite, JSONB on PostgreSQL; null before schema v7. */
    options: string | null;
    /** The digest that owns it (status 'folded', then 'sent' with it), or null (schema v10). */
    digest_id: number | null;
    /** When it was posted (for the pace), or null (before schema v10, or not posted). */
    sent_at: number | null;
  };
  meta: { key: string; value: string };
  discord_feeds: {
    id: string;
    url: string;
    every_ms: number;
    backfill: number;
    name: string;
    channel_id: string;
    paused: Generated<number>;
    added_by: string | null;
    created_at: number;
    /** What the feed says about its channel (targets/discord/added-feed.ts), as JSON; null: nothing (and before schema v12). */
    options: string | null;
  };
  x_usage: { period: string; posts: Generated<number>; usd: Generated<number> };
  target_leases: { target: string; owner: string; lease_until: number };
  workers: { owner: string; seen_at: number };
  /** The approval desk (schema v8): one row per article of a route with `approval:`. */
  approvals: {
    article_id: string;
    channel: string;
    message_id: string | null;
    /** held, approved or skipped. */
    status: string;
    expires_at: number;
    /** skip or post. */
    on_expiry: string;
    decided_by: string | null;
    decided_at: number | null;
    created_at: number;
  };
  push_subscriptions: {
    feed_id: string;
    hub: string;
    topic: string;
    callback_id: string;
    secret: string;
    /** 'requested', 'active', 'unsubscribing', 'refused' or 'ended' (store.ts PushState). */
    state: string;
    lease_until: number | null;
    requested_at: number;
    last_push_at: number | null;
    last_error: string | null;
  };
  /** Digests (schema v10): one message listing several articles of one target. */
  digests: {
    id: Generated<number>;
    target: string;
    /** pace, quiet or scheduled (deliveries/pace.ts DigestCause). */
    cause: string;
    /** open (gathering), ready (its list fixed, being posted), sent, failed, or skipped (nothing to list). */
    status: string;
    due_at: number;
    /** The start of the time a scheduled digest covers. */
    since: number;
    /** The destination's options as JSON (deliveries/options.ts), as for deliveries. */
    options: string;
    /** Messages of it posted so far (a long digest takes several). */
    parts_sent: Generated<number>;
    /** Its first message's id. */
    remote_id: string | null;
    attempts: Generated<number>;
    last_error: string | null;
    created_at: number;
    updated_at: number;
    sent_at: number | null;
  };
  /** What a closed digest lists, in order. */
  digest_items: { digest_id: number; article_id: string; position: number };
  /** Per-member alerts (schema v11): a member's words, per guild; paused_at set while their DMs are closed. */
  member_alerts: {
    id: Generated<number>;
    guild_id: string;
    member_id: string;
    /** A JSON array of the words and phrases, as the member typed them. */
    words: string;
    created_at: number;
    paused_at: number | null;
    /** The alert's number among its member's alerts (1, 2, …; unique per member; schema v13). */
    number: Generated<number>;
  };
  schema_migrations: { version: number; applied_at: number };
}
