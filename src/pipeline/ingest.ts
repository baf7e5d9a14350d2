import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { Article, ArticlePreparer } from '../articles/article.js';
import { canonicalUrl, itemKey } from '../articles/identity.js';
import type { FeedConfig } from '../config/config.js';
import { narrowMatches } from '../deliveries/options.js';
import type { FilterFacts } from '../config/filter.js';
import type { FeedItem, ParsedFeed } from '../sources/feed.js';
import { discoverFeed, pageProblem } from '../sources/discover.js';
import { fetchFeed, type FeedFetch, type FeedLimits, type FetchedFeed, type Validators } from '../sources/fetch.js';
import { FetchError, isFilePath, type HttpClient } from '../sources/http.js';
import { FeedParseError, pageError } from '../sources/parse.js';
import type { Articles, FeedState, FeedStates, NewDelivery, SeenItems } from '../store/store.js';

/** What Herald compares to notice that a publisher edited an item. */
function contentHash(item: FeedItem): string {
  return createHash('sha1').update(`${item.title ?? ''}\n${item.summary ?? ''}`).digest('base64url');
}

/** Items edited by their publisher that are re-read per poll, at most. */
const MAX_REVISIONS_PER_POLL = 20;

/** At most this many new items are processed per poll; the rest stay unseen for the next one. */
const MAX_NEW_PER_POLL = 100;
/** Article pages fetched at once for one feed. */
const PAGE_CONCURRENCY = 4;

export interface PollOutcome {
  feedId: string;
  /**
   * elsewhere: another Herald process polls this feed (its share of the feeds, or it holds the lease; shared PostgreSQL).
   * held: the feed's host asked to be left alone until `heldUntil` (429/503 with Retry-After); not a failure.
   */
  status: 'not-modified' | 'ok' | 'failed' | 'held' | 'elsewhere';
  newArticles: number;
  /** Consecutive failed polls, this one included (0 after a success; unchanged by a held poll). */
  failures: number;
  error?: string;
  /** With status held: no request to the feed's host before this time (epoch ms). */
  heldUntil?: number;
  /** What the feed's server answered (for push discovery and the next interval); absent when it failed or was not polled. */
  fetched?: FeedFetch;
}

/**
 * Where each feed is read from, by feed id: its configured URL (the same string) when that answered
 * with a feed, else the feed a web page there links (discovery). Kept in the feed's state
 * (FeedState.readUrl, for the url then configured) across restarts; forgotten when the feed is
 * removed or changed (FeedScheduler.remove), so a new URL is looked at afresh.
 */
type FeedAddresses = Map<string, string>;

export interface IngestDeps {
  store: FeedStates & SeenItems & Articles;
  /** Fetches the feeds, each with its own reach (FeedConfig.privateNetwork); article pages go through `articles`. */
  http: HttpClient;
  articles: ArticlePreparer;
  log: Logger;
  /** The deliveries (target key and route options) a feed's new article gets, its routes' filters applied to `facts`. */
  deliveriesFor(feedId: string, facts: FilterFacts): NewDelivery[];
  /** The names of the top-level `filters:` an article with `facts` matches now (an edited article's deliveries keep only those: deliveries/options.ts narrowMatches). */
  matchedFilters(facts: FilterFacts): string[];
  /**
   * Deliveries the destination kinds add to a new article beside its routed ones (members' alert
   * DMs); absent: none. A failure here is logged and the article keeps its routed deliveries.
   */
  moreDeliveries?(article: Article, facts: FilterFacts, routed: readonly NewDelivery[]): Promise<NewDelivery[]>;
  /** What to do when a publisher edits an item already posted: edit the messages, or ignore it. */
  updates: 'edit' | 'ignore';
  feedLimits: FeedLimits;
  /** Where each feed is read from (filled as feeds are polled; see fetchWatched). */
  addresses: FeedAddresses;
  /** Called after new deliveries were recorded, so the outbox can start on them at once. */
  onNewDeliveries(): void;
  /** Clock, in ms since the epoch. */
  now?: () => number;
}

/** An article as route filters read it: its text fields, the main text and the page's language. */
export function filterFacts(article: Article, text: string, language: string | null): FilterFacts {
  return {
    title: article.title,
    summary: article.summary,
    text,
    categories: (article.categories ?? []).join('\n'),
    author: article.author ?? '',
    link: article.url,
    language: language ?? '',
  };
}

function newestFirst(a: FeedItem, b: FeedItem): number {
  return (b.publishedAt?.getTime() ?? 0) - (a.publishedAt?.getTime() ?? 0);
}

