import { DISCORD_SUMMARY } from '../articles/summarize.js';
import { ConfigError, matchingFilters, routeArticle, type Config, type RoutedDestination } from '../config/config.js';
import type { Env } from '../config/env.js';
import { EXTRACTION_DEFAULTS, HTTP_DEFAULTS } from '../config/schema.js';
import { redactUrlSecrets } from '../ops/redact.js';
import { createExtractionPool } from '../pipeline/extraction.js';
import { filterFacts } from '../pipeline/ingest.js';
import type { FilterFacts } from '../config/filter.js';
import { articlePreparer } from '../pipeline/pages.js';
import { fetchFeed } from '../sources/fetch.js';
import { createHttpClient, isFilePath } from '../sources/http.js';
import { TARGET_KINDS } from '../targets/index.js';
import { counted } from '../text/count.js';
import { USER_AGENT } from '../version.js';
import { describeFailure, discoveredFeed, FEED_LIMITS } from './inspect.js';
import { createProgressLine } from './progress.js';

/** Shows, for the newest `limit` items of a feed, exactly what would be posted to each target. */
export async function preview(feedOrUrl: string, limit: number, env: Env, config: Config | null): Promise<number> {
  const configured = config?.feeds.find((feed) => feed.id === feedOrUrl);
  if (!configured && /^[a-z0-9-]+$/.test(feedOrUrl) && config) {
    throw new ConfigError(`${config.file}: no feed with id "${feedOrUrl}" (known: ${config.feeds.map((f) => f.id).join(', ') || 'none'})`);
  }
  const feedId = configured?.id ?? 'preview';
  const url = configured?.url ?? feedOrUrl;
  const routed = config ? routeArticle(config, feedId, null) : [];
  // A feed without routes (or a bare URL) is shown as it would look on each kind of target.
  const destinationsOf = (facts: FilterFacts): RoutedDestination[] =>
    configured && routed.length > 0
      ? routeArticle(config!, feedId, facts)
      : TARGET_KINDS.map((kind) => ({ kind: kind.name, address: kind.sampleAddress, template: routed.find((d) => d.kind === kind.name)?.template ?? null, verdict: { pass: true, reason: null }, approval: null }));
  const style = { name: configured?.name ?? feedId, color: configured?.color ?? 0x5865f2 };
  // A configured feed reaches what it would in a run; an ad-hoc URL only with HERALD_ALLOW_PRIVATE_NETWORK.
  const reach = { privateNetwork: env.allowPrivateNetwork || (configured?.privateNetwork ?? false) };
  const http = createHttpClient({ userAgent: USER_AGENT, allowPrivateNetwork: reach.privateNetwork });
  const extraction = createExtractionPool({ timeoutMs: config?.extraction.timeoutMs ?? EXTRACTION_DEFAULTS.timeoutMs, maxDepth: config?.extraction.maxDepth ?? EXTRACTION_DEFAULTS.maxDepth, threads: 1 });
  const articles = articlePreparer({
    http,
    extraction,
    pageLimits: { maxBytes: config?.http.maxPageBytes ?? HTTP_DEFAULTS.maxPageBytes, timeoutMs: config?.http.timeoutMs ?? HTTP_DEFAULTS.timeoutMs },
    summary: config?.summary ?? DISCORD_SUMMARY,
  });
  const progress = createProgressLine(process.stderr);
  const print = (text: string) => {
    progress?.clear();
    process.stdout.write(`${text}\n`);
  };
  const printers = new Map(TARGET_KINDS.map((kind) => [kind.name, kind.printer(print, () => config)]));
  try {
    const feedLimits = config ? { maxBytes: config.http.maxFeedBytes, timeoutMs: config.http.timeoutMs } : FEED_LIMITS;
    const feed = isFilePath(url) ? (await fetchFeed(http, url, feedLimits)).feed : await discoveredFeed(http, url, feedLimits);
    const items = [...feed.items]
      .map((item, index) => ({ item, index }))
      .sort((a, b) => (b.item.publishedAt?.getTime() ?? 0) - (a.item.publishedAt?.getTime() ?? 0) || a.index - b.index)
      .slice(0, limit);
    print(`${feed.title ?? redactUrlSecrets(url)}: the newest ${items.length} of ${counted(feed.items.length, 'item')}\n`);
    for (const [position, { item }] of items.entries()) {
      progress?.show(`preparing ${position + 1}/${items.length}…`);
      const { article, text, language, pageFailure, pageRejected } = await articles.prepare({ feedId, feedName: feed.title ?? feedId, siteName: configured?.siteName ?? null, item }, reach);
      progress?.clear();
      if (!article) {
        print(`(item "${item.title ?? item.id}" has no usable link; it would be skipped)\n`);
        continue;
      }
      if (pageFailure) print(`(article page unavailable: ${pageFailure}; the feed's own text is used)`);
      if (pageRejected) print(`(article page set aside: ${pageRejected}; the feed's own text is used)`);
      const facts = filterFacts(article, text, language);
      const matches = config ? matchingFilters(config, facts) : [];
      for (const { kind, address, template, kindOptions, pacing, verdict } of destinationsOf(facts)) {
        if (verdict.reason) print(`(${address ? `${kind} ${address}` : kind}: ${verdict.reason})`);
        if (!verdict.pass) continue;
        await printers.get(kind)!.send(article, { address, unknownOutcome: false, options: { template, style, priority: configured?.priority ?? 0, ...(kindOptions ? { kindOptions } : {}), ...(pacing ? { pacing } : {}), matches } });
      }
    }
    return 0;
  } catch (error) {
    process.stderr.write(`herald: ${redactUrlSecrets(url)}: ${describeFailure(error)}\n`);
    return 1;
  } finally {
    await http.close();
    await extraction.close();
  }
}
