import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { close, createServer, listen, readBody, sendJson, waitFor } from './http.js';

export interface PostedMessage {
  id: string;
  channelId: string;
  /** The webhook that posted it (Execute Webhook), if one did. */
  webhookId?: string;
  body: {
    /** Execute Webhook: the name and avatar the message shows instead of the webhook's own. */
    username?: string;
    /** Execute Webhook in a forum or media channel: the name of the post it starts, and its tags. */
    thread_name?: string;
    applied_tags?: string[];
    avatar_url?: string;
    content?: string;
    nonce?: string;
    enforce_nonce?: boolean;
    allowed_mentions?: unknown;
    embeds?: Array<{ title?: string; url?: string; description?: string; color?: number; image?: { url: string }; thumbnail?: { url: string }; footer?: { text: string }; author?: { name: string }; fields?: Array<{ name: string; value: string; inline?: boolean }> }>;
    /** Message components: action rows (type 1) of buttons (type 2, with custom_id and label). */
    components?: Array<{ type: number; components: Array<{ type: number; custom_id?: string; label?: string; style?: number }> }>;
  };
  at: number;
  /** Files uploaded with the message (multipart/form-data): name, media type and size in bytes. */
  files?: Array<{ name: string; type: string; size: number }>;
}

// Request bodies are whatever the client sent: read like Discord would, field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FakeBody = any;

/** A forum tag (`available_tags` of a forum or media channel). */
export interface FakeForumTag {
  id: string;
  name: string;
}

/** A post (thread) started in a forum or media channel, as the fake keeps it; its first message is in `messages` with the thread's id. */
export interface ForumPost {
  id: string;
  forumId: string;
  name: string;
  appliedTags: string[];
  archived: boolean;
}

/** A modal Herald opened (interaction response type 9), as Discord would show it. */
interface OpenedModal {
  interactionId: string;
  custom_id: string;
  title: string;
  components: Array<{ type: number; components: Array<{ type: number; custom_id: string; label: string; value?: string }> }>;
}

export interface InjectedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type MessageBody = { content?: string; embeds?: Array<{ title?: string; description?: string; url?: string; footer?: { text: string }; author?: { name: string }; fields?: Array<{ name: string; value: string }> }> };

/**
 * What Discord's documented limits refuse in a message body (content 2000; embed title 256,
 * description 4096, 25 fields of 256/1024, footer 2048, author 256, 6000 in all; 10 embeds).
 * Discord answers such a body with 400 (50035 Invalid Form Body); so does the fake.
 */
export function limitViolations(body: MessageBody | undefined): string[] {
  const problems: string[] = [];
  const over = (what: string, text: string | undefined, max: number) => {
    if (text !== undefined && text.length > max) problems.push(`${what}: ${text.length} > ${max}`);
  };
  over('content', body?.content, 2000);
  const embeds = body?.embeds ?? [];
  if (embeds.length > 10) problems.push(`embeds: ${embeds.length} > 10`);
  let total = 0;
  embeds.forEach((embed, i) => {
    over(`embeds[${i}].title`, embed.title, 256);
    over(`embeds[${i}].description`, embed.description, 4096);
    over(`embeds[${i}].url`, embed.url, 2048);
    over(`embeds[${i}].footer.text`, embed.footer?.text, 2048);
    over(`embeds[${i}].author.name`, embed.author?.name, 256);
    if ((embed.fields?.length ?? 0) > 25) problems.push(`embeds[${i}].fields: ${embed.fields!.length} > 25`);
    embed.fields?.forEach((field, f) => {
      over(`embeds[${i}].fields[${f}].name`, field.name, 256);
      over(`embeds[${i}].fields[${f}].value`, field.value, 1024);
    });
    total += [embed.title, embed.description, embed.footer?.text, embed.author?.name, ...(embed.fields ?? []).flatMap((f) => [f.name, f.value])].reduce((sum, text) => sum + (text?.length ?? 0), 0);
  });
  if (total > 6000) problems.push(`embeds total: ${total} > 6000`);
  return problems;
}

/** The channel flag of a forum or media channel whose posts must carry a tag (discord.com/developers/docs/resources/channel#channel-object-channel-flags). */
const REQUIRE_TAG = 1 << 4;

const APP_ID = '900000000000000001';
const BOT_ID = '900000000000000002';
export const GUILD_ID = '900000000000000003';

/**
 * A fake Discord: REST under /api/v10 and a JSON gateway on the same port, enough for the real
 * discord.js client (see shared/notes/protocol-fakes.md). It keeps every message and reply so
 * tests can assert on what would have appeared in Discord.
 */