/**
 * One poll of one feed, from its state as claimed: fetch (conditional), parse, find unseen items, turn
 * each into an article and record its deliveries. Validators are saved only after every new item was recorded, so a crash
 * mid-poll refetches and nothing is lost. Never throws: a failed poll is recorded in the feed's state.
 * A poll the feed's host held back (429/503 with Retry-After, RFC 9110 §10.2.3) is recorded as held
 * until the time it gave: not a failure, so it neither adds to the failures in a row nor clears them.
 */
export async function pollFeed(feed: FeedConfig, deps: IngestDeps, state: FeedState): Promise<PollOutcome> {
  const now = deps.now ?? Date.now;
  const { store, log } = deps;
  const startedAt = now();
  // Where this url was read as a feed before (another run of Herald): read there again, not searched afresh.
  if (!deps.addresses.has(feed.id) && state.readUrl !== null && state.readFor === feed.url) deps.addresses.set(feed.id, state.readUrl);
  const readFrom = () => ({ readUrl: deps.addresses.get(feed.id) ?? null, readFor: feed.url });
  try {
    const validators = state.initialized ? { etag: state.etag, lastModified: state.lastModified } : { etag: null, lastModified: null };
    const response = await fetchWatched(feed, deps, validators, new Date(startedAt));
    if (response.status === 'not-modified') {
      await store.saveFeedState({ ...state, lastPollAt: startedAt, lastSuccessAt: startedAt, failures: 0, lastError: null, heldUntil: null, ...readFrom() });
      return { feedId: feed.id, status: 'not-modified', newArticles: 0, failures: 0, fetched: response };
    }
    const { newArticles, capped } = await ingestItems(feed, response.feed, deps, !state.initialized);
    await store.saveFeedState({
      ...state,
      // When items were left for the next poll, forget the validators so that poll sees them.
      etag: capped ? null : response.etag,
      lastModified: capped ? null : response.lastModified,
      initialized: true,
      lastPollAt: startedAt,
      lastSuccessAt: startedAt,
      failures: 0,
      lastError: null,
      heldUntil: null,
      ...readFrom(),
    });
    return { feedId: feed.id, status: 'ok', newArticles, failures: 0, fetched: response };
  } catch (error) {
    if (error instanceof FetchError && error.retryAt !== undefined) {
      const heldUntil = error.retryAt;
      await store.saveFeedState({ ...state, lastPollAt: startedAt, heldUntil, ...readFrom() });
      log.info({ feed: feed.id, url: feed.url, heldUntil: new Date(heldUntil).toISOString(), reason: error.message }, 'feed held: its host asked to come back later (Retry-After)');
      return { feedId: feed.id, status: 'held', newArticles: 0, failures: state.failures, heldUntil };
    }
    const reason = error instanceof FetchError ? `${error.kind}: ${error.message}` : (error as Error).message;
    await store.saveFeedState({ ...state, lastPollAt: startedAt, failures: state.failures + 1, lastError: reason, heldUntil: null, ...readFrom() });
    log.warn({ feed: feed.id, url: feed.url, failures: state.failures + 1, reason }, 'feed poll failed');
    return { feedId: feed.id, status: 'failed', newArticles: 0, failures: state.failures + 1, error: reason };
  }
}

type WatchDeps = Pick<IngestDeps, 'http' | 'feedLimits' | 'addresses' | 'log'>;

/**
 * Fetches a watched feed from where its configured URL leads. A URL that answers with a web page (a
 * site's home page or an article, as people copy them) the first time it is read in this process is
 * searched for its feed (sources/discover.ts: `<link rel="alternate">`, then the usual paths); the one
 * found is read from then on (also after a restart: pollFeed keeps it in the feed's state), and
 * logged with both URLs. The feed's id, and with it what was seen and posted, stays the same, so
 * nothing is posted twice. A URL that answered with a feed once is not searched later (an error page
 * then is a failed poll, not a new feed). The page is searched again only when the feed found on it
 * stops being one (HTTP 404 or 410, or not a feed), logged once. With
 * `validators`, may answer `not-modified`. Throws FetchError, FeedParseError (a broken feed's own), or an Error naming what the page links (none, or
 * several to choose from) and the fix: the feed's own URL in the config.
 */
