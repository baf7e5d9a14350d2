import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Outbox, backoffDelay } from '../../src/deliveries/outbox.js';
import type { DeliveryPolicy, Verdict } from '../../src/deliveries/policy.js';
import type { DeliveryOptions } from '../../src/deliveries/options.js';
import { DeliveryError, type Readiness, type SendContext, type Target } from '../../src/deliveries/target.js';
import { createLogger } from '../../src/ops/logger.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Article } from '../../src/articles/article.js';
import type { Store } from '../../src/store/store.js';
import { publishedAt } from '../builders.js';
import { waitFor } from '../fakes/http.js';
import { createDatabase } from '../postgres-cluster.js';

const POLICY = { maxAttempts: 4, baseMs: 1_000, maxMs: 60_000 };

/** A target that plays a script: each send takes the next outcome (an error to throw, or a message id). */
class ScriptedTarget implements Target {
  readonly sent: string[] = [];
  readonly contexts: SendContext[] = [];
  readonly outcomes: Array<DeliveryError | string> = [];
  readiness: Readiness = { kind: 'send' };
  policy?: DeliveryPolicy;
  constructor(
    readonly kind: string,
    readonly idempotent: boolean,
  ) {}

  async ready(): Promise<Readiness> {
    return this.readiness;
  }

  async send(article: Article, context: SendContext): Promise<{ remoteId: string }> {
    this.sent.push(article.id);
    this.contexts.push(context);
    const outcome = this.outcomes.shift() ?? `m-${article.id}`;
    if (outcome instanceof DeliveryError) throw outcome;
    return { remoteId: outcome };
  }
}

/** The options every delivery gets in these tests: its priority comes from the article id ("p3-…" → 3). */
function optionsOf(target: string, articleId: string): DeliveryOptions {
  return { template: `{url} for ${target}`, style: { name: 'News', color: 0x123456 }, priority: Number(/^p(\d+)/.exec(articleId)?.[1] ?? 0) };
}

/** The deliveries of article `articleId` to `targets`, each with the options its route gives it. */
function routed(articleId: string, ...targets: string[]) {
  return targets.map((target) => ({ target, options: optionsOf(target, articleId) }));
}

