import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Article } from '../../src/articles/article.js';
import { parseConfig } from '../../src/config/config.js';
import { Outbox } from '../../src/deliveries/outbox.js';
import type { SendContext, Target } from '../../src/deliveries/target.js';
import { createLogger } from '../../src/ops/logger.js';
import { FeedRegistry } from '../../src/pipeline/registry.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { TARGET_KINDS } from '../../src/targets/index.js';
import { publishedAt } from '../builders.js';

const CHANNEL = '123456789012345678';

/** A config whose feed "news" goes to Discord and to X with a template; `version` tells two apart. */
function config(version: string) {
  return parseConfig(
    {
      feeds: [{ id: 'news', url: 'https://news.example/rss', name: `News ${version}`, color: version === 'one' ? '#112233' : '#445566', priority: version === 'one' ? 3 : 7 }],
      routes: [{ feeds: ['news'], to: [{ discord: CHANNEL }, { x: { template: `${version}: {title} {url}` } }] }],
    },
    'test',
    TARGET_KINDS,
  );
}

/** Records every send with the context it came with. */
class RecordingTarget implements Target {
  readonly sends: Array<{ article: string; context: SendContext }> = [];
  constructor(readonly kind: string) {}
  async send(article: Article, context: SendContext) {
    this.sends.push({ article: article.id, context });
    return { remoteId: `m-${this.sends.length}` };
  }
}

describe('route options travel with the delivery', () => {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'info', secrets: [], stream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  const path = () => join(mkdtempSync(join(tmpdir(), 'herald-route-options-')), 'test.db');
  let store: Store | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
    lines.length = 0;
  });

  /** Sends everything due to recording Discord and X targets; returns them. */
  async function drain(on: Store) {
    const discord = new RecordingTarget('discord');
    const x = new RecordingTarget('x');
    const targets = new Map([discord, x].map((target) => [target.kind, { target, idempotent: true, canEdit: false }]));
    await new Outbox({ store: on, targets, retry: { maxAttempts: 3, baseMs: 1_000, maxMs: 10_000 }, log, owner: 'test', now: () => 10_000 }).drain();
    return { discord, x };
  }

  it('a queued delivery keeps the options it was recorded with across a config reload and a restart', async () => {
    const file = path();
    store = await openSqliteStore(file);
    const feeds = new FeedRegistry(config('one'), store);
    await feeds.load();
    expect(await store.addArticle(publishedAt('a', 1_000), { key: 'a', contentHash: null }, feeds.deliveriesFor('news'), 5_000)).toEqual([`discord:${CHANNEL}`, 'x']);
    feeds.replaceConfig(config('two'));
    await store.close();

    // A restart under the new config: what was queued before goes out as it was routed then.
    store = await openSqliteStore(file);
    const restarted = new FeedRegistry(config('two'), store);
    await restarted.load();
    expect(await store.fillDeliveryOptions((feedId, target) => restarted.optionsFor(feedId, target))).toBe(0);
    await store.addArticle(publishedAt('b', 2_000), { key: 'b', contentHash: null }, restarted.deliveriesFor('news'), 6_000);
    const { discord, x } = await drain(store);
    const one = { style: { name: 'News one', color: 0x112233 }, priority: 3, filter: null };
    const two = { style: { name: 'News two', color: 0x445566 }, priority: 7, filter: null };
    expect(discord.sends).toEqual([
      { article: 'a', context: { address: CHANNEL, unknownOutcome: false, options: { template: null, ...one } } },
      { article: 'b', context: { address: CHANNEL, unknownOutcome: false, options: { template: null, ...two } } },
    ]);
    expect(x.sends.map((send) => [send.article, send.context.options])).toEqual([
      ['a', { template: 'one: {title} {url}', ...one }],
      ['b', { template: 'two: {title} {url}', ...two }],
    ]);
    expect(lines.filter((line) => line.msg === 'delivery has no usable options; sent with the defaults')).toEqual([]);
  });

  it('a delivery queued by a release that kept no options gets the config’s at start, and one that still has none is sent with the defaults', async () => {
    const file = path();
    store = await openSqliteStore(file);
    const feeds = new FeedRegistry(config('one'), store);
    await feeds.load();
    await store.addArticle(publishedAt('old', 1_000), { key: 'old', contentHash: null }, feeds.deliveriesFor('news'), 5_000);
    await store.close();
    // As an earlier release left the row: no options.
    const db = new Database(file);
    db.exec('UPDATE deliveries SET options = NULL');
    db.close();

    store = await openSqliteStore(file);
    const restarted = new FeedRegistry(config('two'), store);
    await restarted.load();
    expect(await store.fillDeliveryOptions((feedId, target) => restarted.optionsFor(feedId, target))).toBe(2);
    const filled = await drain(store);
    expect(filled.discord.sends.map((send) => send.context.options)).toEqual([{ template: null, style: { name: 'News two', color: 0x445566 }, priority: 7, filter: null }]);
    expect(filled.x.sends.map((send) => send.context.options.template)).toEqual(['two: {title} {url}']);

    // Written after the fill by an older process sharing the database, or damaged: sent all the same.
    await store.addArticle(publishedAt('late', 2_000), { key: 'late', contentHash: null }, restarted.deliveriesFor('news'), 6_000);
    await store.close();
    const again = new Database(file);
    again.exec(`UPDATE deliveries SET options = CASE target WHEN 'x' THEN NULL ELSE '{"style":"not an object"}' END WHERE article_id = 'late'`);
    again.close();
    store = await openSqliteStore(file);
    const unfilled = await drain(store);
    const defaults = { template: null, style: { name: 'news', color: 0x5865f2 }, priority: 0 };
    expect([...unfilled.discord.sends, ...unfilled.x.sends].map((send) => [send.article, send.context.options])).toEqual([
      ['late', defaults],
      ['late', defaults],
    ]);
    expect(lines.filter((line) => line.msg === 'delivery has no usable options; sent with the defaults')).toHaveLength(2);
  });
});