export async function fetchWatched(feed: FeedConfig, deps: WatchDeps, validators: undefined, now: Date): Promise<FetchedFeed>;
export async function fetchWatched(feed: FeedConfig, deps: WatchDeps, validators: Validators, now: Date): Promise<FeedFetch>;
export async function fetchWatched(feed: FeedConfig, deps: WatchDeps, validators: Validators | undefined, now: Date): Promise<FeedFetch> {
  const http = deps.http.withPrivateNetwork(feed.privateNetwork);
  const known = deps.addresses.get(feed.id);
  try {
    const response = validators ? await fetchFeed(http, known ?? feed.url, deps.feedLimits, validators, now) : await fetchFeed(http, known ?? feed.url, deps.feedLimits, undefined, now);
    if (known === undefined) deps.addresses.set(feed.id, feed.url);
    return response;
  } catch (error) {
    // Only a web page is searched; a broken feed keeps its own parse error. A URL that answered with
    // a feed before is not searched: an error page it returns now is a failed poll. The feed a page
    // led to, when it is gone or no longer a feed, is looked for on the page again (a timeout or a
    // server error is a failed poll of that feed).
    if (isFilePath(feed.url) || known === feed.url) throw error;
    if (known === undefined) {
      if (!(error instanceof FeedParseError && error.page)) throw error;
    } else {
      if (!(error instanceof FeedParseError || (error instanceof FetchError && (error.status === 404 || error.status === 410)))) throw error;
      // Read from the page from now on until a feed is found on it again: this is said once, not at every poll.
      deps.addresses.delete(feed.id);
      const reason = error instanceof FetchError ? `${error.kind}: ${error.message}` : error.message;
      deps.log.info({ feed: feed.id, url: feed.url, feedUrl: known, reason }, 'the feed found on the configured page is gone or no longer a feed; searching the page again');
    }
  }
  const found = await discoverFeed(http, feed.url, deps.feedLimits, now);
  if (found.status !== 'feed') throw new Error(`${pageError().message} that ${pageProblem(found)}: put the feed's own URL in the config (feeds[].url)`);
  deps.addresses.set(feed.id, found.fetched.url);
  deps.log.info({ feed: feed.id, url: feed.url, feedUrl: found.fetched.url }, 'the configured page links a feed; reading that feed');
  return found.fetched;
}

/**
 * A feed's items as a WebSub hub pushed them (a fat ping): the same identity, dedupe and outbox as a
 * poll, so an item pushed twice, or pushed and polled, becomes one article with one delivery per
 * target. The feed's validators and failure count are left to polling. Returns how many new
 * articles were recorded; throws what the store throws.
 */
export async function ingestPushed(feed: FeedConfig, parsed: ParsedFeed, deps: IngestDeps): Promise<number> {
  return (await ingestItems(feed, parsed, deps, false)).newArticles;
}

/**
 * The unseen items of a parsed feed become articles and deliveries; on `firstSight`, only the
 * newest `backfill` do and the rest are remembered. `capped`: items were left for next time.
 */
