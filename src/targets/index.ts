import type { Environment } from '../config/env.js';
import type { ConfiguredKind, TargetKind } from '../deliveries/kind.js';
import { blueskyKind } from './bluesky/kind.js';
import type { TargetDeps } from './deps.js';
import { discordKind } from './discord/kind.js';
import { discordWebhookKind } from './discord-webhook/kind.js';
import { mastodonKind } from './mastodon/kind.js';
import { telegramKind } from './telegram/kind.js';
import { xKind } from './x/kind.js';

/**
 * Every kind of destination Herald can post to, in the order routes list their shorthand keys.
 * A new kind is a folder beside these with its descriptor (deliveries/kind.ts) — its config part,
 * its environment variables and their schema, how it is built and printed — and one line here.
 */
export const TARGET_KINDS: readonly TargetKind<TargetDeps>[] = [discordKind, xKind, blueskyKind, mastodonKind, telegramKind, discordWebhookKind];

/** The kind a delivery's target key names (see deliveries/target.ts targetKey), if Herald knows it. */
export function kindNamed(name: string): TargetKind<TargetDeps> | undefined {
  return TARGET_KINDS.find((kind) => kind.name === name);
}

/**
 * The kinds the environment record configures (each reads its own variables: TargetKind.fromEnv),
 * by name. Throws ConfigError when a kind's variables are set wrong (half of X's OAuth 1.0a keys).
 */
export function configuredKinds(environment: Environment): ReadonlyMap<string, ConfiguredKind<TargetDeps>> {
  const configured = new Map<string, ConfiguredKind<TargetDeps>>();
  for (const kind of TARGET_KINDS) {
    const ready = kind.fromEnv(environment);
    if (ready) configured.set(kind.name, ready);
  }
  return configured;
}
