import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox, backoffDelay } from '../../src/deliveries/outbox.js';
import { DeliveryError, type Readiness, type Target } from '../../src/deliveries/target.js';
import { createLogger } from '../../src/ops/logger.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store, StoredArticle } from '../../src/store/store.js';

const POLICY = { maxAttempts: 4, baseMs: 1_000, maxMs: 60_000 };

/** A target that plays a script: each send takes the next outcome (an error to throw, or a message id). */
class ScriptedTarget implements Target {
  readonly sent: string[] = [];
  readonly outcomes: Array<DeliveryError | string> = [];
  readiness: Readiness = { kind: 'send' };
  constructor(
    readonly kind: string,
    readonly idempotent: boolean,
  ) {}

  async ready(): Promise<Readiness> {
    return this.readiness;
  }

  async send(article: StoredArticle): Promise<{ remoteId: string }> {
    this.sent.push(article.id);
    const outcome = this.outcomes.shift() ?? `m-${article.id}`;
    if (outcome instanceof DeliveryError) throw outcome;
    return { remoteId: outcome };
  }
}

function article(id: string, publishedAt: number): StoredArticle {
  return { id, feedId: 'news', url: `https://news.example/${id}`, title: id, summary: `${id}.`, author: null, siteName: null, imageUrl: null, publishedAt, firstSeenAt: publishedAt, categories: [] };
}

describe('the outbox', () => {
  let store: Store;
  let clock = 1_000_000;
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'info', secrets: [], stream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  const logged = (msg: string) => lines.filter((line) => line.msg === msg);

  async function outboxWith(...targets: ScriptedTarget[]): Promise<Outbox> {
    store = await openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-outbox-')), 'test.db'));
    lines.length = 0;
    return new Outbox(store, new Map(targets.map((t) => [t.kind, t])), POLICY, log, 'owner-1', {}, () => clock);
  }

  async function status(target: string) {
    return (await store.unfinishedFor(target)).map((job) => job.delivery);
  }

  afterEach(async () => store?.close());

  it('sends each target its queue in publication order', async () => {
    const channel = new ScriptedTarget('discord', true);
    const outbox = await outboxWith(channel);
    await store.addArticle(article('late', 300), { key: 'late', contentHash: null }, ['discord:1'], clock);
    await store.addArticle(article('early', 100), { key: 'early', contentHash: null }, ['discord:1'], clock);
    expect(await outbox.drain()).toBe(2);
    expect(channel.sent).toEqual(['early', 'late']);
    expect(await store.deliveryCounts()).toMatchObject({ sent: 2, pending: 0 });
  });

  it('holds the queue behind a retry until its time, and gives up after maxAttempts', async () => {
    const channel = new ScriptedTarget('discord', true);
    const outbox = await outboxWith(channel);
    channel.outcomes.push(...Array.from({ length: 4 }, () => new DeliveryError('HTTP 500', 'retry')));
    await store.addArticle(article('a', 100), { key: 'a', contentHash: null }, ['discord:1'], clock);
    await store.addArticle(article('b', 200), { key: 'b', contentHash: null }, ['discord:1'], clock);
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await outbox.drain()).toBe(1);
      const [head] = await status('discord:1');
      expect(head).toMatchObject({ articleId: 'a', attempts: attempt, status: 'pending' });
      expect(head!.nextAttemptAt - clock).toBeGreaterThanOrEqual(backoffDelay(attempt, POLICY, () => 0));
      expect(await outbox.drain()).toBe(0); // b waits behind a
      clock = head!.nextAttemptAt;
    }
    await outbox.drain();
    expect(logged('delivery failed')).toEqual([expect.objectContaining({ article: 'a', reason: 'gave up after 4 attempts: HTTP 500' })]);
    expect(channel.sent).toEqual(['a', 'a', 'a', 'a', 'b']);
  });

  it('a permanent error fails at once and the next delivery goes', async () => {
    const channel = new ScriptedTarget('discord', true);
    const outbox = await outboxWith(channel);
    channel.outcomes.push(new DeliveryError('Unknown Channel', 'permanent'));
    await store.addArticle(article('a', 100), { key: 'a', contentHash: null }, ['discord:1'], clock);
    await store.addArticle(article('b', 200), { key: 'b', contentHash: null }, ['discord:1'], clock);
    await outbox.drain();
    expect(logged('delivery failed')).toEqual([expect.objectContaining({ article: 'a', attempts: 1, reason: 'Unknown Channel' })]);
    expect(channel.sent).toEqual(['a', 'b']);
  });

  it('resends after an unknown outcome once on a target that is not idempotent, and as needed on one that is', async () => {
    const x = new ScriptedTarget('x', false);
    const channel = new ScriptedTarget('discord', true);
    const outbox = await outboxWith(x, channel);
    const timeout = () => new DeliveryError('socket hang up', 'unknown', clock);
    x.outcomes.push(timeout(), timeout());
    channel.outcomes.push(timeout(), timeout());
    await store.addArticle(article('a', 100), { key: 'a', contentHash: null }, ['x', 'discord:1'], clock);
    await outbox.drain();
    expect(logged('delivery failed')).toEqual([
      expect.objectContaining({ target: 'x', attempts: 2, reason: 'outcome unknown twice; not sent again to avoid a duplicate post (socket hang up)' }),
    ]);
    expect(x.sent).toEqual(['a', 'a']);
    expect(channel.sent).toEqual(['a', 'a', 'a']);
    expect(await store.deliveryCounts()).toMatchObject({ sent: 1, failed: 1 });
  });

  it('a target that asks to wait is not charged an attempt, and says why once per reason', async () => {
    const x = new ScriptedTarget('x', false);
    const outbox = await outboxWith(x);
    await store.addArticle(article('a', 100), { key: 'a', contentHash: null }, ['x'], clock);
    for (let check = 0; check < 5; check++) {
      x.readiness = { kind: 'wait', until: clock + 15_000, reason: 'X authorization was revoked' };
      await outbox.drain();
      clock += 15_000;
    }
    x.readiness = { kind: 'wait', until: clock + 60_000, reason: 'waiting for the daily cap to reset' };
    await outbox.drain();
    expect(logged('delivery waits').map((line) => line.reason)).toEqual(['X authorization was revoked', 'waiting for the daily cap to reset']);
    expect((await status('x'))[0]).toMatchObject({ attempts: 0, status: 'pending' });
    clock += 60_000;
    x.readiness = { kind: 'send' };
    await outbox.drain();
    expect(x.sent).toEqual(['a']);
  });
});
