import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { FeedServer, rss } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { HeraldProcess, heraldEnv, tempDir, writeConfig } from './herald-process.js';

const TOKEN = 'import-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CHANNEL = '565656565656565656';
const MANAGE_GUILD = String(1 << 5);
const ATTACHMENT = '787878787878787878';

describe('/feeds import with an attached OPML file', () => {
  const discord = new FakeDiscord(TOKEN, [CHANNEL]);
  const feeds = new FeedServer();
  let herald: HeraldProcess;

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start()]);
    for (const name of ['config', 'one', 'two', 'site']) feeds.setFeed(`/${name}.xml`, rss(name, []));
    const page = (links: string[]) => `<!doctype html><html><head><title>Site</title>${links.map((href) => `<link rel="alternate" type="application/rss+xml" title="${href}" href="${href}">`).join('')}</head><body>Hi</body></html>`;
    feeds.setPage('/home', page(['/site.xml']));
    feeds.setPage('/two-feeds', page(['/one.xml', '/two.xml']));
    feeds.set('/subscriptions.opml', {
      contentType: 'text/x-opml',
      body: `<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>
        <outline text="News"><outline text="Feed One" type="rss" xmlUrl="${feeds.url('/one.xml')}"/>
        <outline text="Already here" type="rss" xmlUrl="${feeds.url('/config.xml')}"/></outline>
        <outline text="Feed Two" type="rss" xmlUrl="${feeds.url('/two.xml')}"/></body></opml>`,
    });
    const dir = tempDir('import');
    const config = writeConfig(dir, { feeds: [{ id: 'config', url: feeds.url('/config.xml'), every: '1h' }], routes: [{ feeds: ['*'], discord: [CHANNEL] }] });
    herald = new HeraldProcess(['run'], heraldEnv({ discord, dir, config }, { HERALD_ALLOW_PRIVATE_COMMANDS: '1' }));
    await herald.waitForLog('discord gateway ready');
  });

  afterAll(async () => {
    herald?.kill('SIGKILL');
    await Promise.all([discord.stop(), feeds.stop()]);
  });

  const runImport = (permissions: string) =>
    discord.runCommand('feeds', [{ name: 'import', type: 1, options: [{ name: 'file', type: 11, value: ATTACHMENT }] }], permissions, {
      attachments: { [ATTACHMENT]: { id: ATTACHMENT, filename: 'subscriptions.opml', size: 600, url: feeds.url('/subscriptions.opml'), proxy_url: feeds.url('/subscriptions.opml'), content_type: 'text/x-opml' } },
    });

  it('needs Manage Server', async () => {
    const denied = await runImport('0');
    expect(denied.content).toMatch(/Manage Server/);
    expect(feeds.count('/subscriptions.opml')).toBe(0);
  });

  it('adds the feeds not watched yet as Discord feeds of this channel, and they are polled', async () => {
    const answer = await runImport(MANAGE_GUILD);
    expect(answer.content).toContain('Imported 2 feeds from subscriptions.opml');
    expect(answer.content).toContain('1 feed already watched');
    await waitFor('both imported feeds polled', () => feeds.count('/one.xml') >= 1 && feeds.count('/two.xml') >= 1);
    const list = await discord.runCommand('feeds', [{ name: 'list', type: 1, options: [] }]);
    expect(list.embeds?.[0]?.description).toMatch(/`feed-one` Feed One → <#565656565656565656>/);
    expect(list.embeds?.[0]?.description).toMatch(/`feed-two` Feed Two/);
    // A second import adds nothing.
    expect((await runImport(MANAGE_GUILD)).content).toContain('Imported 0 feeds');
  });

  it('/feeds add finds the feed a home page links, and lists them when it links several', async () => {
    const add = (url: string, id: string) =>
      discord.runCommand('feeds', [{ name: 'add', type: 1, options: [{ name: 'url', type: 3, value: url }, { name: 'id', type: 3, value: id }] }], MANAGE_GUILD);
    expect((await add(feeds.url('/home'), 'from-home')).content).toContain('Added `from-home`');
    await waitFor('the linked feed polled', () => feeds.count('/site.xml') >= 2);
    const several = await add(feeds.url('/two-feeds'), 'pick-one');
    expect(several.content).toContain('links 2 feeds; give one of them');
    expect(several.content).toContain(feeds.url('/one.xml'));
    expect(several.content).toContain(feeds.url('/two.xml'));
  });
});
