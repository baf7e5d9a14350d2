import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { FeedServer, rss } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { FakeX } from '../fakes/x.js';
import { heraldEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const OAUTH1 = { appKey: 'pn-app-key', appSecret: 'pn-app-secret', accessToken: 'pn-access-token', accessSecret: 'pn-access-secret' };
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);
const STRING = 3;
const BASE = Date.UTC(2026, 10, 30, 6, 0, 0);
const METADATA = 'http://169.254.169.254/latest/meta-data/';
/** What /summary answers for an address it may not fetch (the same as for one that does not answer). */
const UNREACHABLE = /could not be reached \(Herald fetches only public web pages\)/;

function page(title: string, image: string): string {
  return `<!doctype html><html lang="en"><head><title>${title}</title><meta property="og:image" content="${image}"></head><body><article><h1>${title}</h1>
<p>${title} begins with a lead sentence that says what happened on the local network today.</p><p>Another paragraph with detail.</p></article></body></html>`;
}

const item = (guid: string, title: string, link: string, minutes: number) => ({ guid, title, link, description: `${title}, as the feed tells it.`, pubDate: new Date(BASE + minutes * 60_000) });

describe('private networks are opened per feed, never to slash commands or other feeds', () => {
  const x = new FakeX(OAUTH1);
  const discord = new FakeDiscord('private-feeds-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ', ['444444444444444441']);
  const lan = new FeedServer();
  let herald: HeraldProcess;

  beforeAll(async () => {
    await Promise.all([x.start(), discord.start(), lan.start()]);
    lan.setPage('/lan/story.html', page('LAN story', lan.url('/lan/lead.png')));
    lan.set('/lan/lead.png', { body: PNG, contentType: 'image/png' });
    lan.setFeed('/lan.xml', rss('LAN', [item('lan-1', 'LAN story', lan.url('/lan/story.html'), 1)]));
    // Another feed (a local file, read without the network) whose item and image point into the LAN.
    lan.setPage('/outside/story.html', page('Outside story', lan.url('/outside/lead.png')));
    lan.set('/outside/lead.png', { body: PNG, contentType: 'image/png' });
    const dir = tempDir('private-feeds');
    const outside = join(dir, 'outside.xml');
    writeFileSync(
      outside,
      `<?xml version="1.0"?><rss version="2.0"><channel><title>Outside</title><link>https://news.example/</link><item><title>Outside story</title><link>${lan.url('/outside/story.html')}</link><guid isPermaLink="false">out-1</guid><pubDate>${new Date(BASE + 2 * 60_000).toUTCString()}</pubDate><description>Outside story, as the feed tells it.</description><enclosure url="${lan.url('/outside/lead.png')}" type="image/png" length="2008"/></item></channel></rss>`,
    );
    const config = writeConfig(dir, {
      feeds: [
        { id: 'lan', url: lan.url('/lan.xml'), every: '1s', backfill: 5, privateNetwork: true },
        { id: 'outside', url: outside, every: '1s', backfill: 5 },
      ],
      routes: [{ feeds: ['lan', 'outside'], x: true }],
      x: { images: true },
    });
    // Neither HERALD_ALLOW_PRIVATE_NETWORK nor HERALD_ALLOW_PRIVATE_COMMANDS: only the feed's own key opens the LAN.
    herald = new HeraldProcess(['run'], heraldEnv({ dir, config, x, discord }, { HERALD_ALLOW_PRIVATE_NETWORK: '' }));
    await herald.waitForLog('discord gateway ready');
    await waitFor('both posts on X', () => (x.tweets.length >= 2 ? x.tweets : undefined));
  });

  afterAll(async () => {
    herald?.kill('SIGKILL');
    await Promise.all([x.stop(), discord.stop(), lan.stop()]);
  });

  it('fetches the private feed, its article page and its image', () => {
    const tweet = x.tweets.find((t) => t.text.startsWith('LAN story'));
    expect(tweet?.text).toMatch(/begins with a lead sentence/);
    expect(tweet?.mediaIds).toHaveLength(1);
    expect(lan.count('/lan/story.html')).toBe(1);
    expect(lan.count('/lan/lead.png')).toBe(1);
  });

  it("does not open the LAN to another feed's article page or image", () => {
    const tweet = x.tweets.find((t) => t.text.startsWith('Outside story'));
    expect(tweet?.text).toMatch(/as the feed tells it/);
    expect(tweet?.mediaIds).toEqual([]);
    expect(lan.count('/outside/story.html')).toBe(0);
    expect(lan.count('/outside/lead.png')).toBe(0);
    expect(herald.logged('article page unavailable; using the feed content', { feed: 'outside' })[0]?.reason).toMatch(/^blocked: refused to connect to non-public address 127\.0\.0\.1/);
  });

  it('refuses /summary of the private feed\'s own page and of the metadata address', async () => {
    for (const url of [lan.url('/lan/story.html'), lan.url('/lan/story.html').replace('127.0.0.1', 'localhost'), METADATA]) {
      const answer = await discord.runCommand('summary', [{ name: 'url', type: STRING, value: url }]);
      expect(answer.content, url).toMatch(UNREACHABLE);
    }
    expect(lan.count('/lan/story.html')).toBe(1);
  });

  it('does not warn about HERALD_ALLOW_PRIVATE_NETWORK when it is not set', () => {
    expect(herald.logs.filter((line) => line.msg.includes('HERALD_ALLOW_PRIVATE_NETWORK'))).toEqual([]);
  });
});

