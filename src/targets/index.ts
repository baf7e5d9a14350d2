import type { TargetKind } from '../deliveries/kind.js';
import type { TargetDeps } from './deps.js';
import { discordKind } from './discord/kind.js';
import { xKind } from './x/kind.js';

/**
 * Every kind of destination Herald can post to, in the order routes list their shorthand keys.
 * A new kind is a folder beside these with its descriptor (deliveries/kind.ts), and one line here.
 */
export const TARGET_KINDS: readonly TargetKind<TargetDeps>[] = [discordKind, xKind];

/** The kind a delivery's target key names (see deliveries/target.ts targetKey), if Herald knows it. */
export function kindNamed(name: string): TargetKind<TargetDeps> | undefined {
  return TARGET_KINDS.find((kind) => kind.name === name);
}
