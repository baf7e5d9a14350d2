import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config/config.js';
import { readEnv } from '../../src/config/env.js';
import { createHerald, type Herald } from '../../src/main.js';
import { configuredKinds, TARGET_KINDS } from '../../src/targets/index.js';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';

const TOKEN = 'page-feeds-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CHANNEL = '525252525252525252';

/** A site's home page linking `feeds` with `<link rel="alternate">`. */
const homePage = (feeds: Array<{ href: string; title: string }>) =>
  `<!doctype html><html><head><title>Site</title>${feeds.map((f) => `<link rel="alternate" type="application/rss+xml" title="${f.title}" href="${f.href}">`).join('')}</head><body><h1>Site</h1></body></html>`;

/**
 * A config feed whose url is a site's page, not its feed (Herald in process): the feed the page
 * links is found and read, under the feed's own id, so nothing is posted twice across restarts or
 * when the config is corrected to the feed's URL; a page linking several feeds fails that feed
 * alone, with a reason naming them and the fix.
 */
describe('config feeds given as a web page (discovery)', () => {
  const discord = new FakeDiscord(TOKEN, [CHANNEL]);
  const feeds = new FeedServer();
  const dir = mkdtempSync(join(tmpdir(), 'herald-page-feeds-'));
  const items: TestItem[] = [];
  const logs: Array<Record<string, unknown>> = [];
  let herald: Herald | null = null;
  let environment: Record<string, string> = {};

  const config = (siteUrl: string): Config =>
    parseConfig(
      {
        feeds: [
          { id: 'site', url: siteUrl, every: '1s', backfill: 1 },
          { id: 'several', url: feeds.url('/several.html'), every: '1s' },
          { id: 'broken', url: feeds.url('/broken.xml'), every: '1s' },
          { id: 'typed', url: feeds.url('/typed'), every: '1s' },
          { id: 'direct', url: feeds.url('/direct.xml'), every: '1s' },
        ],
        routes: [{ feeds: ['*'], discord: [CHANNEL] }],
      },
      'pages.yaml',
      TARGET_KINDS,
    );
  const start = async (cfg: Config): Promise<void> => {
    const identifies = discord.identifies;
    const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
    herald = await createHerald({ config: cfg, env: readEnv(environment), configured: configuredKinds(environment), log, dryRun: false, serveOps: false });
    await herald.start();
    await waitFor('the gateway session, the only one', () => discord.identifies > identifies && discord.gatewayConnections === 1);
  };
  const titles = () => discord.messagesIn(CHANNEL).map((m) => m.body.embeds?.[0]?.title);
  const publish = (n: number) => {
    feeds.setPage(`/news/${n}.html`, articlePage(`Site story ${n}`, [`Site story ${n} starts with the lead that a summary keeps.`]));
    items.push({ guid: `site-${n}`, title: `Site story ${n}`, link: feeds.url(`/news/${n}.html`), pubDate: new Date(Date.UTC(2026, 10, 30, 12, n)) });
    feeds.setFeed('/feed.xml', rss('Site', items));
  };

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start()]);
    feeds.setPage('/', homePage([{ href: '/feed.xml', title: 'Site posts' }]));
    feeds.setPage('/several.html', homePage([{ href: '/a.xml', title: 'Posts' }, { href: '/b.xml', title: 'Comments' }]));
    // A broken feed (its parse error stands), and a page known as one by its Content-Type alone.
    feeds.set('/broken.xml', { body: '<rss><channel><title>Broken<item><title>x</title></channel>', contentType: 'application/rss+xml' });
    feeds.set('/typed', { body: `<!-- cached -->${homePage([{ href: '/a.xml', title: 'Posts' }, { href: '/b.xml', title: 'Comments' }])}`, contentType: 'text/html; charset=utf-8' });
    feeds.setFeed('/direct.xml', rss('Direct', []));
    publish(1);
    publish(2);
    environment = { DISCORD_TOKEN: TOKEN, DISCORD_API_URL: discord.apiUrl, DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`, HERALD_ALLOW_PRIVATE_NETWORK: '1' };
  }, 30_000);

  afterAll(async () => {
    await herald?.stop();
    await Promise.all([discord.stop(), feeds.stop()]);
  });

  it('reads the feed the configured home page links, and says so with both URLs', async () => {
    await start(config(feeds.url('/')));
    await waitFor('the backfilled story', () => titles().includes('Site story 2'));
    expect(logs.find((line) => line.msg === 'the configured page links a feed; reading that feed')).toMatchObject({ feed: 'site', url: feeds.url('/'), feedUrl: feeds.url('/feed.xml') });
    publish(3);
    await waitFor('the new story', () => titles().includes('Site story 3'));
    // Found once: later polls read the feed itself, not the page.
    const pageReads = feeds.count('/');
    const feedReads = feeds.count('/feed.xml');
    await waitFor('two more polls of the feed', () => feeds.count('/feed.xml') >= feedReads + 2);
    expect(feeds.count('/')).toBe(pageReads);
  });

  it('fails only the feed whose page links several feeds, naming them and the fix', async () => {
    const failed = await waitFor('the failed poll', () => logs.find((line) => line.msg === 'feed poll failed' && line.feed === 'several'));
    expect(failed.reason).toBe(
      `not a feed: the document is an HTML page that links 2 feeds: ${feeds.url('/a.xml')} (Posts), ${feeds.url('/b.xml')} (Comments): put the feed's own URL in the config (feeds[].url)`,
    );
    expect(titles()).toEqual(['Site story 2', 'Site story 3']);
  });

  it('searches only a web page: a broken feed keeps its own parse error; an HTML Content-Type is a page', async () => {
    const broken = await waitFor('the broken feed’s failed poll', () => logs.find((line) => line.msg === 'feed poll failed' && line.feed === 'broken'));
    expect(broken.reason).toMatch(/^not a valid RSS, Atom, RDF or JSON feed \(/);
    // No discovery for it: nothing but the feeds in the config and the pages linked was asked for.
    for (const path of ['/feed', '/rss', '/atom.xml', '/rss.xml', '/index.xml']) expect(feeds.count(path)).toBe(0);
    const typed = await waitFor('the typed page’s failed poll', () => logs.find((line) => line.msg === 'feed poll failed' && line.feed === 'typed'));
    expect(typed.reason).toMatch(/^not a feed: the document is an HTML page that links 2 feeds: /);
  });

  const found = (feed: string) => logs.filter((line) => line.msg === 'the configured page links a feed; reading that feed' && line.feed === feed);

  it('posts nothing twice after a restart, nor when the config is corrected to the feed’s own URL', async () => {
    await waitFor('the direct feed read', () => feeds.count('/direct.xml') > 0);
    await herald!.stop();
    // While Herald is stopped, the feed given by its own URL answers with a page that links another feed.
    feeds.setPage('/direct.xml', homePage([{ href: '/feed.xml', title: 'Site posts' }]));
    const pageReads = feeds.count('/');
    const logged = logs.length;
    await start(config(feeds.url('/')));
    publish(4);
    await waitFor('story 4', () => titles().includes('Site story 4'));
    // The restart read the feed found on the page before: the page was not read again, nor the finding logged again.
    expect(feeds.count('/')).toBe(pageReads);
    expect(found('site')).toHaveLength(1);
    // A url that answered with a feed before the restart is not taken for a page now: its poll fails, no feed is followed.
    const failed = await waitFor('the direct feed’s failed poll', () => logs.slice(logged).find((line) => line.msg === 'feed poll failed' && line.feed === 'direct'));
    expect(failed.reason).toMatch(/^not a feed: the document is an HTML page/);
    expect(found('direct')).toEqual([]);
    await herald!.stop();
    await start(config(feeds.url('/feed.xml')));
    publish(5);
    await waitFor('story 5', () => titles().includes('Site story 5'));
    expect(titles()).toEqual(['Site story 2', 'Site story 3', 'Site story 4', 'Site story 5']);
  });

  it('searches the page again, saying so once, when the feed found on it is gone (404)', async () => {
    await herald!.stop();
    await start(config(feeds.url('/')));
    await waitFor('the feed found on the page again (the url changed back)', () => found('site').length === 2);
    // The site moves its feed: the old one is gone, the page links the new one with a new story.
    const moved = [...items, { guid: 'site-6', title: 'Site story 6', link: feeds.url('/news/6.html'), pubDate: new Date(Date.UTC(2026, 10, 30, 12, 6)) }];
    feeds.setPage('/news/6.html', articlePage('Site story 6', ['Site story 6 starts with the lead that a summary keeps.']));
    feeds.setFeed('/moved.xml', rss('Site', moved));
    feeds.setPage('/', homePage([{ href: '/moved.xml', title: 'Site posts' }]));
    feeds.set('/feed.xml', { body: 'gone', contentType: 'text/plain', status: 404 });
    await waitFor('story 6', () => titles().includes('Site story 6'));
    const searched = logs.filter((line) => line.msg === 'the feed found on the configured page is gone or no longer a feed; searching the page again');
    expect(searched).toEqual([expect.objectContaining({ feed: 'site', url: feeds.url('/'), feedUrl: feeds.url('/feed.xml'), reason: 'http: HTTP 404' })]);
    expect(found('site').at(-1)).toMatchObject({ feedUrl: feeds.url('/moved.xml') });
    // From then on the new feed is read: the old one is not asked for again, nor the search repeated.
    const oldReads = feeds.count('/feed.xml');
    const movedReads = feeds.count('/moved.xml');
    await waitFor('two more polls of the moved feed', () => feeds.count('/moved.xml') >= movedReads + 2);
    expect(feeds.count('/feed.xml')).toBe(oldReads);
    expect(titles().filter((title) => title === 'Site story 6')).toHaveLength(1);
  });
});
