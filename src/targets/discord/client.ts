import { Client, DiscordAPIError, DiscordjsErrorCodes, Events, GatewayIntentBits, HTTPError, REST, Routes, type ResponseLike } from 'discord.js';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import type { KeyValues, Leases } from '../../store/store.js';
import type { MemberAlerts } from '../../store/member-alerts.js';
import { DeliveryError, type SendContext, type Target } from '../../deliveries/target.js';
import type { Article } from '../../articles/article.js';
import { COMMAND_DEFINITIONS, definitionsHash, handleInteraction, type CommandCounter } from './commands/index.js';
import type { CommandDeps } from './commands/types.js';
import type { DiscordEnv } from './env.js';
import { digestName, renderDigestMessages, renderDiscordMessage, renderOptionsOf } from './render.js';
import { DISCORD_LIMITS } from './fit.js';
import { approvalPreview, decidedPreview } from './approval.js';
import { cutText } from '../../text/cut.js';
import { classifyDiscordError, unreachableCode } from './errors.js';
import type { HttpClient } from '../../sources/http.js';
import { z } from 'zod';
import { FORUM_TYPES, locationOf } from './forum.js';
import { createChannels, forumMessage, threadName, type Channel } from './threads.js';

const userSchema = z.object({ id: z.string() });
import { alertMember } from './alerts.js';
import { createDms } from './dm.js';
import type { AlertSettings } from './settings.js';


/** Rate-limit waits longer than this are handed back to the outbox instead of held in the client. */
const MAX_INLINE_RATE_LIMIT_WAIT_MS = 10_000;

/** Said once when Discord refuses the token (REST or gateway); posts wait, and Herald keeps asking (a new token needs a restart). */
const TOKEN_REFUSED =
  'Discord refused the bot token (401): reset it in the Discord Developer Portal (Bot, Reset Token), put it in DISCORD_TOKEN and restart Herald (Discord posts wait until then)';
/** How often a paused target asks Discord again (GET /users/@me) whether it may post. */
const PAUSE_RECHECK_MS = 15_000;
/** How often a process standing by asks again for the gateway. */
const GATEWAY_RETRY_MS = 15_000;
/** Gateway login back-off: 1 s doubling to 2 min, randomized (p-retry). */
const LOGIN_BACKOFF = { minTimeout: 1_000, maxTimeout: 120_000, factor: 2, randomize: true } as const;
function isRefusal(error: unknown): boolean {
  return ((error instanceof DiscordAPIError || error instanceof HTTPError) && error.status === 401) || (error as { code?: unknown })?.code === DiscordjsErrorCodes.TokenInvalid;
}

/**
 * discord.js's REST client forgets its token when Discord answers 401 (@discordjs/rest clears it on
 * any 401 to an authorised route), and every later request then fails with "Expected token to be
 * set". Herald's clients keep theirs: a refused token stays a 401 that pauses posting with the one
 * clear reason, whichever request met it first (a channel lookup, an alert's guild, the check).
 */
class KeptTokenREST extends REST {
  private kept: string | null = null;

  override setToken(token: string | null): this {
    if (token) this.kept = token;
    return super.setToken((token || this.kept) ?? '');
  }
}

export interface DiscordOptions extends DiscordEnv {
  /** Where the commands' hash and the gateway lock are kept. */
  store: KeyValues & Leases;
  /** The SSRF-guarded client for a feed's content: lead images attached to media channel posts. */
  httpFor(feedId: string): HttpClient;
  log: Logger;
  commands: CommandDeps;
  /** herald_commands_total: each answered interaction, by command and outcome. */
  commandCounter: CommandCounter;
  /** Members' alerts: paused here when Discord refuses a member's DM; `settings` as currently loaded. */
  alerts: { store: MemberAlerts; settings(): AlertSettings };
}

export interface DiscordConnection {
  target: Target;
  /**
   * Takes part in the gateway election: one process per database holds the Discord gateway (slash
   * commands, through Store.tryGatewayLock), every process posts over REST. The winner logs in and
   * registers the commands in the background, retrying the login with back-off (1 s doubling to
   * 2 min) while Discord refuses the token or cannot be reached; the others ask again every 15 s.
   */
  start(): Promise<void>;
  /**
   * For /readyz: false while Discord refuses the token or cannot be reached, and while this process
   * holds the gateway and it is not connected.
   */
  ready(): boolean;
  /** For herald_discord_gateway_up: true while this process holds a connected gateway. */
  gatewayUp(): boolean;
  close(): Promise<void>;
  /**
   * The guild a channel belongs to (GET /channels/{id}, remembered: a channel never moves), or null
   * when Discord answers without one (a DM, an unknown channel); throws while Discord cannot be
   * asked (dm.ts guildOf).
   */
  guildOf(channelId: string): Promise<string | null>;
}