async function ingestItems(feed: FeedConfig, parsed: ParsedFeed, deps: IngestDeps, firstSight: boolean): Promise<{ newArticles: number; capped: boolean }> {
  const now = deps.now ?? Date.now;
  const { store, log } = deps;
  const startedAt = now();

  const keyed = new Map<string, FeedItem>();
  for (const item of parsed.items) {
    const key = itemKey(item);
    if (key && !keyed.has(key)) keyed.set(key, item);
  }
  // One read tells both which items are new and, for those seen before, what they said then.
  const seen = await store.seenItems(feed.id, [...keyed.keys()]);
  const unseen = [...keyed.keys()].filter((key) => !seen.has(key));
  let toProcess = unseen.map((key) => ({ key, item: keyed.get(key)! }));
  if (firstSight) {
    // First sight: the newest `backfill` items are posted, the rest only remembered.
    const chosen = [...toProcess].sort((a, b) => newestFirst(a.item, b.item)).slice(0, feed.backfill);
    const chosenKeys = new Set(chosen.map((entry) => entry.key));
    const remembered = toProcess
      .filter((entry) => !chosenKeys.has(entry.key))
      .map((entry) => ({ key: entry.key, url: entry.item.url ? canonicalUrl(entry.item.url) : null, contentHash: contentHash(entry.item) }));
    await store.markSeen(feed.id, remembered, startedAt);
    toProcess = toProcess.filter((entry) => chosenKeys.has(entry.key));
  }
  const capped = toProcess.length > MAX_NEW_PER_POLL;
  // Oldest first, so deliveries are recorded (and posted) in publication order.
  const batch = toProcess.sort((a, b) => -newestFirst(a.item, b.item)).slice(0, MAX_NEW_PER_POLL);

  let newArticles = 0;
  const feedName = parsed.title ?? feed.name;
  // Pages are read side by side, but each item is recorded only after the one before it: an item
  // whose page came back first must not reach the outbox (and its target) before an older one. If an
  // older item could not be recorded (the store refused the write), the newer ones wait for the next
  // poll too, so the retry still records them oldest first.
  const recorded = batch.map(() => {
    let done: (ok: boolean) => void = () => {};
    const promise = new Promise<boolean>((resolve) => (done = resolve));
    return { promise, done };
  });
  const olderRecorded = (index: number) => (index === 0 ? Promise.resolve(true) : recorded[index - 1]!.promise);
  await pLimit(PAGE_CONCURRENCY).map(batch, async (entry, index) => {
    let ok = false;
    try {
      const prepared = await deps.articles.prepare({ feedId: feed.id, feedName, siteName: feed.siteName, item: entry.item }, feed);
      if (await olderRecorded(index)) {
        await recordItem(entry, prepared);
        ok = true;
      }
    } finally {
      recorded[index]!.done(ok);
    }
  });
  async function recordItem({ key, item }: { key: string; item: FeedItem }, { article, text, language, pageFailure, pageRejected }: Awaited<ReturnType<IngestDeps['articles']['prepare']>>): Promise<void> {
    if (pageFailure) log.warn({ feed: feed.id, item: key, url: item.url, reason: pageFailure }, 'article page unavailable; using the feed content');
    if (pageRejected) log.debug({ feed: feed.id, item: key, url: item.url, reason: pageRejected }, "article page is not the item's article; using the feed content");
    if (!article) {
      log.warn({ feed: feed.id, item: key }, 'item has no usable link; skipped');
      await store.markSeen(feed.id, [{ key, url: null }], now());
      return;
    }
    const facts = filterFacts(article, text, language);
    const routed = deps.deliveriesFor(feed.id, facts);
    const more = deps.moreDeliveries
      ? await deps.moreDeliveries(article, facts, routed).catch((error: unknown) => {
          log.warn({ feed: feed.id, article: article.id, err: error }, 'could not add the deliveries of members’ alerts');
          return [];
        })
      : [];
    const deliveries = [...routed, ...more];
    const queued = await store.addArticle(article, { key, contentHash: contentHash(item) }, deliveries, now());
    newArticles++;
    const filtered = deliveries.flatMap(({ target, options, heldBack }) => {
      const passedBy = options.filter;
      return heldBack ? [{ target, pass: false, reason: heldBack }] : typeof passedBy === 'string' ? [{ target, pass: true, reason: passedBy }] : [];
    });
    log.info({ feed: feed.id, article: article.id, url: article.url, targets: queued, ...(filtered.length > 0 ? { filtered } : {}) }, 'new article');
  }
  const revised = await reviseEditedItems(feed, feedName, [...keyed].filter(([key]) => seen.has(key)), seen, deps);
  if (newArticles > 0 || revised > 0) deps.onNewDeliveries();
  return { newArticles, capped };
}

/**
 * Items seen before whose title or description changed (against `stored`, their records as read
 * before this poll): with `updates: edit`, the article is re-read and revised, and its sent
 * messages become due for an edit. Returns how many were revised.
 */
async function reviseEditedItems(
  feed: FeedConfig,
  feedName: string,
  seenEntries: Array<[string, FeedItem]>,
  stored: Map<string, { contentHash: string | null; articleId: string | null }>,
  deps: IngestDeps,
): Promise<number> {
  const changed = seenEntries.filter(([key, item]) => {
    const previous = stored.get(key);
    return previous !== undefined && previous.contentHash !== contentHash(item);
  });
  let revised = 0;
  for (const [key, item] of changed.slice(0, MAX_REVISIONS_PER_POLL)) {
    const previous = stored.get(key)!;
    // Rows from before hashes were kept have none: record it, there is nothing to compare with.
    if (deps.updates === 'edit' && previous.contentHash !== null && previous.articleId) {
      const { article, text, language } = await deps.articles.prepare({ feedId: feed.id, feedName, siteName: feed.siteName, item }, feed);
      // The filters are matched afresh before the revision makes the messages due for an edit, so
      // the edit renders with them: a role ping the edited text no longer earns is gone.
      if (article) {
        const matched = deps.matchedFilters(filterFacts(article, text, language));
        await deps.store.rewriteDeliveryOptions(previous.articleId, (options) => narrowMatches(options, matched));
      }
      if (article && (await deps.store.reviseArticle(previous.articleId, { title: article.title, summary: article.summary }))) {
        revised++;
        deps.log.info({ feed: feed.id, article: previous.articleId, item: key }, 'article edited by its publisher; messages will be updated');
      }
    }
    await deps.store.setContentHash(feed.id, key, contentHash(item));
  }
  return revised;
}