export class FakeDiscord {
  readonly messages: PostedMessage[] = [];
  readonly edits: Array<{ channelId: string; messageId: string; body: PostedMessage['body'] }> = [];
  /** Messages published to following servers (POST /channels/{id}/messages/{id}/crosspost). */
  readonly crossposts: Array<{ channelId: string; messageId: string }> = [];
  /** Threads started on a message (POST /channels/{id}/messages/{id}/threads); Discord allows one per message. */
  readonly threads: Array<{ channelId: string; messageId: string; name: string }> = [];
  /**
   * Forum and media channels by id (type 15 or 16) with their tags; add them before Herald first
   * posts there. `requireTag`: the channel's REQUIRE_TAG flag (1 << 4), a post without a tag is refused.
   */
  readonly forums = new Map<string, { type: 15 | 16; name: string; tags: FakeForumTag[]; requireTag?: boolean }>();
  /** Posts started in forum and media channels (POST /channels/{id}/threads), in order. */
  readonly forumPosts: ForumPost[] = [];
  /** Changes to threads (PATCH /channels/{thread id}): rename, unarchive. */
  readonly threadChanges: Array<{ threadId: string; body: { name?: string; archived?: boolean } }> = [];
  /** Requests for a guild's active threads (GET /guilds/{id}/threads/active). */
  activeThreadLookups = 0;
  /** While > 0, a forum post is made but its answer is lost (the connection drops), once per count: a timeout after sending. */
  loseForumPostAnswers = 0;
  /** Message bodies refused with 400 for breaking Discord's limits, and why. */
  readonly refusedMessages: string[][] = [];
  readonly commandRegistrations: Array<{ route: string; body: unknown }> = [];
  readonly interactionCallbacks: Array<{ interactionId: string; body: { type: number; data?: { content?: string; embeds?: Array<{ description?: string; title?: string }>; flags?: number } } }> = [];
  /** Edits of deferred replies (PATCH …/messages/@original) and follow-ups, by interaction id. */
  readonly followUps: Array<{ interactionId: string; method: string; body: { content?: string; embeds?: Array<{ title?: string; description?: string }> } }> = [];
  /** Modals Herald opened (response type 9). */
  readonly modals: OpenedModal[] = [];
  /** Interaction answers refused with 400 for breaking Discord's limits, and why. */
  readonly refusedAnswers: Array<{ interactionId: string; problems: string[] }> = [];
  /** Answers to serve, in order, to the next message posts instead of accepting them. */
  readonly injected: InjectedResponse[] = [];
  /** Webhooks, by id (made in Discord's channel settings; here with addWebhook). */
  readonly webhooks = new Map<string, { token: string; channelId: string; name: string }>();
  /** Execute Webhook requests received, whatever came of them. */
  webhookExecutes = 0;
  /** Answers to serve, in order, to the next webhook executes instead of accepting them (a 429, a 500). */
  readonly injectedWebhook: InjectedResponse[] = [];
  /** How many of the next webhook executes post the message and then lose the answer (the connection is reset). */
  loseWebhookReplies = 0;
  /** Channels whose lookup (GET /channels/{id}) fails with 503, as in an outage of Discord's API. */
  readonly failingLookups = new Set<string>();
  /** Channel lookups (GET /channels/{id}) received, answered or not, by channel id. */
  readonly channelLookups = new Map<string, number>();
  /** Channels of guilds other than the fake guild (GET /channels/{id} answers with this guild_id). */
  readonly channelGuilds = new Map<string, string>();
  /** DM channels Herald opened (POST /users/@me/channels), by member id. */
  readonly dmChannels = new Map<string, string>();
  /** Members whose DMs are closed: a message to their DM channel gets 403 with code 50007, as Discord answers. */
  readonly closedDms = new Set<string>();
  /** Requests to post in a DM channel, accepted or not, by member id. */
  readonly dmRequests = new Map<string, number>();
  /** While true, Discord refuses the bot token: every REST request (the gateway lookup too) gets 401. */
  refuseToken = false;
  messageRequests = 0;
  /** Requests for the gateway's address (each gateway login starts with one). */
  gatewayLookups = 0;
  identifies = 0;
  /** The message each component interaction was dispatched from, by interaction id (response type 7 updates it). */
  private readonly interactionMessages = new Map<string, PostedMessage>();
  private readonly sockets = new Set<WebSocket>();
  /** Gateway connections open now (a bot stopped in process has closed its own). */
  get gatewayConnections(): number {
    return this.sockets.size;
  }
  private readonly nonces = new Map<string, PostedMessage>();
  private nextId = 1_000_000_000_000_000_000n;
  private sequence = 0;
  private server!: Server;
  private wss!: WebSocketServer;
  port = 0;

