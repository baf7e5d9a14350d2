import { Routes, type REST } from 'discord.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Article } from '../../articles/article.js';
import { DeliveryError, type DigestContent, type SendContext } from '../../deliveries/target.js';
import type { HttpClient } from '../../sources/http.js';
import { cutText } from '../../text/cut.js';
import { fetchLeadImage } from '../image.js';
import { DISCORD_LIMITS } from './fit.js';
import { FORUM_TYPES, forumTags, locationOf, remoteIdOf } from './forum.js';
import { escapeMentions, renderDiscordMessage, type DiscordMessage, type DiscordRenderOptions } from './render.js';

/** How long what Herald learnt of a destination channel (its type, its forum tags) is trusted before it asks again, in ms. */
const CHANNEL_INFO_TTL_MS = 10 * 60_000;
/** The largest lead image attached to a media channel post, in bytes: Discord's upload limit per file in a server without boosts (10 MiB, Discord Help Center "File Upload Size Limit"). */
const MEDIA_IMAGE_MAX_BYTES = 10 * 1024 * 1024;
/** Discord's limit on an attachment's description (alt text): https://discord.com/developers/docs/resources/message#attachment-object-attachment-request-structure */
const ALT_TEXT_MAX = 1024;

/** A channel as Discord describes it (GET /channels/{id}): what Herald needs to post there and to find its posts. */
const channelSchema = z.object({
  id: z.string(),
  type: z.number().int(),
  guild_id: z.string().optional(),
  name: z.string().nullish(),
  parent_id: z.string().nullish(),
  owner_id: z.string().optional(),
  /** Channel flags: REQUIRE_TAG (1 << 4) on a forum or media channel whose posts must carry a tag. */
  flags: z.number().int().optional(),
  available_tags: z.array(z.object({ id: z.string(), name: z.string() })).optional(),
  thread_metadata: z.object({ archived: z.boolean() }).optional(),
});
export type Channel = z.infer<typeof channelSchema>;
/** GET /guilds/{guild.id}/threads/active: https://discord.com/developers/docs/resources/guild#list-active-guild-threads */
const activeThreadsSchema = z.object({ threads: z.array(channelSchema) });
/** POST /channels/{id}/threads in a forum: the thread, with its first message nested. */
const forumPostSchema = channelSchema.extend({ message: z.object({ id: z.string() }).optional() });
/** What Herald compares of a forum post's first message to know it as its own (see findForumPost). */
const starterSchema = z.object({ content: z.string().optional(), embeds: z.array(z.object({ title: z.string().optional(), url: z.string().optional(), description: z.string().optional() })).optional() });
/** Discord's channel flag of a forum or media channel whose posts must carry a tag (https://discord.com/developers/docs/resources/channel#channel-object-channel-flags). */
const REQUIRE_TAG = 1 << 4;

/** A forum post's first message: the message as in a text channel, without the nonce (Discord's forum thread message params have none). */
type ForumMessage = Omit<DiscordMessage, 'nonce' | 'enforce_nonce'>;

/**
 * The message for a forum or media channel: Discord's thread message params take no nonce; in a
 * media channel the lead image is the post's attachment (the tile in the channel's grid), so the
 * embed shows none.
 */
export function forumMessage(message: DiscordMessage, media: boolean): ForumMessage {
  const { nonce: _nonce, enforce_nonce: _enforce, ...rest } = message;
  if (!media) return rest;
  return { ...rest, embeds: rest.embeds.map(({ image: _image, thumbnail: _thumbnail, ...embed }) => embed) };
}

/** A thread's name from an article's title, mentions broken (escapeMentions): Discord allows 1–100 characters; cut between whole graphemes (text/cut.ts). */
export function threadName(title: string): string {
  return cutText(escapeMentions(title.replace(/\s+/g, ' ').trim()), DISCORD_LIMITS.threadName) || 'Discussion';
}

export interface ChannelDeps {
  /** discord.js's REST client (it retries timeouts, resets and 5xx itself). */
  rest: REST;
  /** The same without retries: for requests that have no nonce (creating a forum post). */
  restOnce: REST;
  /** The SSRF-guarded client for a feed's content: lead images attached to media channel posts. */
  httpFor(feedId: string): HttpClient;
  log: Logger;
  /**
   * The outbox's view of a failed request (client.ts: pauses on a refused token or unreachable
   * Discord); with 'duplicates', 'unknown' when the request may have been carried out (errors.ts).
   */
  failure(error: unknown, resend?: 'harmless' | 'duplicates'): DeliveryError;
  /** The bot's user id once known (GET /users/@me): the owner of the posts Herald made. */
  botId(): string | null;
}

/**
 * Discord channels as Herald posts to them: each destination channel fetched through discord.js
 * when first used (its type decides between a message and a forum post), forum and media posts
 * made exactly once, and the threads Herald started kept in step with edits.
 */