describe('HERALD_ALLOW_PRIVATE_NETWORK opens loopback and private addresses to feeds, never link-local or metadata ones', () => {
  const x = new FakeX(OAUTH1);
  const discord = new FakeDiscord('blunt-tool-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ', ['444444444444444442']);
  const lan = new FeedServer();
  let herald: HeraldProcess;

  beforeAll(async () => {
    await Promise.all([x.start(), discord.start(), lan.start()]);
    lan.set('/redirect.html', { body: '', contentType: 'text/plain', status: 302, headers: { location: METADATA } });
    lan.set('/image-redirect.png', { body: '', contentType: 'text/plain', status: 302, headers: { location: 'http://[::ffff:a9fe:a9fe]/image.png' } });
    lan.setPage('/og.html', page('Metadata image', `${METADATA}iam/security-credentials/image.png`));
    lan.setPage('/og-redirect.html', page('Redirected image', lan.url('/image-redirect.png')));
    lan.setFeed(
      '/wire.xml',
      rss('Wire', [
        item('link', 'Metadata link', METADATA, 1),
        item('redirect', 'Redirected link', lan.url('/redirect.html'), 2),
        item('og', 'Metadata image', lan.url('/og.html'), 3),
        item('og-redirect', 'Redirected image', lan.url('/og-redirect.html'), 4),
      ]),
    );
    const dir = tempDir('private-blunt');
    const config = writeConfig(dir, {
      feeds: [{ id: 'wire', url: lan.url('/wire.xml'), every: '1s', backfill: 5 }],
      routes: [{ feeds: ['wire'], x: true }],
      x: { images: true },
    });
    herald = new HeraldProcess(['run'], heraldEnv({ dir, config, x, discord }, { HERALD_ALLOW_PRIVATE_NETWORK: '1' }));
    await herald.waitForLog('discord gateway ready');
    await waitFor('four posts on X', () => (x.tweets.length >= 4 ? x.tweets : undefined));
  });

  afterAll(async () => {
    herald?.kill('SIGKILL');
    await Promise.all([x.stop(), discord.stop(), lan.stop()]);
  });

  it('says once at start that every feed may reach private networks', () => {
    expect(herald.logs.filter((line) => line.msg.includes('HERALD_ALLOW_PRIVATE_NETWORK is set'))).toHaveLength(1);
  });

  it('refuses an article link to the metadata address, directly and behind a redirect from a private feed host', () => {
    for (const feedItem of ['link', 'redirect']) {
      const logged = herald.logged('article page unavailable; using the feed content', { feed: 'wire', item: feedItem })[0];
      expect(logged?.reason, feedItem).toMatch(/^blocked: refused to connect to link-local or cloud metadata address 169\.254\.169\.254 \(never allowed\)/);
    }
    expect(x.tweets.find((t) => t.text.startsWith('Metadata link'))?.text).toMatch(/as the feed tells it/);
  });

  it('posts without an og:image on the metadata address, direct or in an IPv4-mapped form behind a redirect', () => {
    expect(lan.count('/og.html')).toBe(1);
    expect(lan.count('/image-redirect.png')).toBe(1);
    for (const title of ['Metadata image', 'Redirected image']) {
      expect(x.tweets.find((t) => t.text.startsWith(title))?.mediaIds, title).toEqual([]);
    }
    const refused = herald.logged('lead image not attached; posting without it').map((line) => line.reason);
    expect(refused).toHaveLength(2);
    for (const reason of refused) expect(reason).toMatch(/refused to connect to link-local or cloud metadata address .*\(never allowed\)/);
    expect(x.uploads).toEqual([]);
  });

  it('does not open slash commands', async () => {
    const answer = await discord.runCommand('summary', [{ name: 'url', type: STRING, value: lan.url('/og.html') }]);
    expect(answer.content).toMatch(UNREACHABLE);
    expect(lan.count('/og.html')).toBe(1);
  });
});
