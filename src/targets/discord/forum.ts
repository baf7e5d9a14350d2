import { wordsOf } from '../../config/filter.js';

/** Discord's channel types Herald posts to as forum posts (threads): GUILD_FORUM and GUILD_MEDIA (https://discord.com/developers/docs/resources/channel#channel-object-channel-types). */
export const FORUM_TYPES = { forum: 15, media: 16 } as const;

/** How many tags one forum post may carry (Discord: `applied_tags`, "limited to 5"). */
const MAX_APPLIED_TAGS = 5;

/** A tag of a forum or media channel (`available_tags`). */
export interface ForumTag {
  id: string;
  name: string;
}

/** The tag names a destination's `tags` mapping gives an article: categories first (in the article's order), then `*`; each once. */
function tagNamesFor(categories: readonly string[], mapping: Readonly<Record<string, string>>): string[] {
  const byCategory = new Map(Object.entries(mapping).filter(([category]) => category !== '*').map(([category, tag]) => [wordsOf(category), tag]));
  const names = categories.map((category) => byCategory.get(wordsOf(category))).filter((name): name is string => name !== undefined);
  if (mapping['*'] !== undefined) names.push(mapping['*']);
  return [...new Map(names.map((name) => [wordsOf(name), name])).values()];
}

/**
 * The tag ids of a forum post for an article: its categories mapped to tag names through
 * `mapping` (category → tag name; `*` for every post; categories compared case-, accent- and
 * punctuation-insensitively), each name looked up among the channel's `available` tags the same
 * way. At most 5 ids (Discord's limit), categories in the article's order first. `unknown` lists
 * the mapped names the channel has no tag for (for a warning).
 */
export function forumTags(categories: readonly string[], mapping: Readonly<Record<string, string>>, available: readonly ForumTag[]): { ids: string[]; unknown: string[] } {
  const byName = new Map(available.map((tag) => [wordsOf(tag.name), tag.id]));
  const ids: string[] = [];
  const unknown: string[] = [];
  for (const name of tagNamesFor(categories, mapping)) {
    const id = byName.get(wordsOf(name));
    if (id === undefined) unknown.push(name);
    else if (!ids.includes(id) && ids.length < MAX_APPLIED_TAGS) ids.push(id);
  }
  return { ids, unknown };
}

/** Where a posted message lives: its channel (a forum post's thread, else the destination's channel) and its id. */
export interface MessageLocation {
  channelId: string;
  messageId: string;
}

/**
 * The remote id Herald records for a message: its id alone when it is in the destination's channel,
 * "<thread id>/<message id>" when it is in a thread Herald started there (a forum post, whose
 * first message has the thread's id).
 */
export function remoteIdOf(address: string, location: MessageLocation): string {
  return location.channelId === address ? location.messageId : `${location.channelId}/${location.messageId}`;
}

/** The location a recorded remote id names (see remoteIdOf); a bare id is a message in `address`. */
export function locationOf(address: string, remoteId: string): MessageLocation {
  const slash = remoteId.indexOf('/');
  return slash < 0 ? { channelId: address, messageId: remoteId } : { channelId: remoteId.slice(0, slash), messageId: remoteId.slice(slash + 1) };
}
