import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/ops/logger.js';
import { ApprovalQueue } from '../../src/pipeline/approvals.js';
import { FeedRegistry } from '../../src/pipeline/registry.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store, StoredArticle } from '../../src/store/store.js';
import { TARGET_KINDS } from '../../src/targets/index.js';

const NEWS = '111111111111111111';
const MODS = '333333333333333333';
const HOUR = 3_600_000;

function article(id: string, at: number): StoredArticle {
  return { id, feedId: 'news', url: `https://news.example/${id}`, title: `Story ${id}`, summary: `Summary of ${id}.`, author: null, siteName: null, imageUrl: null, publishedAt: at, firstSeenAt: at };
}

describe('approval expiry (controlled clock)', () => {
  let store: Store;
  afterEach(async () => store?.close());

  async function deskFor(onExpiry: 'skip' | 'post') {
    store = await openSqliteStore(':memory:');
    const config = parseConfig(
      { feeds: [{ id: 'news', url: 'https://news.example/rss' }], routes: [{ feeds: ['news'], to: [{ discord: NEWS }, { x: {} }], approval: { channel: MODS, expire: '6h', onExpiry } }] },
      'herald.yaml',
      TARGET_KINDS,
    );
    const feeds = new FeedRegistry(config, store);
    await feeds.load();
    let clock = 1_000_000;
    const previews: string[] = [];
    const settled: Array<{ messageId: string; status: string; by: string | null }> = [];
    let approvedWakes = 0;
    const desk = new ApprovalQueue({
      store,
      target: {
        async askApproval(address, story) {
          previews.push(`${address}:${story.id}`);
          return `m-${story.id}`;
        },
        async settleApproval(_address, messageId, _story, approval) {
          settled.push({ messageId, status: approval.status, by: approval.decidedBy });
        },
      },
      describe: (target) => target,
      onApproved: () => approvedWakes++,
      log: createLogger({ level: 'silent', secrets: [] }),
      isLeader: () => true,
      checkEveryMs: 60_000,
      now: () => clock,
    });
    const queued = await store.addArticle(article('a', clock), { key: 'a', contentHash: null }, feeds.deliveriesFor('news'), clock);
    return { desk, queued, previews, settled, wakes: () => approvedWakes, advance: (ms: number) => (clock += ms) };
  }

  const statuses = async () => (await store.urlHistory('https://news.example/a')).deliveries.map((d) => [d.target, d.status, d.lastError]);

  it('holds the deliveries, posts one preview, and skips them when nobody decides within expire', async () => {
    const { desk, queued, previews, settled, advance } = await deskFor('skip');
    expect(queued).toEqual([]);
    expect(await store.dueDeliveries(Number.MAX_SAFE_INTEGER)).toEqual([]);
    await desk.check();
    await desk.check();
    expect(previews).toEqual([`${MODS}:a`]);
    advance(6 * HOUR - 1);
    await desk.check();
    expect((await statuses()).map(([, status]) => status)).toEqual(['held', 'held']);
    advance(1);
    await desk.check();
    expect(await statuses()).toEqual([
      [`discord:${NEWS}`, 'skipped', 'no moderator decided in time (approval expired)'],
      ['x', 'skipped', 'no moderator decided in time (approval expired)'],
    ]);
    expect(settled).toEqual([{ messageId: 'm-a', status: 'skipped', by: 'expiry' }]);
    // A click that arrives after the expiry changes nothing.
    expect((await desk.decide('a', 'approved', '700000000000000001'))?.decided).toBe(false);
    expect(await store.dueDeliveries(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('posts them when the route says onExpiry: post', async () => {
    const { desk, settled, wakes, advance } = await deskFor('post');
    await desk.check();
    advance(6 * HOUR);
    await desk.check();
    expect((await statuses()).map(([, status]) => status)).toEqual(['pending', 'pending']);
    expect((await store.dueDeliveries(Number.MAX_SAFE_INTEGER)).map((job) => job.delivery.target).sort()).toEqual([`discord:${NEWS}`, 'x']);
    expect(settled).toEqual([{ messageId: 'm-a', status: 'approved', by: 'expiry' }]);
    expect(wakes()).toBe(1);
  });

  it('decides once when the dashboard and Discord decide at the same time', async () => {
    const { desk } = await deskFor('skip');
    const outcomes = await Promise.all([desk.decide('a', 'approved', 'dashboard'), desk.decide('a', 'skipped', '700000000000000002')]);
    expect(outcomes.filter((outcome) => outcome?.decided)).toHaveLength(1);
    const after = await store.approval('a');
    expect(after!.deliveries.every((d) => d.status === (after!.approval.status === 'approved' ? 'pending' : 'skipped'))).toBe(true);
  });
});