  constructor(
    readonly token: string,
    readonly channels: string[],
  ) {}

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  /** Starts listening: on a free port the first time, on the same port after a `stop` (so Herald finds it again). */
  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onGateway(ws));
    });
    this.port = await listen(this.server, this.port);
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    await close(this.server);
  }

  /**
   * Makes a webhook in `channelId` and returns its URL as Discord's "Copy Webhook URL" gives it,
   * under this fake's API (`<apiUrl>/webhooks/<id>/<token>`, the token 68 characters as Discord's).
   */
  addWebhook(channelId: string, name = 'Captain Hook'): string {
    const id = this.id();
    const token = `wh${id}`.padEnd(68, 'Tk_-9');
    this.webhooks.set(id, { token, channelId, name });
    return `${this.apiUrl}/webhooks/${id}/${token}`;
  }

  messagesIn(channelId: string): PostedMessage[] {
    return this.messages.filter((message) => message.channelId === channelId);
  }

  /** The DMs a member received. */
  dmsTo(memberId: string): PostedMessage[] {
    const channel = this.dmChannels.get(memberId);
    return channel ? this.messagesIn(channel) : [];
  }

  /** The member whose DM channel this is, if it is one. */
  private dmMember(channelId: string): string | undefined {
    return [...this.dmChannels].find(([, channel]) => channel === channelId)?.[0];
  }

  private id(): string {
    return String(this.nextId++);
  }

  /** A message as Discord's API returns it (the message object). */
  private messageObject(message: PostedMessage, editedAt: number | null = null): Record<string, unknown> {
    return {
      id: message.id,
      channel_id: message.channelId,
      type: 0,
      content: message.body?.content ?? '',
      embeds: message.body?.embeds ?? [],
      attachments: (message.files ?? []).map((file, n) => ({ id: `${message.id}${n}`, filename: file.name, size: file.size, content_type: file.type, url: `https://cdn.discordapp.com/attachments/${message.channelId}/${message.id}/${file.name}`, proxy_url: '' })),
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: new Date(message.at).toISOString(),
      edited_timestamp: editedAt === null ? null : new Date(editedAt).toISOString(),
      flags: 0,
      components: message.body?.components ?? [],
      author: { id: BOT_ID, username: 'herald', discriminator: '0', bot: true, avatar: null, global_name: null },
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/^\/api\/v10/, '');
    const body = await readBody(req);
    const { json, files } = await parseBody(body, req.headers['content-type']);
    const authorized = !this.refuseToken && req.headers.authorization === `Bot ${this.token}`;

    if (path === '/gateway/bot') this.gatewayLookups++;
    if (!authorized && (path === '/gateway/bot' || path === '/users/@me')) return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });
    if (req.method === 'GET' && path === '/users/@me') {
      return sendJson(res, 200, { id: BOT_ID, username: 'herald', discriminator: '0', bot: true, avatar: null, global_name: null });
    }
    if (req.method === 'GET' && (path === '/gateway/bot' || path === '/gateway')) {
      return sendJson(res, 200, {
        url: `ws://127.0.0.1:${this.port}/gateway`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
    }
    // Create DM: https://discord.com/developers/docs/resources/user#create-dm (the same channel every time).
    if (req.method === 'POST' && path === '/users/@me/channels') {
      if (!authorized) return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });
      const recipient = String(json?.recipient_id ?? '');
      if (!/^\d{17,20}$/.test(recipient)) return sendJson(res, 400, { message: 'Invalid Form Body', code: 50035 });
      const channel = this.dmChannels.get(recipient) ?? this.id();
      this.dmChannels.set(recipient, channel);
      return sendJson(res, 200, { id: channel, type: 1, last_message_id: null, flags: 0, recipients: [{ id: recipient, username: `member-${recipient.slice(-4)}`, discriminator: '0', avatar: null, global_name: null }] });
    }
    let match = /^\/channels\/(\d+)$/.exec(path);
    if (match && (req.method === 'GET' || req.method === 'PATCH')) {
      if (!authorized) return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });
      const id = match[1]!;
      if (req.method === 'PATCH') return this.changeThread(res, id, json);
      this.channelLookups.set(id, (this.channelLookups.get(id) ?? 0) + 1);
      if (this.failingLookups.has(id)) return sendJson(res, 503, { message: 'Service Unavailable', code: 0 });
      const channel = this.channelObject(id);
      return channel ? sendJson(res, 200, channel) : sendJson(res, 404, { message: 'Unknown Channel', code: 10003 });
    }
    match = /^\/guilds\/(\d+)\/threads\/active$/.exec(path);
    if (req.method === 'GET' && match) {
      if (!authorized) return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });
      this.activeThreadLookups++;
      const threads = [...this.forumPosts.filter((post) => !post.archived).map((post) => post.id), ...this.threads.map((thread) => thread.messageId)];
      return sendJson(res, 200, { threads: threads.map((id) => this.channelObject(id)), members: [] });
    }
    match = /^\/channels\/(\d+)\/threads$/.exec(path);
    if (req.method === 'POST' && match && this.forums.has(match[1]!)) {
      if (!authorized) return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });
      return this.startForumPost(req, res, match[1]!, json, files);
    }
    match = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path);
    if (req.method === 'GET' && match) {
      if (!authorized) return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });
      const message = this.messages.find((m) => m.id === match![2] && m.channelId === match![1]);
      return message ? sendJson(res, 200, this.messageObject(message)) : sendJson(res, 404, { message: 'Unknown Message', code: 10008 });
    }
    match = /^\/channels\/(\d+)\/messages$/.exec(path);
    if (req.method === 'POST' && match && this.forums.has(match[1]!)) return sendJson(res, 400, { message: 'Cannot send a message in a forum channel', code: 40058 });
    if (req.method === 'POST' && match) {
      this.messageRequests++;
      if (!authorized) return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });
      const injected = this.injected.shift();
      if (injected) return sendJson(res, injected.status, injected.body ?? { message: 'injected failure', code: 0 }, injected.headers);
      const channelId = match[1]!;
      const member = this.dmMember(channelId);
      if (member) {
        this.dmRequests.set(member, (this.dmRequests.get(member) ?? 0) + 1);
        if (this.closedDms.has(member)) return sendJson(res, 403, { message: 'Cannot send messages to this user', code: 50007 });
      } else if (!this.channels.includes(channelId) && !this.isThread(channelId)) return sendJson(res, 404, { message: 'Unknown Channel', code: 10003 });
      const problems = limitViolations(json);
      if (problems.length > 0) {
        this.refusedMessages.push(problems);
        return sendJson(res, 400, { message: 'Invalid Form Body', code: 50035 });
      }
      const nonceKey = json?.enforce_nonce && json?.nonce ? `${channelId}:${json.nonce}` : null;
      const previous = nonceKey ? this.nonces.get(nonceKey) : undefined;
      const message = previous ?? { id: this.id(), channelId, body: json, at: Date.now() };
      if (!previous) {
        this.messages.push(message);
        if (nonceKey) this.nonces.set(nonceKey, message);
      }
      // A repeated nonce answers with the message made the first time, as Discord does.
      return sendJson(res, 200, { ...this.messageObject(message), nonce: json?.nonce });
    }
    match = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(path);
    if (req.method === 'POST' && match) {
      if (!authorized) return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });
      if (!this.messages.some((m) => m.id === match![2] && m.channelId === match![1])) return sendJson(res, 404, { message: 'Unknown Message', code: 10008 });
      if (this.threads.some((t) => t.messageId === match![2])) return sendJson(res, 400, { message: 'A thread has already been created for this message', code: 160004 });
      const name = String(json?.name ?? '');
      if (name.length < 1 || name.length > 100) return sendJson(res, 400, { message: 'Invalid Form Body', code: 50035 });
      this.threads.push({ channelId: match[1]!, messageId: match[2]!, name });
      return sendJson(res, 201, { id: match[2], type: 11, guild_id: GUILD_ID, parent_id: match[1], name, owner_id: BOT_ID, message_count: 0, member_count: 1, thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false }, flags: 0 });
    }
    match = /^\/channels\/(\d+)\/messages\/(\d+)\/crosspost$/.exec(path);
    if (req.method === 'POST' && match) {
      if (!authorized) return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });
      const message = this.messages.find((m) => m.id === match![2] && m.channelId === match![1]);
      if (!message) return sendJson(res, 404, { message: 'Unknown Message', code: 10008 });
      this.crossposts.push({ channelId: match[1]!, messageId: match[2]! });
      return sendJson(res, 200, { id: message.id, channel_id: message.channelId, type: 0, content: message.body.content ?? '', embeds: message.body.embeds ?? [], author: { id: BOT_ID, username: 'herald', discriminator: '0', bot: true }, timestamp: new Date(message.at).toISOString(), edited_timestamp: null, attachments: [], mentions: [], mention_roles: [], pinned: false, tts: false, mention_everyone: false, flags: 2, components: [] });
    }
    match = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path);
    if (req.method === 'PATCH' && match) {
      if (!authorized) return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });
      const message = this.messages.find((m) => m.id === match![2] && m.channelId === match![1]);
      if (!message) return sendJson(res, 404, { message: 'Unknown Message', code: 10008 });
      if (this.forumPosts.some((post) => post.id === match![1] && post.archived)) {
        return sendJson(res, 400, { message: 'Thread is archived', code: 50083 });
      }
      const problems = limitViolations(json);
      if (problems.length > 0) {
        this.refusedMessages.push(problems);
        return sendJson(res, 400, { message: 'Invalid Form Body', code: 50035 });
      }
      this.edits.push({ channelId: match[1]!, messageId: match[2]!, body: json });
      if (json?.components !== undefined) message.body = { ...message.body, components: json.components };
      return sendJson(res, 200, { id: message.id, channel_id: message.channelId, type: 0, content: '', embeds: json?.embeds ?? [], author: { id: BOT_ID, username: 'herald', discriminator: '0', bot: true }, timestamp: new Date(message.at).toISOString(), edited_timestamp: new Date().toISOString(), attachments: [], mentions: [], mention_roles: [], pinned: false, tts: false, mention_everyone: false, flags: 0, components: [] });
    }
    if (req.method === 'PUT' && /^\/applications\/\d+\/(guilds\/\d+\/)?commands$/.test(path)) {
      this.commandRegistrations.push({ route: path, body: json });
      return sendJson(res, 200, (json as Array<Record<string, unknown>>).map((command) => ({ ...command, id: this.id(), application_id: APP_ID, version: '1' })));
    }
    match = /^\/interactions\/(\d+)\/[^/]+\/callback$/.exec(path);
    if (req.method === 'POST' && match) {
      const problems = limitViolations(json?.data);
      if (problems.length > 0) return this.refuse(res, match[1]!, problems);
      this.interactionCallbacks.push({ interactionId: match[1]!, body: json });
      // UPDATE_MESSAGE (7) edits the message the component is on; MODAL (9) opens a modal.
      const from = this.interactionMessages.get(match[1]!);
      if (json?.type === 7 && from) {
        this.edits.push({ channelId: from.channelId, messageId: from.id, body: json.data });
        from.body = { ...from.body, ...json.data };
      }
      if (json?.type === 9) this.modals.push({ interactionId: match[1]!, ...json.data });
      return sendJson(res, 204, null);
    }
    match = /^\/webhooks\/\d+\/interaction-token-(\d+)-/.exec(path);
    if (match) {
      const problems = limitViolations(json);
      if (problems.length > 0) return this.refuse(res, match[1]!, problems);
      this.followUps.push({ interactionId: match[1]!, method: req.method ?? '', body: json });
      return sendJson(res, 200, { id: this.id(), channel_id: this.channels[0], type: 0, content: json?.content ?? '', embeds: json?.embeds ?? [], author: { id: BOT_ID, username: 'herald', discriminator: '0', bot: true }, timestamp: new Date().toISOString(), attachments: [], mentions: [], mention_roles: [], pinned: false, tts: false, mention_everyone: false, flags: 0, components: [], edited_timestamp: null });
    }
    match = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/(\d+))?$/.exec(path);
    if (match) return this.webhook(req.method ?? '', url, match[1]!, match[2]!, match[3], json, res);
    return sendJson(res, 404, { message: `404: Not Found (${req.method} ${path})`, code: 0 });
  }

  /**
   * Execute Webhook (POST /webhooks/{id}/{token}, `?wait=true` answers the message, else 204) and
   * Edit Webhook Message (PATCH /webhooks/{id}/{token}/messages/{message id}), as documented at
   * discord.com/developers/docs/resources/webhook: 404 Unknown Webhook (10015) for an id Discord does
   * not know, 401 Invalid Webhook Token (50027) for a wrong token, 400 for a body over the limits or a
   * name with "discord" or "clyde" in it. No Authorization header is needed. A webhook of a forum or
   * media channel starts a post named by `thread_name` (1–100; without one: 400 with code 220001), a
   * webhook of another channel takes no `thread_name` (220003); a message in a thread is edited with
   * `?thread_id=` naming it (else 404 Unknown Message).
   */
  private webhook(method: string, url: URL, id: string, token: string, messageId: string | undefined, json: PostedMessage['body'] | undefined, res: ServerResponse): void {
    if (method === 'POST' && messageId === undefined) this.webhookExecutes++;
    const webhook = this.webhooks.get(id);
    if (!webhook) return sendJson(res, 404, { message: 'Unknown Webhook', code: 10015 });
    if (webhook.token !== token) return sendJson(res, 401, { message: 'Invalid Webhook Token', code: 50027 });
    const problems = limitViolations(json);
    if (json?.username !== undefined && (json.username.length < 1 || json.username.length > 80 || /discord|clyde/i.test(json.username))) problems.push(`username: ${json.username}`);
    if (problems.length > 0) {
      this.refusedMessages.push(problems);
      return sendJson(res, 400, { message: 'Invalid Form Body', code: 50035 });
    }
    const author = (message: PostedMessage) => ({ id, username: message.body.username ?? webhook.name, discriminator: '0000', bot: true, avatar: null });
    if (method === 'POST' && messageId === undefined) {
      const injected = this.injectedWebhook.shift();
      if (injected) return sendJson(res, injected.status, injected.body ?? { message: 'injected failure', code: 0 }, injected.headers);
      const forum = this.forums.get(webhook.channelId);
      const threadName = json?.thread_name;
      if (forum && threadName === undefined) return sendJson(res, 400, { message: 'Webhooks posted to forum channels must have a thread_name or thread_id', code: 220001 });
      if (!forum && threadName !== undefined) return sendJson(res, 400, { message: 'Webhooks can only create threads in forum channels', code: 220003 });
      if (threadName !== undefined && (threadName.length < 1 || threadName.length > 100)) return sendJson(res, 400, { message: 'Invalid Form Body (thread_name)', code: 50035 });
      const messageId = this.id();
      // A forum post's first message has the post's (thread's) id.
      if (forum) this.forumPosts.push({ id: messageId, forumId: webhook.channelId, name: threadName!, appliedTags: json?.applied_tags ?? [], archived: false });
      const message: PostedMessage = { id: messageId, channelId: forum ? messageId : webhook.channelId, webhookId: id, body: json ?? {}, at: Date.now() };
      this.messages.push(message);
      if (this.loseWebhookReplies > 0) {
        this.loseWebhookReplies--;
        res.socket?.destroy();
        return;
      }
      if (url.searchParams.get('wait') !== 'true') return sendJson(res, 204, null);
      return sendJson(res, 200, { ...this.messageObject(message), webhook_id: id, author: author(message) });
    }
    const channelId = url.searchParams.get('thread_id') ?? webhook.channelId;
    const message = this.messages.find((m) => m.id === messageId && m.webhookId === id && m.channelId === channelId);
    if (method === 'PATCH' && messageId !== undefined) {
      if (!message) return sendJson(res, 404, { message: 'Unknown Message', code: 10008 });
      this.edits.push({ channelId: message.channelId, messageId, body: json ?? {} });
      return sendJson(res, 200, { ...this.messageObject(message, Date.now()), content: json?.content ?? message.body.content ?? '', embeds: json?.embeds ?? message.body.embeds ?? [], webhook_id: id, author: author(message) });
    }
    return sendJson(res, 405, { message: '405: Method Not Allowed', code: 0 });
  }

  /** Whether `id` is a thread: a forum post or a thread started on a message. */
  private isThread(id: string): boolean {
    return this.forumPosts.some((post) => post.id === id) || this.threads.some((thread) => thread.messageId === id);
  }

  /** A channel object as GET /channels/{id} returns it: a text channel, a forum or media channel with its tags, or a thread (a forum post or a thread on a message). */
  private channelObject(id: string): Record<string, unknown> | null {
    const forum = this.forums.get(id);
    if (forum) return { id, type: forum.type, guild_id: GUILD_ID, name: forum.name, position: 0, flags: forum.requireTag ? REQUIRE_TAG : 0, parent_id: null, permission_overwrites: [], available_tags: forum.tags.map((tag) => ({ ...tag, moderated: false, emoji_id: null, emoji_name: null })) };
    if (this.channels.includes(id)) return { id, type: 0, guild_id: this.channelGuilds.get(id) ?? GUILD_ID, name: `news-${this.channels.indexOf(id)}`, position: 0, flags: 0, parent_id: null, permission_overwrites: [] };
    if (this.dmMember(id)) return { id, type: 1, flags: 0 };
    const post = this.forumPosts.find((p) => p.id === id);
    const thread = this.threads.find((t) => t.messageId === id);
    if (!post && !thread) return null;
    return {
      id,
      type: 11,
      guild_id: GUILD_ID,
      parent_id: post?.forumId ?? thread!.channelId,
      name: post?.name ?? thread!.name,
      owner_id: BOT_ID,
      message_count: 0,
      member_count: 1,
      flags: 0,
      ...(post ? { applied_tags: post.appliedTags } : {}),
      thread_metadata: { archived: post?.archived ?? false, auto_archive_duration: 4320, archive_timestamp: new Date().toISOString(), locked: false },
    };
  }

  /**
   * Start Thread in Forum or Media Channel, as Discord documents it: name 1–100, at most 5
   * `applied_tags` among the channel's tags (at least one when the channel requires a tag: 400 with
   * code 40067), a first message with at least one of content, embeds or files (in a media channel,
   * an embed or a file: a post with text alone is refused), within the message limits. Answers 201 with the thread and its first message nested
   * (which has the thread's id), or loses the answer (see loseForumPostAnswers).
   */
  private startForumPost(req: IncomingMessage, res: ServerResponse, forumId: string, json: FakeBody, files: NonNullable<PostedMessage['files']>): void {
    const forum = this.forums.get(forumId)!;
    const name = String(json?.name ?? '');
    const tags: string[] = json?.applied_tags ?? [];
    const message = json?.message;
    const invalid = (why: string) => sendJson(res, 400, { message: `Invalid Form Body (${why})`, code: 50035 });
    if (name.length < 1 || name.length > 100) return invalid('name');
    if (tags.length > 5 || tags.some((tag) => !forum.tags.some((known) => known.id === tag))) return invalid('applied_tags');
    if (forum.requireTag && tags.length === 0) return sendJson(res, 400, { message: 'A tag is required to create a forum post in this channel', code: 40067 });
    if (!message || (!message.content && !(message.embeds?.length > 0) && files.length === 0)) return invalid('message');
    if (forum.type === 16 && !(message.embeds?.length > 0) && files.length === 0) return invalid('message: a media channel post needs an attachment or an embed');
    const problems = limitViolations(message);
    if (problems.length > 0) {
      this.refusedMessages.push(problems);
      return invalid(problems.join('; '));
    }
    const id = this.id();
    this.forumPosts.push({ id, forumId, name, appliedTags: tags, archived: false });
    const posted: PostedMessage = { id, channelId: id, body: message, at: Date.now(), files };
    this.messages.push(posted);
    if (this.loseForumPostAnswers > 0) {
      this.loseForumPostAnswers--;
      req.socket.destroy();
      return;
    }
    sendJson(res, 201, { ...this.channelObject(id), message: this.messageObject(posted) });
  }

  /** Modify Channel on a thread: rename it, or take it out of the archive. */
  private changeThread(res: ServerResponse, id: string, json: { name?: string; archived?: boolean } | undefined): void {
    const post = this.forumPosts.find((p) => p.id === id);
    const thread = this.threads.find((t) => t.messageId === id);
    if (!post && !thread) return sendJson(res, 404, { message: 'Unknown Channel', code: 10003 });
    if (json?.name !== undefined && (json.name.length < 1 || json.name.length > 100)) return sendJson(res, 400, { message: 'Invalid Form Body', code: 50035 });
    this.threadChanges.push({ threadId: id, body: json ?? {} });
    if (post) {
      if (json?.name !== undefined) post.name = json.name;
      if (json?.archived !== undefined) post.archived = json.archived;
    } else if (json?.name !== undefined) thread!.name = json.name;
    sendJson(res, 200, this.channelObject(id));
  }

  private refuse(res: ServerResponse, interactionId: string, problems: string[]): void {
    this.refusedAnswers.push({ interactionId, problems });
    sendJson(res, 400, { message: 'Invalid Form Body', code: 50035, errors: Object.fromEntries(problems.map((problem) => [problem.split(':')[0], { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: problem }] }])) });
  }

  private send(ws: WebSocket, payload: Record<string, unknown>): void {
    ws.send(JSON.stringify(payload));
  }

  private dispatch(ws: WebSocket, event: string, data: unknown): void {
    this.send(ws, { op: 0, t: event, s: ++this.sequence, d: data });
  }

  private onGateway(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    this.send(ws, { op: 10, d: { heartbeat_interval: 45_000 } });
    ws.on('message', (raw) => {
      const payload = JSON.parse(raw.toString()) as { op: number; d: unknown };
      if (payload.op === 1) this.send(ws, { op: 11 });
      if (payload.op === 2) {
        this.identifies++;
        this.dispatch(ws, 'READY', {
          v: 10,
          user: { id: BOT_ID, username: 'herald', discriminator: '0', bot: true, avatar: null, global_name: null },
          guilds: [{ id: GUILD_ID, unavailable: true }],
          session_id: 'fake-session',
          resume_gateway_url: `ws://127.0.0.1:${this.port}/gateway`,
          shard: [0, 1],
          application: { id: APP_ID, flags: 0 },
        });
        this.dispatch(ws, 'GUILD_CREATE', {
          id: GUILD_ID,
          name: 'Fake Guild',
          icon: null,
          owner_id: '900000000000000009',
          unavailable: false,
          member_count: 2,
          large: false,
          joined_at: new Date().toISOString(),
          features: [],
          emojis: [],
          stickers: [],
          roles: [{ id: GUILD_ID, name: '@everyone', permissions: '0', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
          channels: this.channels.map((id, position) => ({ id, type: 0, name: `news-${position}`, position, guild_id: GUILD_ID, permission_overwrites: [] })),
          threads: [],
          members: [],
          presences: [],
          voice_states: [],
          stage_instances: [],
          guild_scheduled_events: [],
          soundboard_sounds: [],
        });
      }
    });
  }

  /** Sends an interaction through the gateway; resolves with its id once dispatched. */
  async dispatchInteraction(type: number, data: Record<string, unknown>, permissions = '0', extra: Record<string, unknown> = {}, before?: (interactionId: string) => void): Promise<string> {
    await waitFor('a gateway connection', () => this.sockets.size > 0 && this.identifies > 0);
    const interactionId = this.id();
    before?.(interactionId);
    for (const ws of this.sockets) {
      this.dispatch(ws, 'INTERACTION_CREATE', {
        id: interactionId,
        application_id: APP_ID,
        type,
        token: `interaction-token-${interactionId}-${'x'.repeat(40)}`,
        version: 1,
        guild_id: GUILD_ID,
        channel_id: this.channels[0],
        channel: { id: this.channels[0], type: 0, guild_id: GUILD_ID, name: 'news-0' },
        member: {
          user: { id: '900000000000000010', username: 'reader', discriminator: '0', avatar: null, global_name: 'Reader' },
          roles: [],
          permissions,
          joined_at: new Date().toISOString(),
          deaf: false,
          mute: false,
          flags: 0,
        },
        app_permissions: '2147483647',
        locale: 'en-US',
        guild_locale: 'en-US',
        entitlements: [],
        authorizing_integration_owners: {},
        context: 0,
        data,
        ...extra,
      });
    }
    return interactionId;
  }

  /**
   * Clicks a button of a posted message as member `userId`: an interaction of type
   * MESSAGE_COMPONENT (3) with the message, as Discord sends it. Resolves with its id.
   */
  async clickButton(message: PostedMessage, customId: string, userId: string): Promise<string> {
    return this.componentInteraction(3, message, { custom_id: customId, component_type: 2 }, userId);
  }

  /**
   * Submits a modal opened from a posted message's button as member `userId`: an interaction of type
   * MODAL_SUBMIT (5) whose text inputs (type 4, in action rows) hold `values`. Resolves with its id.
   */
  async submitModal(message: PostedMessage, modal: OpenedModal, values: Record<string, string>, userId: string): Promise<string> {
    const components = modal.components.map((row) => ({ type: 1, components: row.components.map((input) => ({ type: 4, custom_id: input.custom_id, value: values[input.custom_id] ?? input.value ?? '' })) }));
    return this.componentInteraction(5, message, { custom_id: modal.custom_id, components }, userId);
  }

  private async componentInteraction(type: 3 | 5, message: PostedMessage, data: Record<string, unknown>, userId: string): Promise<string> {
    const member = { user: { id: userId, username: `moderator-${userId.slice(-4)}`, discriminator: '0', avatar: null, global_name: null }, roles: [], permissions: '0', joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 };
    const current = this.messages.find((m) => m.id === message.id) ?? message;
    const id = await this.dispatchInteraction(type, data, '0', { member, channel_id: current.channelId, channel: { id: current.channelId, type: 0, guild_id: GUILD_ID, name: 'moderators' }, message: this.messageObject(current) }, (interactionId) => this.interactionMessages.set(interactionId, current));
    return id;
  }

  /** Herald's first answer (the interaction callback) to an interaction. */
  async callbackOf(interactionId: string): Promise<FakeDiscord['interactionCallbacks'][number]['body']> {
    const callback = await waitFor(`an answer to interaction ${interactionId}`, () => this.interactionCallbacks.find((c) => c.interactionId === interactionId));
    return callback.body;
  }

  /** The edit of a deferred reply. */
  async editOf(interactionId: string): Promise<FakeDiscord['followUps'][number]['body']> {
    const edit = await waitFor(`an edit of interaction ${interactionId}`, () => this.followUps.find((f) => f.interactionId === interactionId && f.method === 'PATCH'));
    return edit.body;
  }

  /**
   * Runs a slash command as a member with `permissions` and resolves with Herald's answer: the
   * callback, or the edited reply when Herald deferred.
   */
  async runCommand(name: string, options: unknown[] = [], permissions = '0', resolved?: Record<string, unknown>, as?: { userId: string; guildId?: string }): Promise<{ type: number; content?: string; embeds?: Array<{ title?: string; description?: string; fields?: Array<{ name: string; value: string }>; footer?: { text: string } }>; flags?: number; components?: unknown[] }> {
    const member = as && { user: { id: as.userId, username: `member-${as.userId.slice(-4)}`, discriminator: '0', avatar: null, global_name: null }, roles: [], permissions, joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 };
    const extra = member ? { member, guild_id: as.guildId ?? GUILD_ID, channel: { id: this.channels[0], type: 0, guild_id: as.guildId ?? GUILD_ID, name: 'news-0' } } : {};
    const id = await this.dispatchInteraction(2, { id: this.id(), name, type: 1, options, ...(resolved ? { resolved } : {}) }, permissions, extra);
    const callback = await this.callbackOf(id);
    if (callback.type === 5) return { type: 5, ...(await this.editOf(id)), flags: callback.data?.flags };
    return { type: callback.type, ...callback.data } as never;
  }
}

/** A request body: JSON, or multipart/form-data (payload_json and files[n], Discord's Uploading Files). */
async function parseBody(body: Buffer, contentType: string | undefined): Promise<{ json: FakeBody; files: NonNullable<PostedMessage['files']> }> {
  if (!contentType?.startsWith('multipart/form-data')) return { json: body.length ? JSON.parse(body.toString('utf8')) : undefined, files: [] };
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  const files: NonNullable<PostedMessage['files']> = [];
  for (const [key, value] of form.entries()) {
    if (key.startsWith('files[') && typeof value !== 'string') files.push({ name: value.name, type: value.type, size: value.size });
  }
  const payload = form.get('payload_json');
  return { json: typeof payload === 'string' ? JSON.parse(payload) : undefined, files };
}
