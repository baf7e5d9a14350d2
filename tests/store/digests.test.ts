import { afterEach, describe, expect, inject, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { article } from '../builders.js';
import { createDatabase } from '../postgres-cluster.js';

const adminUrl = inject('postgresAdminUrl');
let databases = 0;

const backends: Array<[string, () => Promise<Store>, boolean]> = [
  ['sqlite', async () => openSqliteStore(':memory:'), true],
  ['postgres', async () => openPostgresStore(await createDatabase(adminUrl!, `digests_${process.pid}_${databases++}`)), adminUrl !== null],
];

const TARGET = 'discord:1';
const OPTIONS = { template: null, style: { name: 'News', color: 0 }, priority: 2 };

describe.each(backends)('digests in the %s store', (_name, open, available) => {
  let store: Store;
  afterEach(async () => store?.close());

  async function queue(ids: string[], at: number): Promise<void> {
    for (const id of ids) await store.addArticle(article({ id, publishedAt: at, firstSeenAt: at }), { key: id, contentHash: null }, [{ target: TARGET, options: OPTIONS }, { target: 'x', options: OPTIONS }], at);
  }
  const statuses = async (ids: string[]) =>
    Promise.all(ids.map(async (id) => (await store.urlHistory(`https://news.example/${id}`)).deliveries.filter((d) => d.target === TARGET).map((d) => [id, d.status, d.digestId !== null, d.lastError])[0]));

  it.skipIf(!available)('own what they fold until posted, then mark them sent with the digest in one step', async () => {
    store = await open();
    await queue(['a', 'b', 'c'], 100);
    const first = await store.foldIntoDigest(TARGET, 'pace', { dueAt: 5_000, since: 0, options: OPTIONS }, true, 1_000);
    expect(first.folded).toBe(3);
    // One open digest per target and cause: a second fold joins it.
    await queue(['d'], 1_100);
    expect(await store.foldIntoDigest(TARGET, 'pace', { dueAt: 9_000, since: 0, options: OPTIONS }, true, 1_200)).toEqual({ digestId: first.digestId, folded: 1 });
    // Folded deliveries leave the queue (X's stay), and the target still has work: its digest.
    expect((await store.dueDeliveries(10_000)).map((job) => job.delivery.target)).toEqual(['x']);
    expect((await store.claimTargets('me', 1_300, 60_000, () => true)).held.sort()).toEqual([TARGET, 'x']);
    expect(await store.nextDueAt([TARGET])).toBe(5_000);
    expect(await store.dueDigests(4_999)).toEqual([]);
    const [due] = await store.dueDigests(5_000);
    expect(due).toMatchObject({ id: first.digestId, target: TARGET, cause: 'pace', status: 'open', partsSent: 0, options: OPTIONS });

    const candidates = await store.digestCandidates(due!, 5_000);
    expect(candidates.map((c) => [c.article.id, c.feeds, c.options]).sort()).toEqual(['a', 'b', 'c', 'd'].map((id) => [id, 1, OPTIONS]));
    expect(await store.closeDigest(due!.id, ['d', 'a', 'b'], 'not among the top 3', 5_000)).toBe(true);
    expect(await store.closeDigest(due!.id, ['c'], 'again', 5_000)).toBe(false);
    expect((await store.digestArticles(due!.id)).map((a) => a.id)).toEqual(['d', 'a', 'b']);
    expect(await statuses(['a', 'c'])).toEqual([
      ['a', 'folded', true, null],
      ['c', 'skipped', true, 'not among the top 3'],
    ]);

    await store.markDigestPart(due!.id, 0, 'm1', 5_100);
    await store.markDigestPart(due!.id, 1, 'm2', 5_200);
    expect((await store.dueDigests(6_000))[0]).toMatchObject({ status: 'ready', partsSent: 2, remoteId: 'm1' });
    await store.markDigestSent(due!.id, 6_000);
    expect(await store.dueDigests(Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(await statuses(['a', 'b', 'c', 'd'])).toEqual([
      ['a', 'sent', true, null],
      ['b', 'sent', true, null],
      ['c', 'skipped', true, 'not among the top 3'],
      ['d', 'sent', true, null],
    ]);
    // A digest counts as one post for the pace; the deliveries in it do not count again.
    expect(await store.postTimes(TARGET, 0)).toEqual([6_000]);
    // Posted in a digest: no message of their own to follow edits.
    await store.reviseArticle('a', { title: 'Changed', summary: 'Changed.' });
    expect(await store.dueEdits(Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect((await store.deliveryCounts()).sent).toBe(3);
  });

  it.skipIf(!available)('a scheduled digest covers the deliveries recorded since the last one; a failed digest fails its deliveries', async () => {
    store = await open();
    await queue(['old'], 100);
    await queue(['a', 'b'], 2_000);
    const open1 = await store.foldIntoDigest(TARGET, 'scheduled', { dueAt: 3_000, since: 1_000, options: OPTIONS }, false, 2_500);
    expect(open1.folded).toBe(0);
    const [due] = await store.dueDigests(3_000);
    expect((await store.digestCandidates(due!, 3_000)).map((c) => c.article.id).sort()).toEqual(['a', 'b']);
    expect(await store.closeDigest(due!.id, ['b'], 'not listed', 3_000)).toBe(true);
    await store.markDigestSent(due!.id, 3_000);
    // Not owned: the digest listed them besides their own posts, which go on.
    expect((await store.dueDeliveries(3_000)).map((job) => job.article.id)).toEqual(['old', 'old']);

    await queue(['c'], 3_500);
    const next = await store.foldIntoDigest(TARGET, 'scheduled', { dueAt: 6_000, since: 0, options: OPTIONS }, true, 4_000);
    const [second] = await store.dueDigests(6_000);
    expect(second).toMatchObject({ id: next.digestId, since: 3_000 });
    await store.markDigestRetry(next.digestId, 'Discord 503', 7_000, true, 6_000);
    expect((await store.dueDigests(7_000))[0]).toMatchObject({ attempts: 1, lastError: 'Discord 503', dueAt: 7_000 });
    await store.markDigestFailed(next.digestId, 'Discord 404 10003: Unknown Channel', 7_000);
    expect(await statuses(['c', 'old'])).toEqual([
      ['c', 'failed', true, 'in a digest that failed: Discord 404 10003: Unknown Channel'],
      ['old', 'failed', true, 'in a digest that failed: Discord 404 10003: Unknown Channel'],
    ]);
  });
});
