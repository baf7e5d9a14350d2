import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import type { HttpClient } from '../sources/http.js';
import type { KeyValues, Leases, UsageLedger } from '../store/store.js';
import type { MemberAlerts } from '../store/member-alerts.js';
import type { CommandCounter } from './discord/commands/index.js';
import type { CommandDeps } from './discord/commands/types.js';

/**
 * What the destination kinds may use to build their targets (targets/index.ts lists the kinds): the
 * composition root hands every kind this record, and each kind's descriptor names only the parts it
 * uses (TargetKind<Pick<TargetDeps, …>>), so Telegram sees no slash commands and X no gateway lock.
 */
export interface TargetDeps {
  /** The parts of the store the kinds keep state in: tokens and hashes, the gateway lock, X's usage, members' alerts (Discord). */
  store: KeyValues & Leases & UsageLedger & MemberAlerts;
  /**
   * The SSRF-guarded client for a feed's content (lead images posted to X, Bluesky, Mastodon):
   * loopback and private addresses only for a feed allowed them (FeedConfig.privateNetwork).
   */
  httpFor(feedId: string): HttpClient;
  log: Logger;
  /** The config as currently loaded (SIGHUP may replace it). */
  config(): Config;
  /** Where the kind registers its own metrics (Prometheus). */
  metrics: Registry;
  /** What the Discord slash commands may use. */
  commands: CommandDeps;
  /** herald_commands_total: each answered interaction, by command and outcome. */
  commandCounter: CommandCounter;
}


