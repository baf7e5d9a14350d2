import type { Target } from '../deliveries/target.js';
import { renderDiscordMessage } from './discord/render.js';
import { renderXPost, weightedLength, type XPostOptions } from './x/render.js';

export type FeedStyle = (feedId: string) => { name: string; color: number };

/** Targets that print what they would post and send nothing (--dry-run, the demo). */
export function dryRunTargets(print: (text: string) => void, feedStyle: FeedStyle, xOptions: (feedId: string) => XPostOptions = () => ({})): Target[] {
  const discord: Target = {
    kind: 'discord',
    idempotent: true,
    async send(article, context) {
      const style = feedStyle(article.feedId);
      const payload = renderDiscordMessage(article, { channelId: context.address, feedName: style.name, color: style.color });
      print(`── would post to Discord channel ${context.address} ──\n${JSON.stringify(payload, null, 2)}\n`);
      return { remoteId: null };
    },
  };
  const x: Target = {
    kind: 'x',
    idempotent: true,
    async send(article) {
      const { text, reply } = renderXPost(article, xOptions(article.feedId));
      print(`── would post to X (${weightedLength(text)}/280) ──\n${text}\n`);
      if (reply) print(`── …and reply in a thread (${weightedLength(reply)}/280) ──\n${reply}\n`);
      return { remoteId: null };
    },
  };
  return [discord, x];
}
