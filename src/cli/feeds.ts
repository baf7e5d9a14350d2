import { readFileSync, writeFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { ConfigError, loadConfigFile, parseConfig } from '../config/config.js';
import type { Env, Environment } from '../config/env.js';
import { feedIdFor, feedsFromOpml, importableUrl, opmlFromFeeds, OpmlError, type OpmlFeed } from '../sources/opml.js';
import { feedUrlKey } from '../text/url.js';
import { openStore } from '../store/open.js';
import { TARGET_KINDS } from '../targets/index.js';

/**
 * A route destination as written on the command line: `<kind>:<address>` (`discord:123…`) or a kind
 * with one destination (`x`), as the config file's `to:` entry.
 */
function destinationOf(route: string): Record<string, unknown> {
  const colon = route.indexOf(':');
  return colon < 0 ? { [route]: {} } : { [route.slice(0, colon)]: route.slice(colon + 1) };
}

/** Appends `values` to the document's top-level sequence `key` (made when missing), written as a block list. */
function appendTo(document: Document, key: string, values: readonly unknown[]): void {
  const existing = document.get(key);
  const list = isSeq(existing) ? existing : document.createNode([]);
  // `feeds: []` would otherwise grow as one long flow list.
  list.flow = false;
  for (const value of values) list.add(document.createNode(value));
  document.set(key, list);
}

/**
 * `herald feeds import <file.opml> [--route <kind[:address]>]…`: adds the OPML's feeds that the
 * config file does not have yet (by URL) to its `feeds:` (id from the title, name, category from the
 * outline folders), and with `--route` one route sending them there. The file keeps its comments and
 * order; nothing is written when the result would not load. Prints what it did; returns the exit status.
 * Throws ConfigError (exit 2) for an unreadable or invalid config file or OPML.
 */
export function importOpml(opmlFile: string, routes: readonly string[], env: Env, environment: Environment, print: (line: string) => void): number {
  let opml: OpmlFeed[];
  try {
    opml = feedsFromOpml(readFileSync(opmlFile, 'utf8'));
  } catch (error) {
    if (error instanceof OpmlError) throw new ConfigError(`${opmlFile}: ${error.message}`);
    throw new ConfigError(`${opmlFile}: cannot read the OPML file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const config = loadConfigFile(env.configFile, TARGET_KINDS, environment);
  const document: Document = parseDocument(readFileSync(env.configFile, 'utf8'));
  const known = new Set(config.feeds.map((feed) => feedUrlKey(feed.url) ?? feed.url));
  const ids = new Set(config.feeds.map((feed) => feed.id));
  const added: Array<{ id: string; url: string; name?: string; category?: string }> = [];
  const skipped: string[] = [];
  let already = 0;
  for (const feed of opml) {
    // An import never sets feeds[].privateNetwork, so a private address could not be read.
    const importable = importableUrl(feed.url, false);
    if ('problem' in importable) {
      skipped.push(`${feed.url.slice(0, 200)}: ${importable.problem}`);
      continue;
    }
    if (known.has(importable.url)) {
      already++;
      continue;
    }
    const base = feedIdFor(feed);
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
    ids.add(id);
    known.add(importable.url);
    added.push({ id, url: importable.url, ...(feed.title ? { name: feed.title.slice(0, 100) } : {}), ...(feed.category ? { category: feed.category.slice(0, 200) } : {}) });
  }
  if (added.length > 0) {
    appendTo(document, 'feeds', added);
    if (routes.length > 0) appendTo(document, 'routes', [{ feeds: added.map((feed) => feed.id), to: routes.map(destinationOf) }]);
    // Checked as Herald will read it before anything is written.
    parseConfig(isMap(document.contents) ? document.toJS() : {}, env.configFile, TARGET_KINDS, environment);
    writeFileSync(env.configFile, document.toString());
  }
  print(`${env.configFile}: ${added.length} feed${added.length === 1 ? '' : 's'} added, ${already} already there${skipped.length > 0 ? `, ${skipped.length} skipped` : ''}${added.length > 0 && routes.length > 0 ? `, routed to ${routes.join(', ')}` : ''}`);
  for (const line of skipped) print(`  skipped ${line}`);
  return 0;
}

/**
 * `herald feeds export`: every feed Herald watches (the config file's, then those added from Discord)
 * as an OPML 2.0 subscription list on stdout, categories as folders. Returns the exit status.
 */
export async function exportOpml(env: Env, environment: Environment, print: (text: string) => void): Promise<number> {
  const config = loadConfigFile(env.configFile, TARGET_KINDS, environment);
  const store = await openStore(env.databaseUrl);
  try {
    const fromConfig: OpmlFeed[] = config.feeds.map((feed) => ({ url: feed.url, title: feed.name, siteUrl: null, category: feed.category }));
    const fromDiscord: OpmlFeed[] = (await store.discordFeeds()).map((feed) => ({ url: feed.url, title: feed.name, siteUrl: null, category: 'Discord' }));
    const configured = new Set(fromConfig.map((feed) => feed.url));
    print(opmlFromFeeds([...fromConfig, ...fromDiscord.filter((feed) => !configured.has(feed.url))], 'Herald feeds', new Date()));
    return 0;
  } finally {
    await store.close();
  }
}
