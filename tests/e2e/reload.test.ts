import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { heraldEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const TOKEN = 'reload-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CHANNEL = '121212121212121212';

describe('SIGHUP reloads feeds and routes without a restart', () => {
  const discord = new FakeDiscord(TOKEN, [CHANNEL]);
  const feeds = new FeedServer();
  const dir = tempDir('reload');
  let herald: HeraldProcess;

  const story = (feed: string, n: number): TestItem => {
    feeds.setPage(`/${feed}/${n}.html`, articlePage(`${feed} story ${n}`, [`The lead of ${feed} story ${n}.`]));
    return { guid: `${feed}-${n}`, title: `${feed} story ${n}`, link: feeds.url(`/${feed}/${n}.html`), pubDate: new Date(Date.UTC(2026, 0, 1, 0, n)) };
  };

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start()]);
    feeds.setFeed('/alpha.xml', rss('Alpha', [story('alpha', 1)]));
    feeds.setFeed('/beta.xml', rss('Beta', [story('beta', 1)]));
    const config = writeConfig(dir, { feeds: [{ id: 'alpha', url: feeds.url('/alpha.xml'), every: '1s' }], routes: [{ feeds: ['alpha'], discord: [CHANNEL] }] });
    herald = new HeraldProcess(['run'], heraldEnv({ dir, config, discord }));
    await waitFor('alpha polled', () => feeds.count('/alpha.xml') >= 2);
  });

  afterAll(async () => {
    herald.kill('SIGKILL');
    await Promise.all([discord.stop(), feeds.stop()]);
  });

  it('starts new feeds, stops removed ones, keeps state, and survives a broken file', async () => {
    writeConfig(dir, { feeds: [{ id: 'beta', url: feeds.url('/beta.xml'), every: '1s' }], routes: [{ feeds: ['*'], discord: [CHANNEL] }] });
    herald.kill('SIGHUP');
    const reloaded = await herald.waitForLog('config reloaded: feeds and routes');
    expect(reloaded).toMatchObject({ added: ['beta'], removed: ['alpha'] });
    await waitFor('beta polled twice', () => feeds.count('/beta.xml') >= 2);
    feeds.setFeed('/beta.xml', rss('Beta', [story('beta', 1), story('beta', 2)]));
    await waitFor('the new beta story', () => discord.messages.length >= 1);
    expect(discord.messages.map((m) => m.body.embeds![0]!.title)).toEqual(['beta story 2']);
    const alphaPolls = feeds.count('/alpha.xml');
    const betaPolls = feeds.count('/beta.xml');
    await waitFor('more beta polls', () => feeds.count('/beta.xml') >= betaPolls + 2);
    expect(feeds.count('/alpha.xml')).toBe(alphaPolls);

    writeConfig(dir, { feeds: [{ id: 'Beta!', url: 'x' }] });
    herald.kill('SIGHUP');
    const failed = await herald.waitForLog('config reload failed; keeping the running config');
    expect(String(failed.reason)).toContain('feeds[0].id');
    await waitFor('beta still polled', () => feeds.count('/beta.xml') >= betaPolls + 4);
  });
});
