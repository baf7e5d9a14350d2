import { Client, DiscordAPIError, Events, GatewayIntentBits, HTTPError, RateLimitError, Routes } from 'discord.js';
import type { Logger } from 'pino';
import type { KeyValues, Leases } from '../../store/store.js';
import { DeliveryError, type SendContext, type Target } from '../../deliveries/target.js';
import type { Article } from '../../articles/article.js';
import { COMMAND_DEFINITIONS, definitionsHash, handleInteraction, type CommandCounter } from './commands/index.js';
import type { CommandDeps } from './commands/types.js';
import type { DiscordEnv } from './env.js';
import { renderDiscordMessage } from './render.js';

/** Discord error codes that no retry will fix: unknown channel, missing access/permissions, invalid body, … */
const PERMANENT_CODES = new Set([10003, 10004, 50001, 50006, 50008, 50013, 50035, 50109]);

/** Rate-limit waits longer than this are handed back to the outbox instead of held in the client. */
const MAX_INLINE_RATE_LIMIT_WAIT_MS = 10_000;

/** A refused token concerns every post: posting pauses until a restart with a new one. */
const TOKEN_REFUSED =
  'Discord refused the bot token (401): reset it in the Discord Developer Portal (Bot, Reset Token), put it in DISCORD_TOKEN and restart Herald (Discord posts wait until then)';
const PAUSE_RECHECK_MS = 15_000;
/** How often a process standing by asks again for the gateway. */
const GATEWAY_RETRY_MS = 15_000;

export interface DiscordOptions extends DiscordEnv {
  /** Where the commands' hash and the gateway lock are kept. */
  store: KeyValues & Leases;
  log: Logger;
  commands: CommandDeps;
  /** herald_commands_total: each answered interaction, by command and outcome. */
  commandCounter: CommandCounter;
}

export interface DiscordConnection {
  target: Target;
  /**
   * Takes part in the gateway election: one process per database holds the Discord gateway (slash
   * commands, through Store.tryGatewayLock), every process posts over REST. The winner connects and
   * registers the commands in the background; the others ask again every 15 s.
   */
  start(): Promise<void>;
  /** For /readyz: false only while this process holds the gateway and it is not connected. */
  ready(): boolean;
  close(): Promise<void>;
}

function classifyDiscordError(error: unknown, now: number): DeliveryError {
  if (error instanceof RateLimitError) {
    return new DeliveryError(`rate limited (${error.route})`, 'retry', now + Math.max(error.retryAfter, error.timeToReset, 1000));
  }
  if (error instanceof DiscordAPIError) {
    const permanent = (error.status >= 400 && error.status < 500 && error.status !== 429) || PERMANENT_CODES.has(Number(error.code));
    return new DeliveryError(`Discord ${error.status} ${error.code}: ${error.message}`, permanent ? 'permanent' : 'retry');
  }
  if (error instanceof HTTPError) return new DeliveryError(`Discord HTTP ${error.status}`, error.status >= 500 ? 'retry' : 'permanent');
  // Timeouts and resets: Discord may have posted; the nonce makes the retry harmless.
  return new DeliveryError(`Discord request failed: ${(error as Error)?.message ?? String(error)}`, 'retry');
}

export function createDiscord(options: DiscordOptions): DiscordConnection {
  const { log } = options;
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: {
      api: options.apiUrl,
      timeout: 15_000,
      rejectOnRateLimit: (data) => data.retryAfter > MAX_INLINE_RATE_LIMIT_WAIT_MS,
    },
  });
  // REST works without the gateway: posting must not wait for (or depend on) the websocket.
  client.rest.setToken(options.token);
  let ready = false;

  client.on(Events.ClientReady, () => {
    ready = true;
  });
  client.on(Events.ShardDisconnect, () => {
    ready = false;
  });
  client.on(Events.ShardResume, () => {
    ready = true;
  });
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
  client.on(Events.InteractionCreate, (interaction) => {
    void handleInteraction(interaction, options.commands, log, options.commandCounter);
  });

  async function registerCommands(applicationId: string): Promise<void> {
    const scope = options.guildId ? `guild:${options.guildId}` : 'global';
    const hash = definitionsHash(`${applicationId}:${scope}`);
    if ((await options.store.getMeta('discord.commands')) === hash) {
      log.info({ scope }, 'slash commands unchanged; registration skipped');
      return;
    }
    const route = options.guildId ? Routes.applicationGuildCommands(applicationId, options.guildId) : Routes.applicationCommands(applicationId);
    await client.rest.put(route, { body: COMMAND_DEFINITIONS });
    await options.store.setMeta('discord.commands', hash);
    log.info({ scope, commands: COMMAND_DEFINITIONS.map((c) => c.name) }, 'slash commands registered');
  }

  let tokenRefused = false;

  /** The outbox's view of a failed request; a refused token pauses posting (said once) instead of failing each post. */
  function failure(error: unknown): DeliveryError {
    if ((error instanceof DiscordAPIError || error instanceof HTTPError) && error.status === 401) {
      if (!tokenRefused) log.error({ target: 'discord' }, TOKEN_REFUSED);
      tokenRefused = true;
      return new DeliveryError(TOKEN_REFUSED, 'retry', Date.now() + PAUSE_RECHECK_MS);
    }
    return classifyDiscordError(error, Date.now());
  }

  const target: Target = {
    kind: 'discord',
    async ready() {
      return tokenRefused ? { kind: 'wait', until: Date.now() + PAUSE_RECHECK_MS, reason: TOKEN_REFUSED } : { kind: 'send' };
    },
    async send(article: Article, context: SendContext) {
      const { style } = context.options;
      const body = renderDiscordMessage(article, { channelId: context.address, feedName: style.name, color: style.color });
      try {
        const message = (await client.rest.post(Routes.channelMessages(context.address), { body })) as { id?: string };
        return { remoteId: message?.id ?? null };
      } catch (error) {
        throw failure(error);
      }
    },
    async edit(article: Article, context: SendContext & { remoteId: string }) {
      const { style } = context.options;
      const { embeds, allowed_mentions } = renderDiscordMessage(article, { channelId: context.address, feedName: style.name, color: style.color });
      try {
        await client.rest.patch(Routes.channelMessage(context.address, context.remoteId), { body: { embeds, allowed_mentions } });
      } catch (error) {
        throw failure(error);
      }
    },
  };

  /** Connects to the gateway and registers slash commands; resolves when ready. */
  async function connect(): Promise<void> {
    const readyOnce = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(options.token);
    await readyOnce;
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
    connect().catch((error: unknown) => log.error({ err: error }, 'discord gateway connection failed; posting continues over REST'));
  }

  return {
    target,
    start: elect,
    ready: () => !holdsGateway || ready,
    async close() {
      closed = true;
      if (gatewayRetry) clearInterval(gatewayRetry);
      ready = false;
      await client.destroy();
    },
  };
}
