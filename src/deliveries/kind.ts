import type { Config } from '../config/config.js';
import type { KindConfig } from '../config/schema.js';
import type { DeliveryPolicy } from './policy.js';
import type { Target } from './target.js';

/** An environment variable a destination kind reads (README documents each). */
interface EnvVar {
  name: string;
  /** Tokens and keys: scrubbed from every log line. */
  secret: boolean;
}

/** A destination kind that is configured and built: its target, and what runs beside it. */
export interface LiveTarget {
  target: Target;
  /** The budget or pacing rule the outbox asks before each send (X's caps), if any. */
  policy?: DeliveryPolicy;
  /** Started with Herald (the Discord gateway). */
  start?(): Promise<void>;
  /** For /readyz: false while the kind cannot work. */
  ready?(): boolean;
  /** Stopped with Herald. */
  close?(): Promise<void>;
}

/**
 * Everything Herald knows about one kind of destination, in one place: its part of the config file,
 * the environment it reads, how it is built, how it prints in a dry run and preview, how /status and
 * /why name a destination of it, and what it guarantees. The kinds are listed in targets/index.ts.
 * `Deps` is what building a target may use (targets/index.ts defines it).
 */
export interface TargetKind<Deps> extends KindConfig {
  readonly env: readonly EnvVar[];
  /** True when resending after an unknown outcome cannot post twice (see Target.idempotent). */
  readonly idempotent: boolean;
  /** True when a message already posted can be edited to follow the publisher's edits. */
  readonly canEdit: boolean;
  /** A destination to show in `herald preview` for a feed without routes. */
  readonly sampleAddress: string;
  /** How a destination of this kind reads in /status and /why (Discord markdown), from its address. */
  describe(address: string): string;
  /** True when the environment configures this kind (its token is set), so deliveries to it can go out. */
  configured(deps: Deps): boolean;
  /** Builds the target of a configured kind. */
  create(deps: Deps): Promise<LiveTarget>;
  /** Registers the kind's own metrics, when it is configured or printed in a dry run. */
  metrics?(deps: Deps): Promise<void>;
  /**
   * A target that prints what it would post and sends nothing (--dry-run, preview, the demo);
   * `config` is null for a bare URL in `herald preview`.
   */
  printer(print: (text: string) => void, config: () => Config | null): Target;
}
