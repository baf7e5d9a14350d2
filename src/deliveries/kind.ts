import type { Config } from '../config/config.js';
import type { Environment, EnvVar } from '../config/env.js';
import type { KindConfig } from '../config/schema.js';
import type { Article } from '../articles/article.js';
import type { FilterFacts } from '../config/filter.js';
import type { NewDelivery } from '../store/store.js';
import type { DeliveryPolicy } from './policy.js';
import type { DeliveryOptions } from './options.js';
import type { Target } from './target.js';

/**
 * A platform's use and what its limits leave, as the dashboard's usage page shows it. Posts count
 * per UTC day and month; dollars only where the platform charges (X), else null.
 */
export interface TargetUsage {
  day: { posts: number; usd: number | null };
  month: { posts: number; usd: number | null };
  /** Posts the caps or the platform's published limits still allow this day and month (null: none applies). */
  postsLeft: { day: number | null; month: number | null };
  /** What else is left or binds, one sentence each ("Budget left this month: $9.80."), with the source of each limit. */
  notes: string[];
}

/** A destination kind that is configured and built: its target, and what runs beside it. */
export interface LiveTarget {
  target: Target;
  /**
   * Its use and what its limits leave at `now` (ms since the epoch), for the dashboard: what the kind
   * records (X's ledger, the rate-limit answers this process saw). Absent for a platform without
   * costs or limits worth watching (Discord).
   */
  usage?(now: number): Promise<TargetUsage>;
  /** The budget or pacing rule the outbox asks before each send (X's caps), if any. */
  policy?: DeliveryPolicy;
  /** Started with Herald (the Discord gateway). */
  start?(): Promise<void>;
  /** For /readyz: false while the kind cannot work. */
  ready?(): boolean;
  /** Stopped with Herald. */
  close?(): Promise<void>;
  /**
   * Deliveries the kind adds of its own to a new article, beside those its routes give it (`routed`,
   * filters applied): Discord's alert DMs to members whose alerts match. Recorded with the others, in
   * the same transaction, so each is made once per article.
   */
  moreDeliveries?(article: Article, facts: FilterFacts, routed: readonly NewDelivery[]): Promise<NewDelivery[]>;
}

/** A destination kind its environment variables configure (its token is set): it can build its target. */
export interface ConfiguredKind<Deps> {
  /** Builds the kind's target, with what it read from the environment. */
  create(deps: Deps): Promise<LiveTarget>;
  /** The web address of a posted message (its `remoteId`), when the platform has one this environment lets us build. */
  messageUrl?(address: string, remoteId: string): string | null;
}

/**
 * How a post would look where it goes, for the dashboard's preview page: a card (a Discord embed)
 * or a text post (X, with its thread replies). Plain text, as the platform shows it (no markdown escapes).
 */
export type PostPreview =
  | { look: 'card'; author: string | null; title: string; url: string; description: string | null; footer: string | null; color: number; imageUrl: string | null; timestamp: string | null }
  | { look: 'text'; text: string; replies: string[] };

/**
 * Everything Herald knows about one kind of destination, in one place: its part of the config file,
 * the environment it reads, how it is built, how it prints in a dry run and preview, how /status and
 * /why name a destination of it, and what it guarantees. The kinds are listed in targets/index.ts.
 * `Deps` is what building a target may use (targets/index.ts defines it).
 */
export interface TargetKind<Deps> extends KindConfig {
  /** The environment variables the kind reads (README documents each); its secrets are kept out of logs. */
  readonly env: readonly EnvVar[];
  /**
   * Reads the kind's variables (`env`) from the one environment record with its own zod schema
   * (targets/<kind>/env.ts): what builds its target when they configure the kind, or null when they
   * leave it off (no token). Throws ConfigError ("environment: …") when they are set wrong.
   */
  fromEnv(environment: Environment): ConfiguredKind<Deps> | null;
  /** True when resending after an unknown outcome cannot post twice (see Target.idempotent). */
  readonly idempotent: boolean;
  /** True when a message already posted can be edited to follow the publisher's edits. */
  readonly canEdit: boolean;
  /** A destination to show in `herald preview` for a feed without routes. */
  readonly sampleAddress: string;
  /**
   * The kind's destination in the offline demo (`herald demo`, which posts to one of every kind):
   * the value of its `{ <name>: … }` route entry, its section's settings when the demo shows some,
   * and the environment variables its entry names (a webhook URL), none of them real.
   */
  readonly demo: { readonly entry: unknown; readonly settings?: unknown; readonly environment?: Environment };
  /**
   * What to set so this kind is configured, as a message ends it: "set DISCORD_TOKEN". Deliveries
   * to a kind that is not configured wait with the reason "target not configured: <setup>".
   */
  readonly setup: string;
  /** How a destination of this kind reads in /status and /why (Discord markdown), from its address. */
  describe(address: string): string;
  /** Registers the kind's own metrics, when it is configured or printed in a dry run. */
  metrics?(deps: Deps): Promise<void>;
  /**
   * A target that prints what it would post and sends nothing (--dry-run, preview, the demo);
   * `config` is null for a bare URL in `herald preview`.
   */
  printer(print: (text: string) => void, config: () => Config | null): Target;
  /** The caps the kind applies before each send (X's budget), built for a dry run so it prints only what a real run would send. */
  dryRunPolicy?(deps: Deps): DeliveryPolicy;
  /** The platform's name as people write it ("Discord", "X"), for the dashboard. */
  readonly title?: string;
  /** How a post of `article` with these options would look on the platform (the dashboard's preview). */
  preview?(article: Article, options: DeliveryOptions, config: Config): Promise<PostPreview>;
}