describe('the outbox', () => {
  let store: Store;
  let clock = 1_000_000;
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'info', secrets: [], stream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  const logged = (msg: string) => lines.filter((line) => line.msg === msg);

  /** How many rounds the outbox started (each asks the store for due deliveries once). */
  let rounds = 0;

  async function outboxWith(...targets: ScriptedTarget[]): Promise<Outbox> {
    store = await openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-outbox-')), 'test.db'));
    lines.length = 0;
    rounds = 0;
    const counted: Store = { ...store, dueDeliveries: (now) => (rounds++, store.dueDeliveries(now)) };
    return new Outbox({
      store: counted,
      targets: new Map(targets.map((t) => [t.kind, { target: t, idempotent: t.idempotent, canEdit: false, policy: t.policy }])),
      retry: POLICY,
      log,
      owner: 'owner-1',
      now: () => clock,
    });
  }

  async function status(target: string) {
    return (await store.unfinishedFor(target)).map((job) => job.delivery);
  }

  afterEach(async () => store?.close());

  it('waits instead of spinning while what is due is not its to send: a kind not configured here, or deliveries behind a head that waits', async () => {
    const channel = new ScriptedTarget('discord', true);
    const outbox = await outboxWith(channel);
    channel.outcomes.push(new DeliveryError('rate limited', 'retry', clock + 60_000));
    await store.addArticle(publishedAt('for-x', 50), { key: 'for-x', contentHash: null }, routed('for-x', 'x'), clock);
    await store.addArticle(publishedAt('a', 100), { key: 'a', contentHash: null }, routed('a', 'discord:1'), clock);
    await store.addArticle(publishedAt('b', 200), { key: 'b', contentHash: null }, routed('b', 'discord:1'), clock);
    outbox.start();
    try {
      await waitFor('the first send', () => channel.sent.length === 1, 5_000, 100);
      await store.addArticle(publishedAt('c', 300), { key: 'c', contentHash: null }, routed('c', 'discord:2'), clock);
      outbox.wake();
      await waitFor('the new queue sent', () => channel.sent.includes('c'), 5_000, 100);
    } finally {
      await outbox.stop();
    }
    expect(channel.sent).toEqual(['a', 'c']);
    // a sent, nothing due, c sent, nothing due: the rest of the time it slept until woken or stopped.
    expect(rounds).toBeLessThanOrEqual(5);
  });

  it('sends each target its queue in publication order', async () => {
    const channel = new ScriptedTarget('discord', true);
    const outbox = await outboxWith(channel);
    await store.addArticle(publishedAt('late', 300), { key: 'late', contentHash: null }, routed('late', 'discord:1'), clock);
    await store.addArticle(publishedAt('early', 100), { key: 'early', contentHash: null }, routed('early', 'discord:1'), clock);
    expect((await outbox.drain()).attempted).toBe(2);
    expect(channel.sent).toEqual(['early', 'late']);
    expect(await store.deliveryCounts()).toMatchObject({ sent: 2, pending: 0 });
  });

  it('holds the queue behind a retry until its time, and gives up after maxAttempts', async () => {
    const channel = new ScriptedTarget('discord', true);
    const outbox = await outboxWith(channel);
    channel.outcomes.push(...Array.from({ length: 4 }, () => new DeliveryError('HTTP 500', 'retry')));
    await store.addArticle(publishedAt('a', 100), { key: 'a', contentHash: null }, routed('a', 'discord:1'), clock);
    await store.addArticle(publishedAt('b', 200), { key: 'b', contentHash: null }, routed('b', 'discord:1'), clock);
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect((await outbox.drain()).attempted).toBe(1);
      const [head] = await status('discord:1');
      expect(head).toMatchObject({ articleId: 'a', attempts: attempt, status: 'pending' });
      expect(head!.nextAttemptAt - clock).toBeGreaterThanOrEqual(backoffDelay(attempt, POLICY, () => 0));
      expect((await outbox.drain()).attempted).toBe(0); // b waits behind a
      clock = head!.nextAttemptAt;
    }
    expect((await outbox.drain()).failed).toBe(1);
    expect(logged('delivery failed')).toEqual([expect.objectContaining({ article: 'a', reason: 'gave up after 4 attempts: HTTP 500' })]);
    expect(channel.sent).toEqual(['a', 'a', 'a', 'a', 'b']);
  });

  it('a permanent error fails at once and the next delivery goes', async () => {
    const channel = new ScriptedTarget('discord', true);
    const outbox = await outboxWith(channel);
    channel.outcomes.push(new DeliveryError('Unknown Channel', 'permanent'));
    await store.addArticle(publishedAt('a', 100), { key: 'a', contentHash: null }, routed('a', 'discord:1'), clock);
    await store.addArticle(publishedAt('b', 200), { key: 'b', contentHash: null }, routed('b', 'discord:1'), clock);
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
    await store.addArticle(publishedAt('a', 100), { key: 'a', contentHash: null }, routed('a', 'x', 'discord:1'), clock);
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
    await store.addArticle(publishedAt('a', 100), { key: 'a', contentHash: null }, routed('a', 'x'), clock);
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

  it('a send the target holds (its credentials refused) is not charged an attempt, however often, and says why once', async () => {
    const bluesky = new ScriptedTarget('bluesky', true);
    const outbox = await outboxWith(bluesky);
    const refused = 'Bluesky refused the login of herald.test (401): make a new app password';
    await store.addArticle(publishedAt('a', 100), { key: 'a', contentHash: null }, routed('a', 'bluesky'), clock);
    for (let check = 0; check < POLICY.maxAttempts + 2; check++) {
      bluesky.outcomes.push(new DeliveryError(refused, 'held', clock + 15_000));
      await outbox.drain();
      expect((await status('bluesky'))[0]).toMatchObject({ attempts: 0, status: 'pending', lastError: refused, nextAttemptAt: clock + 15_000 });
      clock += 15_000;
    }
    expect(logged('delivery waits').map((line) => line.reason)).toEqual([refused]);
    expect(logged('delivery will be retried')).toEqual([]);
    await outbox.drain();
    expect(await store.deliveryCounts()).toMatchObject({ sent: 1, failed: 0 });
    expect(logged('delivered')).toEqual([expect.objectContaining({ article: 'a', attempts: 1 })]);
  });

  it('gives each send its delivery options (template, style, priority) with the address', async () => {
    const channel = new ScriptedTarget('discord', true);
    const outbox = await outboxWith(channel);
    await store.addArticle(publishedAt('p2-a', 100), { key: 'a', contentHash: null }, routed('p2-a', 'discord:1'), clock);
    await outbox.drain();
    expect(channel.contexts).toEqual([{ address: '1', unknownOutcome: false, options: optionsOf('discord:1', 'p2-a') }]);
  });

  it('asks the kind\'s policy before each send: a wait holds the queue uncharged, a triage skips what it names and sends the rest', async () => {
    const x = new ScriptedTarget('x', false);
    const verdicts: Verdict[] = [{ kind: 'wait', until: clock + 60_000, reason: 'waiting for the daily cap to reset' }];
    const asked: Array<{ due: string; queue: Array<[string, number]> }> = [];
    x.policy = {
      async admit(due, queue) {
        asked.push({ due: due.article.id, queue: (await queue()).map((q) => [q.article.id, q.options.priority]) });
        return verdicts.shift() ?? { kind: 'send' };
      },
    };
    const outbox = await outboxWith(x);
    await store.addArticle(publishedAt('p1-old', 100), { key: 'old', contentHash: null }, routed('p1-old', 'x'), clock);
    await store.addArticle(publishedAt('p5-new', 200), { key: 'new', contentHash: null }, routed('p5-new', 'x'), clock);
    await outbox.drain();
    expect(x.sent).toEqual([]);
    expect((await status('x'))[0]).toMatchObject({ articleId: 'p1-old', attempts: 0, status: 'pending', lastError: 'waiting for the daily cap to reset' });
    clock += 60_000;
    verdicts.push({ kind: 'triage', skip: new Set([(await status('x'))[0]!.id]), reason: 'the cap leaves room for 1', logMessage: 'X post skipped' });
    await outbox.drain();
    expect(asked[1]).toEqual({ due: 'p1-old', queue: [['p1-old', 1], ['p5-new', 5]] });
    expect(x.sent).toEqual(['p5-new']);
    expect(logged('X post skipped')).toEqual([expect.objectContaining({ article: 'p1-old', target: 'x', reason: 'the cap leaves room for 1' })]);
    expect(await store.deliveryCounts()).toMatchObject({ sent: 1, skipped: 1, pending: 0 });
  });
});

const adminUrl = inject('postgresAdminUrl');

describe.skipIf(!adminUrl)('outboxes sharing a PostgreSQL database', () => {
  it('leave the queue of a kind they cannot send to the process that can: X deliveries go out at once', async () => {
    const url = await createDatabase(adminUrl!, `outbox_kinds_${process.pid}`);
    const [here, there] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    const log = createLogger({ level: 'silent', secrets: [] });
    const outbox = (store: Store, owner: string, ...targets: ScriptedTarget[]) =>
      new Outbox({
        store,
        targets: new Map(targets.map((t) => [t.kind, { target: t, idempotent: t.idempotent, canEdit: false }])),
        unconfigured: new Map(['discord', 'x'].filter((kind) => !targets.some((t) => t.kind === kind)).map((kind) => [kind, `set the ${kind} credentials`])),
        retry: POLICY,
        log,
        owner,
      });
    const channelHere = new ScriptedTarget('discord', true);
    const channelThere = new ScriptedTarget('discord', true);
    const x = new ScriptedTarget('x', false);
    // This process has no X credentials; the other one has.
    const withoutX = outbox(here, 'without-x', channelHere);
    const withX = outbox(there, 'with-x', channelThere, x);
    try {
      await here.addArticle(publishedAt('story', 100), { key: 'story', contentHash: null }, routed('story', 'discord:1', 'x'), Date.now());
      withoutX.start();
      await waitFor('the Discord post from the first process', () => channelHere.sent.length === 1, 10_000, 50);
      withX.start();
      await waitFor('the X post from the process with X', () => x.sent.length === 1, 5_000, 50);
      expect(x.sent).toEqual(['story']);
      expect(channelThere.sent).toEqual([]);
      expect((await there.unfinishedFor('x')).length).toBe(0);
    } finally {
      await Promise.all([withoutX.stop(), withX.stop()]);
      await Promise.all([here.close(), there.close()]);
    }
  });
});
