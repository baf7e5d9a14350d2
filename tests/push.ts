// What the WebSub tests share (tests/pipeline/push-*.test.ts with Herald in process, tests/e2e/websub.test.ts
// with a Herald process): a fake Discord, feeds that name the fake hub and themselves, the hub, and a
// callback address that Herald's ops server answers and the hub calls.
import type { Config } from '../src/config/config.js';
import type { Herald } from '../src/main.js';
import { FakeDiscord } from './fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from './fakes/feed-server.js';
import { close, createServer, listen } from './fakes/http.js';
import { FakeHub } from './fakes/websub.js';

/** A port nothing listens on right now, for HTTP_PORT and HERALD_PUBLIC_URL to agree on. */
async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return port;
}

/** HTTP_PORT and HERALD_PUBLIC_URL on a free port of 127.0.0.1: where the hub calls Herald back. */
export async function callbackEnv(): Promise<{ HTTP_PORT: string; HERALD_PUBLIC_URL: string }> {
  const port = await freePort();
  return { HTTP_PORT: String(port), HERALD_PUBLIC_URL: `http://127.0.0.1:${port}` };
}

/** A feed served by the world's feed server, naming the fake hub (atom:link rel="hub") and itself (rel="self"). */
export class PushedFeed {
  /** Its stories, oldest first. */
  readonly items: TestItem[] = [];

  constructor(
    private readonly world: PushWorld,
    readonly path: string,
    private readonly title: string,
  ) {}

  /** The feed's address (the WebSub topic). */
  get url(): string {
    return this.world.feeds.url(this.path);
  }

  /** The feed as published: its stories newest first. */
  xml(): string {
    return rss(this.title, [...this.items].reverse())
      .replace('<rss version="2.0">', '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">')
      .replace('<channel>', `<channel><atom:link rel="hub" href="${this.world.hub.url}"/><atom:link rel="self" href="${this.url}"/>`);
  }

  /** Serves the feed as it now is. */
  serve(): void {
    this.world.feeds.setFeed(this.path, this.xml());
  }

  /**
   * Adds story `n` ("<title> story <n>", its article page served) and returns the feed's XML with it;
   * `serve: false` leaves the feed server answering the feed as before (the story comes by push only).
   */
  addStory(n: number, { serve = true } = {}): string {
    const slug = this.title.toLowerCase();
    const title = `${this.title} story ${n}`;
    this.world.feeds.setPage(`/${slug}/${n}.html`, articlePage(title, [`${title} starts with the lead that a summary keeps.`]));
    this.items.push({ guid: `${slug}-${n}`, title, link: this.world.feeds.url(`/${slug}/${n}.html`), pubDate: new Date(Date.UTC(2026, 10, 30, 12, n)) });
    if (serve) this.serve();
    return this.xml();
  }
}

/** The fakes a WebSub test runs against, started and stopped together. */
export class PushWorld {
  readonly discord: FakeDiscord;
  readonly feeds = new FeedServer();
  readonly hub = new FakeHub();

  constructor(
    readonly token: string,
    readonly channel: string,
  ) {
    this.discord = new FakeDiscord(token, [channel]);
  }

  async start(): Promise<void> {
    await Promise.all([this.discord.start(), this.feeds.start(), this.hub.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.discord.stop(), this.feeds.stop(), this.hub.stop()]);
  }

  /** A feed at `path` titled `title`, served with no stories yet. */
  feed(path: string, title: string): PushedFeed {
    const feed = new PushedFeed(this, path, title);
    feed.serve();
    return feed;
  }

  /** Herald's config: these feeds, all routed to the channel, push on with an hourly safety poll. */
  config(feeds: Array<{ id: string; url: string; every: string }>): Record<string, unknown> {
    return { feeds, routes: [{ feeds: ['*'], discord: [this.channel] }], push: { safetyEvery: '1h' }, discord: { minEvery: '1s' } };
  }

  /** The environment of a Herald in process: this Discord, a SQLite database at `database`, private addresses allowed, a callback address. */
  async env(database: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
    return { DISCORD_TOKEN: this.token, DISCORD_API_URL: this.discord.apiUrl, DATABASE_URL: `sqlite:${database}`, HERALD_ALLOW_PRIVATE_NETWORK: '1', ...(await callbackEnv()), ...extra };
  }

  /** The hub's verifications of `mode` for `topic` that Herald answered (echoed), from the `from`th on. */
  verified(mode: string, topic: string, from = 0) {
    return this.hub.verifications.slice(from).filter((v) => v.mode === mode && v.topic === topic && v.echoed);
  }

  /** The titles of the embeds posted to the channel, in order. */
  titles(): Array<string | undefined> {
    return this.discord.messagesIn(this.channel).map((m) => m.body.embeds?.[0]?.title);
  }
}

/** Herald's own modules, imported once: only by the tests that run Herald in process (the e2e test spawns it). */
let modules: ReturnType<typeof importHerald> | null = null;
const importHerald = () =>
  Promise.all([import('pino'), import('../src/config/config.js'), import('../src/config/env.js'), import('../src/main.js'), import('../src/targets/index.js')]);

/** Loads Herald's modules (call it in beforeAll: importing them takes seconds on a busy machine). */
export function loadHerald(): ReturnType<typeof importHerald> {
  return (modules ??= importHerald());
}

/** A raw config (as in YAML, PushWorld.config) read as Herald reads it. */
export async function readConfig(raw: Record<string, unknown>): Promise<Config> {
  const [, { parseConfig }, , , { TARGET_KINDS }] = await loadHerald();
  return parseConfig(raw, 'push.yaml', TARGET_KINDS);
}

/** Herald in process with its ops server (where the hub calls back), started with `config` (raw, as in YAML) and `env`. */
export async function startHerald(config: Record<string, unknown>, env: Record<string, string>): Promise<Herald> {
  const [{ pino }, , { readEnv }, { createHerald }, { configuredKinds }] = await loadHerald();
  const herald = await createHerald({ config: await readConfig(config), env: readEnv(env), configured: configuredKinds(env), log: pino({ level: 'silent' }), dryRun: false, serveOps: true });
  await herald.start();
  return herald;
}
