import { gzipSync } from 'node:zlib';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss } from '../fakes/feed-server.js';
import { close, createServer, listen } from '../fakes/http.js';
import { heraldEnv, HeraldProcess, tempDir, writeConfig, type LogLine } from './herald-process.js';

const TOKEN = 'hostile-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CHANNEL = '666666666666666666';
const NOW = Date.now();

/** Responses no ordinary file server gives: endless drips, huge streams, redirect loops. */
function startHostileServer() {
  const server = createServer((req, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/drip') {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const timer = setInterval(() => res.write('<'), 100);
      res.on('close', () => clearInterval(timer));
    } else if (path === '/huge') {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const chunk = Buffer.alloc(1 << 20, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 100 && res.write(chunk)) sent++;
        if (sent >= 100) res.end();
        else res.once('drain', pump);
      };
      res.on('close', () => (sent = 100));
      pump();
    } else if (path.startsWith('/loop')) {
      res.writeHead(302, { location: path === '/loop-a' ? '/loop-b' : '/loop-a' }).end();
    } else {
      res.writeHead(404).end();
    }
  });
  return { server, start: () => listen(server) };
}

describe('hostile input', () => {
  const discord = new FakeDiscord(TOKEN, [CHANNEL]);
  const feeds = new FeedServer();
  const hostile = startHostileServer();
  let hostilePort = 0;
  let herald: HeraldProcess;
  let exit: { code: number | null };
  let failures: Map<string, string>;

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start()]);
    hostilePort = await hostile.start();
    const page = (n: string) => articlePage(`Page ${n}`, [`The lead of page ${n} says what happened.`, `More text of page ${n}.`]);
    const item = (guid: string, title: string, link: string, extra: Partial<{ pubDate: Date }> = {}) => ({ guid, title, link, ...extra });

    feeds.setPage('/p/good.html', page('good'));
    feeds.setFeed('/good.xml', rss('Good', [item('good-1', 'A good story', feeds.url('/p/good.html'))]));
    feeds.set('/malformed.xml', { body: '<rss><channel><title>Broken<item><title>x</title></channel>', contentType: 'application/rss+xml' });
    feeds.set('/html.xml', { body: '<!doctype html><html><body><h1>Not a feed</h1></body></html>', contentType: 'text/html' });
    const bomb = gzipSync(Buffer.alloc(200 * (1 << 20), 0x20), { level: 9 });
    feeds.set('/bomb.xml', { body: bomb, contentType: 'application/rss+xml', headers: { 'content-encoding': 'gzip' } });
    const lol = '&lol9;';
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]><rss version="2.0"><channel><title>Laughs ${lol}</title><item><title>Entity ${lol}</title><link>${feeds.url('/p/good.html')}?laughs</link><guid>lol-1</guid></item></channel></rss>`;
    feeds.set('/laughs.xml', { body: laughs, contentType: 'application/rss+xml' });
    feeds.setFeed('/dates.xml', rss('Dates', [
      item('future', 'From the future', feeds.url('/p/future.html'), { pubDate: new Date(NOW + 10 * 365 * 86_400_000) }),
    ]).replace('<guid isPermaLink="false">future</guid>', '<guid isPermaLink="false">future</guid><pubDate>not a date at all</pubDate>'));
    feeds.setPage('/p/future.html', page('future'));
    feeds.setFeed('/big.xml', rss('Big', Array.from({ length: 10_000 }, (_, n) => item(`big-${n}`, `Big item ${n}`, feeds.url(`/p/big-${n}.html`)))));
    feeds.setFeed('/nasty.xml', rss('Nasty', [
      item('huge-title', `Huge ${'title '.repeat(5000)}`, feeds.url('/p/good.html?huge')),
      item('invisible', 'Zero\u200Bwidth \u202Eevil\u202C title\u2066', feeds.url('/p/good.html?invisible')),
      item('js', 'Script link', 'javascript:alert(1)'),
      item('data', 'Data link', 'data:text/html,<script>alert(1)</script>'),
      item('mentions', 'Ping @everyone and @here and <@&123456789012345678>', feeds.url('/p/good.html?mentions')),
      item('markdown', '**Bold** [click me](https://evil.example) `code` ||spoiler||', feeds.url('/p/good.html?markdown')),
    ]));
    // The same story in two feeds of one route: posted once.
    feeds.setFeed('/copy.xml', rss('Copy', [item('copy-1', 'A good story', feeds.url('/p/good.html'))]));

    const hostileUrl = (path: string) => `http://127.0.0.1:${hostilePort}${path}`;
    const dir = tempDir('hostile');
    const config = writeConfig(dir, {
      defaults: { every: '5m', backfill: 10 },
      http: { timeout: '3s' },
      feeds: [
        { id: 'good', url: feeds.url('/good.xml') },
        { id: 'malformed', url: feeds.url('/malformed.xml') },
        { id: 'html', url: feeds.url('/html.xml') },
        { id: 'huge-body', url: hostileUrl('/huge') },
        { id: 'slow-drip', url: hostileUrl('/drip') },
        { id: 'redirect-loop', url: hostileUrl('/loop-a') },
        { id: 'gzip-bomb', url: feeds.url('/bomb.xml') },
        { id: 'entities', url: feeds.url('/laughs.xml') },
        { id: 'dates', url: feeds.url('/dates.xml') },
        { id: 'ten-thousand', url: feeds.url('/big.xml'), backfill: 0 },
        { id: 'nasty', url: feeds.url('/nasty.xml') },
        { id: 'copy', url: feeds.url('/copy.xml') },
      ],
      routes: [{ feeds: ['*'], discord: [CHANNEL], x: false }],
    });
    herald = new HeraldProcess(['run', '--once'], heraldEnv({ dir, config, discord }));
    exit = await herald.exited;
    failures = new Map(herald.logged('feed poll failed').map((line: LogLine) => [line.feed as string, String(line.reason)]));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([discord.stop(), feeds.stop(), close(hostile.server)]);
  });

  it('finishes the cycle, exits 1 because some feeds failed, with bounded memory', () => {
    expect(exit.code).toBe(1);
    const done = herald.logged('one cycle done')[0]!;
    expect(done).toBeDefined();
    expect(done.maxRssMb as number).toBeLessThan(600);
    console.log(`hostile-input cycle: peak RSS ${String(done.maxRssMb)} MB`);
  });

  it.each([
    ['malformed', /not a valid RSS, Atom, RDF or JSON feed/],
    ['html', /not a feed: the document is an HTML page/],
    ['huge-body', /too-large/],
    ['slow-drip', /timeout/],
    ['redirect-loop', /redirects/],
    ['gzip-bomb', /too-large/],
  ])('%s: one clear log line with the reason', (feed, reason) => {
    expect(failures.get(feed)).toMatch(reason);
    expect(herald.logged('feed poll failed', { feed })).toHaveLength(1);
  });

  it('keeps working on every other feed: the good story is posted once, though two feeds carry it', () => {
    const titles = discord.messages.map((m) => m.body.embeds![0]!.title);
    expect(titles.filter((title) => title === 'A good story')).toHaveLength(1);
    for (const feed of ['good', 'entities', 'dates', 'ten-thousand', 'nasty', 'copy']) expect(failures.has(feed)).toBe(false);
  });

  it('does not expand XML entities', () => {
    const laughs = discord.messages.find((m) => m.body.embeds![0]!.title!.startsWith('Entity'));
    expect(laughs?.body.embeds![0]!.title!.length ?? 0).toBeLessThan(100);
  });

  it('drops invalid and far-future dates instead of trusting them', () => {
    const future = discord.messages.find((m) => m.body.embeds![0]!.title === 'From the future');
    expect(future).toBeDefined();
    expect((future!.body.embeds![0] as { timestamp?: string }).timestamp).toBeUndefined();
  });

  it('remembers a 10,000-item feed on first sight without posting it', () => {
    expect(discord.messages.some((m) => m.body.embeds![0]!.title!.startsWith('Big item'))).toBe(false);
  });

  it('never posts javascript: or data: links, strips invisible characters, escapes markdown, never pings', () => {
    const embeds = discord.messages.map((m) => m.body.embeds![0]!);
    expect(embeds.some((e) => /Script link|Data link/.test(e.title!))).toBe(false);
    expect(embeds.every((e) => /^https?:/.test(e.url!))).toBe(true);
    expect(herald.logged('item has no usable link; skipped').length).toBe(2);
    expect(embeds.find((e) => e.title!.startsWith('Zero'))!.title).toBe('Zerowidth evil title');
    expect(embeds.find((e) => e.title!.startsWith('Huge'))!.title!.length).toBeLessThanOrEqual(256);
    expect(embeds.find((e) => e.title!.includes('Bold'))!.title).toBe('\\*\\*Bold\\*\\* \\[click me](https://evil.example) \\`code\\` \\|\\|spoiler\\|\\|');
    for (const message of discord.messages) expect(message.body.allowed_mentions).toEqual({ parse: [] });
  });
});
