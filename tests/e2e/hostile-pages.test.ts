import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { heraldEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const TOKEN = 'hostile-pages-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CHANNEL = '777777777777777777';

describe('hostile article pages', () => {
  const discord = new FakeDiscord(TOKEN, [CHANNEL]);
  const feeds = new FeedServer();
  let herald: HeraldProcess;
  let healthPort = 0;
  /** Health probes answered, and those not answered within a probe's deadline (5 s, as a liveness probe's timeout). */
  const probes = { answered: 0, unanswered: 0 };
  let probing = true;

  beforeAll(async () => {
    await Promise.all([discord.start(), feeds.start()]);
    feeds.setFeed('/feed.xml', rss('Pages', []));
    const dir = tempDir('hostile-pages');
    const config = writeConfig(dir, {
      feeds: [{ id: 'pages', url: feeds.url('/feed.xml'), every: '1s', backfill: 0 }],
      routes: [{ feeds: ['pages'], discord: [CHANNEL] }],
      // 200 ms: the 60,000-paragraph page takes ~0.85 s to extract on an idle machine of this kind, the good page ~40 ms.
      extraction: { timeout: '200ms', maxDepth: 400 },
    });
    herald = new HeraldProcess(['run'], heraldEnv({ dir, config, discord }));
    healthPort = (await herald.waitForLog('health and metrics listening')).port as number;
    await waitFor('the first poll', () => feeds.count('/feed.xml') >= 2, 60_000);
  });

  afterAll(async () => {
    probing = false;
    herald?.kill('SIGKILL');
    await Promise.all([discord.stop(), feeds.stop()]);
  });

  it('posts every item, using the feed text for pages too deep or too slow to extract, while the bot keeps answering', async () => {
    // 1,200 nested <div>s froze the event loop for ~38 s; 100,000 paragraphs for ~6 s.
    feeds.setPage('/p/deep.html', `<!doctype html><html><head><title>Deep</title></head><body>${'<div>'.repeat(1_200)}<p>Deep text.</p>${'</div>'.repeat(1_200)}</body></html>`);
    feeds.setPage('/p/huge.html', articlePage('Huge', Array.from({ length: 60_000 }, (_, n) => `Paragraph ${n} about the budget.`)));
    feeds.setPage('/p/good.html', articlePage('Good', ['The good story begins with its lead sentence about the harbour.', 'A second paragraph follows with details.']));
    const item = (guid: string, title: string, description: string) => ({ guid, title, link: feeds.url(`/p/${guid}.html`), description, pubDate: new Date() });
    feeds.setFeed('/feed.xml', rss('Pages', [
      item('deep', 'A deep page', 'The feed says the deep story is about nesting.'),
      item('huge', 'A huge page', 'The feed says the huge story is about the budget.'),
      item('good', 'A good page', 'The feed says the good story is about the harbour.'),
    ]));

    const probe = (async () => {
      while (probing) {
        const response = await fetch(`http://127.0.0.1:${healthPort}/healthz`, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
        if (response?.ok) probes.answered++;
        else probes.unanswered++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await waitFor('three posts', () => discord.messagesIn(CHANNEL).length >= 3, 120_000);
    probing = false;
    await probe;

    const posted = new Map(discord.messagesIn(CHANNEL).map((m) => [m.body.embeds![0]!.title, m.body.embeds![0]!.description]));
    expect(posted.size).toBe(3);
    expect(posted.get('A deep page')).toBe('The feed says the deep story is about nesting.');
    expect(posted.get('A huge page')).toBe('The feed says the huge story is about the budget.');
    expect(posted.get('A good page')).toMatch(/^The good story begins with its lead sentence/);
    expect(herald.logs.some((line) => JSON.stringify(line).includes('too-deep'))).toBe(true);
    expect(herald.logs.some((line) => JSON.stringify(line).includes('too-slow'))).toBe(true);
    // The health endpoint answered every probe: a frozen event loop (seconds per hostile page) would leave one unanswered past its deadline.
    expect(probes.answered).toBeGreaterThan(5);
    expect(probes.unanswered).toBe(0);
  }, 180_000);

  it('stops gracefully on SIGTERM', async () => {
    herald.kill('SIGTERM');
    expect((await herald.exited).code).toBe(0);
  });
});
