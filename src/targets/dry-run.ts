import type { Target } from '../deliveries/target.js';
import { renderDiscordMessage } from './discord/render.js';
import { renderTweet } from './x/render.js';
import twitterText from 'twitter-text';

export type FeedStyle = (feedId: string) => { name: string; color: number };

/** Targets that print what they would post and send nothing (--dry-run, the demo). */
export function dryRunTargets(print: (text: string) => void, feedStyle: FeedStyle): Target[] {
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
      const text = renderTweet(article);
      print(`── would post to X (${twitterText.parseTweet(text).weightedLength}/280) ──\n${text}\n`);
      return { remoteId: null };
    },
  };
  return [discord, x];
}