export function createChannels(deps: ChannelDeps) {
  const { rest, restOnce, log, failure } = deps;
/** Destination channels as last fetched, with when (epoch ms). */
  const channels = new Map<string, { channel: Channel; at: number }>();
  /** What was already warned about (an unknown forum tag, tags on a text channel): said once per process. */
  const warned = new Set<string>();
  const warnOnce = (key: string, fields: Record<string, unknown>, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    log.warn({ target: 'discord', ...fields }, message);
  };

  /** A destination channel (its type, guild and forum tags), fetched through discord.js when first used and again after 10 minutes. */
  async function channelOf(id: string): Promise<Channel> {
    const cached = channels.get(id);
    if (cached && Date.now() - cached.at < CHANNEL_INFO_TTL_MS) return cached.channel;
    const channel = channelSchema.parse(await rest.get(Routes.channel(id)));
    channels.set(id, { channel, at: Date.now() });
    return channel;
  }
  
  const isForum = (channel: Channel) => channel.type === FORUM_TYPES.forum || channel.type === FORUM_TYPES.media;
  
  /**
   * The tag ids of a forum post for articles of `categories` by the destination's mapping; warns
   * once about each mapped name the channel has no tag for. Throws a permanent DeliveryError when
   * the channel requires a tag (its REQUIRE_TAG flag) and the mapping gives none: Discord would
   * refuse the post (40067), and the reason says what to change.
   */
  function tagIds(categories: readonly string[], forum: Channel, mapping: Readonly<Record<string, string>> | undefined): string[] {
    const known = (forum.available_tags ?? []).map((t) => t.name).join(', ') || 'none';
    const { ids, unknown } = mapping ? forumTags(categories, mapping, forum.available_tags ?? []) : { ids: [], unknown: [] };
    for (const tag of unknown) {
      warnOnce(`tag:${forum.id}:${tag}`, { channel: forum.id, tag }, `forum channel ${forum.name ?? forum.id} (${forum.id}) has no tag named "${tag}" (its tags: ${known}); posts go without it: fix the route's tags or add the tag in Discord`);
    }
    if (ids.length === 0 && ((forum.flags ?? 0) & REQUIRE_TAG) !== 0) {
      throw new DeliveryError(`forum channel ${forum.name ?? forum.id} (${forum.id}) requires a tag on each post, and the route's tags give none here: add tags to the destination, such as tags: { "*": "${forum.available_tags?.[0]?.name ?? 'News'}" } (its tags: ${known})`, 'permanent');
    }
    return ids;
  }
  
  /** The lead image to attach to a media channel post, or null (none, or it could not be fetched: said in a warning). */
  async function mediaImage(article: Article, channel: string): Promise<{ name: string; data: Buffer; contentType: string } | null> {
    const missing = (reason: string) => {
      log.warn({ target: 'discord', channel, article: article.id, reason }, 'media channel post without an image: its tile in the channel shows none');
      return null;
    };
    if (!article.imageUrl) return missing('the article has no lead image');
    try {
      const image = await fetchLeadImage(deps.httpFor(article.feedId), article.imageUrl, MEDIA_IMAGE_MAX_BYTES);
      if (!image) return missing('the image server sent no image');
      return { name: `image.${image.type.slice('image/'.length).replace('jpeg', 'jpg')}`, data: Buffer.from(image.bytes), contentType: image.type };
    } catch (error) {
      return missing((error as Error).message);
    }
  }
  
  /**
   * A forum post this bot made earlier for the same message, after an attempt whose outcome is
   * unknown: among the guild's active threads, one in `forum` owned by the bot with the same name
   * whose first message shows the same embed title, link and description (or, without an embed,
   * the same content). Returns its thread id, or null.
   */
  async function findForumPost(forum: Channel, name: string, message: ForumMessage): Promise<string | null> {
    if (!forum.guild_id) return null;
    const { threads } = activeThreadsSchema.parse(await rest.get(Routes.guildActiveThreads(forum.guild_id)));
    const candidates = threads.filter((thread) => thread.parent_id === forum.id && thread.name === name && (deps.botId() === null || thread.owner_id === deps.botId()));
    for (const thread of candidates.sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))) {
      const starter = starterSchema.parse(await rest.get(Routes.channelMessage(thread.id, thread.id)));
      const [theirs, ours] = [starter.embeds?.[0], message.embeds[0]];
      const same = ours ? theirs?.title === ours.title && theirs?.url === ours.url && theirs?.description === ours.description : (starter.content ?? '') === (message.content ?? '');
      if (same) return thread.id;
    }
    return null;
  }
  
  /**
   * Starts a post in a forum or media channel (Discord: Start Thread in Forum or Media Channel)
   * named `name`, with `message` first, `tags` applied and `image` attached. After an attempt whose
   * outcome is unknown it first looks for the post (findForumPost) and, when found, posts nothing.
   * `about` names what is posted in the log line. Resolves with the thread id (which is also its
   * first message's id); rejects with a DeliveryError.
   */
  async function startPost(forum: Channel, post: { name: string; message: ForumMessage; tags: string[]; image: { name: string; data: Buffer; contentType: string; description: string } | null }, unknownOutcome: boolean, about: Record<string, unknown>): Promise<string> {
    const { name, message, tags, image } = post;
    if (unknownOutcome) {
      let found: string | null;
      try {
        found = await findForumPost(forum, name, message);
      } catch (error) {
        throw failure(error);
      }
      if (found) {
        log.info({ target: 'discord', channel: forum.id, thread: found, ...about }, 'forum post found from an earlier attempt; not posted again');
        return found;
      }
    }
    const body = {
      name,
      message: image ? { ...message, attachments: [{ id: 0, filename: image.name, description: image.description }] } : message,
      ...(tags.length > 0 ? { applied_tags: tags } : {}),
    };
    let started: z.infer<typeof forumPostSchema>;
    try {
      started = forumPostSchema.parse(await restOnce.post(Routes.threads(forum.id), { body, ...(image ? { files: [image] } : {}) }));
    } catch (error) {
      const failed = failure(error, 'duplicates');
      throw failed.kind === 'unknown' ? new DeliveryError(`${failed.message} (the post may have been made: the next attempt looks for it first)`, 'unknown') : failed;
    }
    return started.id;
  }

  /**
   * Posts `article` to a forum or media channel as a new post: named by its title, the rendered
   * message first, tags by the destination's mapping; in a media channel with the lead image
   * attached. Made once across retries (startPost). Resolves with the remote id "<thread id>/<message id>".
   */
  async function postInForum(article: Article, context: SendContext, render: DiscordRenderOptions, forum: Channel): Promise<string> {
    const media = forum.type === FORUM_TYPES.media;
    const message = forumMessage(renderDiscordMessage(article, render), media);
    const tags = tagIds(article.categories ?? [], forum, render.destination?.tags);
    const image = media ? await mediaImage(article, forum.id) : null;
    const post = { name: threadName(article.title), message, tags, image: image && { ...image, description: cutText(article.title, ALT_TEXT_MAX) } };
    const thread = await startPost(forum, post, context.unknownOutcome, { article: article.id });
    return remoteIdOf(forum.id, { channelId: thread, messageId: thread });
  }

  /**
   * Posts message `part` of a digest to a forum or media channel: the first starts a post named by
   * the digest's heading (`name`), tagged by the mapping over all its articles' categories (a
   * channel that requires a tag gets the route's `*` tag), made once across retries (startPost);
   * the others go into that post (`first`: the recorded remote id of the first), each with its
   * nonce. Resolves with the message's remote id "<thread id>/<message id>".
   */
  async function postDigestInForum(digest: DigestContent, part: { index: number; name: string; message: DiscordMessage; first: string | null }, context: SendContext, render: DiscordRenderOptions, forum: Channel): Promise<string> {
    if (part.index === 0) {
      const tags = tagIds(digest.articles.flatMap((article) => article.categories ?? []), forum, render.destination?.tags);
      const post = { name: threadName(part.name), message: forumMessage(part.message, forum.type === FORUM_TYPES.media), tags, image: null };
      const thread = await startPost(forum, post, context.unknownOutcome, { digest: digest.id });
      return remoteIdOf(forum.id, { channelId: thread, messageId: thread });
    }
    if (part.first === null) throw new DeliveryError(`digest ${digest.id}: the forum post its first message started is not recorded`, 'permanent');
    const thread = locationOf(forum.id, part.first).channelId;
    try {
      const message = (await rest.post(Routes.channelMessages(thread), { body: part.message })) as { id: string };
      return remoteIdOf(forum.id, { channelId: thread, messageId: message.id });
    } catch (error) {
      throw failure(error);
    }
  }

  /**
   * Keeps a thread Herald started in step with an edited article: renamed to the new title, and
   * (`unarchive`, a forum post) taken out of the archive so that its first message can be edited.
   * One GET, and a PATCH only when something differs.
   */
  async function followThread(threadId: string, name: string, unarchive: boolean): Promise<void> {
    const thread = channelSchema.parse(await rest.get(Routes.channel(threadId)));
    const archived = thread.thread_metadata?.archived ?? false;
    if (archived && !unarchive) return;
    const changes = { ...(archived ? { archived: false } : {}), ...(thread.name !== name ? { name } : {}) };
    if (Object.keys(changes).length > 0) await rest.patch(Routes.channel(threadId), { body: changes });
  }

  return { channelOf, isForum, postInForum, postDigestInForum, followThread, warnOnce };
}