/**
 * Discord over REST (posts and edits) and the gateway (slash commands). Posting uses its own REST
 * client, so a failed gateway login (which makes discord.js clear its client's token) never stops
 * posts. While Discord refuses the token (401) or cannot be reached, posting pauses: deliveries wait
 * without counting attempts, one line says why (naming DISCORD_TOKEN for a refusal), and every 15 s
 * one cheap request (GET /users/@me) asks whether posting may resume. The first send is preceded by
 * the same check, so a bad token at start-up costs no attempt.
 */
export function createDiscord(options: DiscordOptions): DiscordConnection {
  const { log } = options;
  const restOptions = { api: options.apiUrl, timeout: 15_000, rejectOnRateLimit: (data: { retryAfter: number }) => data.retryAfter > MAX_INLINE_RATE_LIMIT_WAIT_MS };
  const rest = new KeptTokenREST(restOptions).setToken(options.token);
  // Creating a forum post has no nonce: a request is never repeated inside the client (discord.js
  // retries timeouts, resets and 5xx three times); the outbox's next attempt looks for the post first.
  // It may upload a file: through Node's fetch, since discord.js's own undici (6) hands its FormData to
  // the process's global dispatcher, which Herald's undici (7, sources/http.ts) provides, and fails.
  const restOnce = new KeptTokenREST({ ...restOptions, retries: 0, makeRequest: (url, init) => fetch(url, init as RequestInit) as Promise<ResponseLike> }).setToken(options.token);

  /** Why posting is paused (a refused token, an unreachable Discord), or null; null with `verified` false until the first check. */
  let pause: { reason: string; refused: boolean } | null = null;
  let verified = false;
  let nextCheckAt = 0;
  let checking: Promise<void> | null = null;
  /** The bot's user id (from GET /users/@me): the owner of the forum posts Herald made. */
  let botId: string | null = null;

  function pauseFor(error: unknown): boolean {
    const refused = isRefusal(error);
    const code = refused ? null : unreachableCode(error);
    if (!refused && !code) return false;
    const reason = refused ? TOKEN_REFUSED : `Discord cannot be reached at ${options.apiUrl} (${code}); Discord posts wait and Herald keeps retrying`;
    if (pause?.reason !== reason) {
      if (refused) log.error({ target: 'discord', variable: 'DISCORD_TOKEN' }, reason);
      else log.warn({ target: 'discord', code }, reason);
    }
    pause = { reason, refused };
    nextCheckAt = Date.now() + PAUSE_RECHECK_MS;
    return true;
  }

  function resume(how: string): void {
    if (pause) log.info({ target: 'discord', how }, 'Discord answers and accepts the bot token again; posting resumes');
    pause = null;
    verified = true;
  }

  /** Asks Discord (GET /users/@me) whether the token works; any answer but 401 means posting may go on. */
  async function check(): Promise<void> {
    try {
      const me = userSchema.safeParse(await rest.get(Routes.user()));
      if (me.success) botId = me.data.id;
      resume('check');
    } catch (error) {
      if (!pauseFor(error)) resume('check');
    }
  }

  /**
   * The outbox's view of a failed request (`resend` as in classifyDiscordError); a refused token or
   * unreachable Discord pauses posting instead of failing each post.
   */
  function failure(error: unknown, resend: 'harmless' | 'duplicates' = 'harmless'): DeliveryError {
    if (pauseFor(error)) return new DeliveryError(pause!.reason, 'held', nextCheckAt);
    return classifyDiscordError(error, Date.now(), resend);
  }

  const { channelOf, isForum, postInForum, postDigestInForum, followThread, warnOnce } = createChannels({ rest, restOnce, httpFor: options.httpFor, log, failure, botId: () => botId });
  const dms = createDms({ rest, log, failure, alerts: options.alerts, paused: () => pause !== null });

  const target: Target = {
    kind: 'discord',
    async ready() {
      if ((!verified || pause) && Date.now() >= nextCheckAt) {
        checking ??= check().finally(() => (checking = null));
        await checking;
      }
      return pause ? { kind: 'wait', until: nextCheckAt, reason: pause.reason } : { kind: 'send' };
    },
    async send(article: Article, context: SendContext) {
      const member = alertMember(context.address);
      if (member !== null) return dms.send(article, context, member);
      const render = renderOptionsOf(context);
      let channel: Channel;
      try {
        channel = await channelOf(context.address);
      } catch (error) {
        throw failure(error);
      }
      if (isForum(channel)) return { remoteId: await postInForum(article, context, render, channel) };
      if (render.destination?.tags) {
        warnOnce(`tags:${channel.id}`, { channel: channel.id, type: channel.type }, `the route gives forum tags for channel ${channel.id}, which is not a forum or media channel: the tags are not used there`);
      }
      const body = renderDiscordMessage(article, render);
      let message: { id?: string };
      try {
        message = (await rest.post(Routes.channelMessages(context.address), { body })) as { id?: string };
      } catch (error) {
        throw failure(error);
      }
      // Publishing and the discussion thread are second steps: the message stands whatever happens to them.
      // A retried send that finds the message (nonce) asks again; Discord allows one thread per message.
      const second = (what: string) => (error: unknown) => log.warn({ target: 'discord', channel: context.address, message: message.id, reason: (error as Error).message }, `message posted, but ${what}`);
      if (render.destination?.crosspost && message?.id) {
        await rest.post(Routes.channelMessageCrosspost(context.address, message.id)).catch(second('not published to following servers'));
      }
      if (render.destination?.thread && message?.id) {
        await rest.post(Routes.threads(context.address, message.id), { body: { name: threadName(article.title) } }).catch(second('no thread started on it'));
      }
      return { remoteId: message?.id ?? null };
    },
    /**
     * Posts message `part` of a digest: in a text channel as a message with its nonce; in a forum
     * or media channel (where Discord refuses messages, 40058) the first message starts a post and
     * the others follow in it (threads.ts postDigestInForum).
     */
    async sendDigest(digest, part, context) {
      const render = renderOptionsOf(context);
      const messages = renderDigestMessages(digest, render);
      const body = messages[part];
      if (!body) throw new DeliveryError(`digest ${digest.id} has no message ${part + 1}`, 'permanent');
      let channel: Channel;
      try {
        channel = await channelOf(context.address);
      } catch (error) {
        throw failure(error);
      }
      if (isForum(channel)) {
        const remoteId = await postDigestInForum(digest, { index: part, name: digestName(digest), message: body, first: context.firstRemoteId }, context, render, channel);
        return { remoteId, parts: messages.length };
      }
      try {
        const message = (await rest.post(Routes.channelMessages(context.address), { body })) as { id?: string };
        return { remoteId: message?.id ?? null, parts: messages.length };
      } catch (error) {
        throw failure(error);
      }
    },
    async notify(address: string, text: string) {
      await rest.post(Routes.channelMessages(address), { body: { content: cutText(text, DISCORD_LIMITS.content), allowed_mentions: { parse: [] } } });
    },
    async askApproval(address, article, approval, destinations) {
      const message = (await rest.post(Routes.channelMessages(address), { body: approvalPreview(article, approval, destinations) })) as { id: string };
      return message.id;
    },
    async settleApproval(address, messageId, article, approval, destinations) {
      await rest.patch(Routes.channelMessage(address, messageId), { body: decidedPreview(article, approval, destinations) });
    },
    /**
     * Edits the message Herald posted for `article`: in the destination's channel (a published
     * message's edit reaches the following servers' copies too; a discussion thread on it is renamed
     * to the new title), or in the forum post it started (renamed, and taken out of the archive
     * first, since Discord refuses edits in an archived thread).
     */
    async edit(article: Article, context: SendContext & { remoteId: string }) {
      const member = alertMember(context.address);
      if (member !== null) return dms.edit(article, context, member);
      const render = renderOptionsOf(context);
      const where = locationOf(context.address, context.remoteId);
      const inThread = where.channelId !== context.address;
      const name = threadName(article.title);
      const renameFailed = (error: unknown) => log.warn({ target: 'discord', channel: context.address, thread: where.channelId, reason: (error as Error).message }, 'message edited, but its thread not renamed');
      try {
        const channel = await channelOf(context.address);
        const rendered = renderDiscordMessage(article, render);
        const { content, embeds, allowed_mentions } = isForum(channel) ? forumMessage(rendered, channel.type === FORUM_TYPES.media) : rendered;
        if (inThread) await followThread(where.channelId, name, true).catch(renameFailed);
        await rest.patch(Routes.channelMessage(where.channelId, where.messageId), { body: { ...(content !== undefined ? { content } : {}), embeds, allowed_mentions } });
        if (!inThread && render.destination?.thread) await followThread(where.messageId, name, false).catch(renameFailed);
      } catch (error) {
        throw failure(error);
      }
    },
  };

  let client: Client | null = null;
  let gatewayReady = false;

  /** A gateway client with Herald's handlers; a new one per login attempt (a failed login leaves its client unusable). */
  function gatewayClient(): Client {
    const created = new Client({ intents: [GatewayIntentBits.Guilds], rest: restOptions });
    created.on(Events.ClientReady, () => (gatewayReady = true));
    created.on(Events.ShardDisconnect, () => (gatewayReady = false));
    created.on(Events.ShardResume, () => (gatewayReady = true));
    created.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
    created.on(Events.InteractionCreate, (interaction) => {
      void handleInteraction(interaction, options.commands, log, options.commandCounter);
    });
    return created;
  }

  async function registerCommands(applicationId: string): Promise<void> {
    const scope = options.guildId ? `guild:${options.guildId}` : 'global';
    const hash = definitionsHash(`${applicationId}:${scope}`);
    if ((await options.store.getMeta('discord.commands')) === hash) {
      log.info({ scope }, 'slash commands unchanged; registration skipped');
      return;
    }
    const route = options.guildId ? Routes.applicationGuildCommands(applicationId, options.guildId) : Routes.applicationCommands(applicationId);
    await rest.put(route, { body: COMMAND_DEFINITIONS });
    await options.store.setMeta('discord.commands', hash);
    log.info({ scope, commands: COMMAND_DEFINITIONS.map((c) => c.name) }, 'slash commands registered');
  }

  /** One login: resolves when the gateway is ready, rejects (with the client destroyed) when it fails. */
  async function login(): Promise<Client> {
    const attempt = gatewayClient();
    const readyOnce = new Promise<void>((resolve) => attempt.once(Events.ClientReady, () => resolve()));
    try {
      await attempt.login(options.token);
      await readyOnce;
      return attempt;
    } catch (error) {
      await attempt.destroy().catch(() => undefined);
      // p-retry gives up at once on a TypeError, which is how some connection failures arrive.
      throw error instanceof TypeError ? new Error(error.message, { cause: error }) : error;
    }
  }

  const stopping = new AbortController();

  /** Logs in with back-off until it works or Herald stops; then registers the slash commands. */
  async function connect(): Promise<void> {
    client = await pRetry(login, {
      ...LOGIN_BACKOFF,
      retries: Number.POSITIVE_INFINITY,
      signal: stopping.signal,
      unref: true,
      onFailedAttempt: ({ error, attemptNumber }) => {
        if (!pauseFor(error)) log.warn({ err: error, attempt: attemptNumber }, 'discord gateway login failed; retrying');
      },
    });
    if (closed) {
      await client.destroy();
      return;
    }
    resume('gateway');
    log.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'discord gateway ready');
    if (client.application) {
      await registerCommands(client.application.id).catch((error: unknown) => log.error({ err: error }, 'slash command registration failed'));
    }
  }

  let holdsGateway = false;
  let closed = false;
  let gatewayRetry: NodeJS.Timeout | null = null;

  async function elect(): Promise<void> {
    if (holdsGateway || closed) return;
    holdsGateway = await options.store.tryGatewayLock().catch(() => false);
    if (!holdsGateway) {
      log.info('another Herald process holds the Discord gateway; this one posts over REST and stands by');
      gatewayRetry ??= setInterval(() => void elect(), GATEWAY_RETRY_MS);
      return;
    }
    if (gatewayRetry) clearInterval(gatewayRetry);
    connect().catch((error: unknown) => {
      if (!closed) log.error({ err: error }, 'discord gateway connection failed; posting continues over REST');
    });
  }

  return {
    target,
    start: elect,
    ready: () => pause === null && (!holdsGateway || gatewayReady),
    guildOf: dms.guildOf,
    gatewayUp: () => holdsGateway && gatewayReady,
    async close() {
      closed = true;
      stopping.abort();
      if (gatewayRetry) clearInterval(gatewayRetry);
      gatewayReady = false;
      await client?.destroy();
    },
  };
}
