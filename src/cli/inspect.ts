import { summarize } from '../articles/summarize.js';
import type { Env } from '../config/env.js';
import { EXTRACTION_DEFAULTS, HTTP_DEFAULTS } from '../config/schema.js';
import { createExtractionPool } from '../pipeline/extraction.js';
import { charsetOf, decodeBytes } from '../sources/decode.js';
import { discoverFeed, pageProblem } from '../sources/discover.js';
import { feedToJson, type ParsedFeed } from '../sources/feed.js';
import { fetchFeed } from '../sources/fetch.js';
import { createHttpClient, FetchError, isFilePath, type HttpClient } from '../sources/http.js';
import { counted } from '../text/count.js';
import { USER_AGENT } from '../version.js';

/**
 * Feeds are read within the bot's default limits (config `http`: bytes, ms), so `inspect` shows what
 * `run` would read, or refuses what it would refuse, with the same reason.
 */
export const FEED_LIMITS = { maxBytes: HTTP_DEFAULTS.maxFeedBytes, timeoutMs: HTTP_DEFAULTS.timeoutMs };

/** Article pages likewise (config `http.maxPageBytes`, `http.timeout`). */
const PAGE_LIMITS = { maxBytes: HTTP_DEFAULTS.maxPageBytes, timeoutMs: HTTP_DEFAULTS.timeoutMs };

export function describeFailure(error: unknown): string {
  if (error instanceof FetchError && error.kind === 'blocked') return `${error.message} (HERALD_ALLOW_PRIVATE_NETWORK=1 allows loopback and private addresses; link-local and cloud metadata ones never)`;
  if (error instanceof FetchError) return `${error.kind}: ${error.message}`;
  return (error as Error)?.message ?? String(error);
}

async function fetchText(http: HttpClient, input: string, accept: string): Promise<{ text: string; url: string | null }> {
  const result = await http.fetch(input, { accept, ...PAGE_LIMITS });
  if (result.status !== 'ok') throw new Error('unexpected 304');
  return { text: decodeBytes(result.body, charsetOf(result.contentType)), url: isFilePath(result.url) ? null : result.url };
}


/**
 * The feed at an http(s) URL, or the one feed the page there leads to (sources/discover.ts).
 * Throws naming the feeds to choose from when the page links several, or saying it links none.
 */
export async function discoveredFeed(http: HttpClient, url: string, limits: { maxBytes: number; timeoutMs: number } = FEED_LIMITS): Promise<ParsedFeed> {
  const found = await discoverFeed(http, url, limits);
  if (found.status === 'feed') return found.fetched.feed;
  throw new Error(`not a feed: the document is an HTML page that ${pageProblem(found)}${found.status === 'choose' ? '; give one of them' : ''}`);
}

/** Runs `each` over every input in order, printing one result per input; exit 1 if any failed. */
async function forEachInput(inputs: string[], env: Env, each: (http: HttpClient, input: string) => Promise<string>, failure: (input: string, reason: string) => string): Promise<number> {
  const http = createHttpClient({ userAgent: USER_AGENT, allowPrivateNetwork: env.allowPrivateNetwork });
  let failed = 0;
  try {
    for (const input of inputs) {
      try {
        process.stdout.write(`${await each(http, input)}\n`);
      } catch (error) {
        failed++;
        process.stdout.write(`${failure(input, describeFailure(error))}\n`);
      }
    }
  } finally {
    await http.close();
  }
  return failed > 0 ? 1 : 0;
}

export function inspectFeeds(inputs: string[], json: boolean, env: Env): Promise<number> {
  return forEachInput(
    inputs,
    env,
    async (http, input) => {
      const feed = isFilePath(input) ? (await fetchFeed(http, input, FEED_LIMITS)).feed : await discoveredFeed(http, input);
      if (json) return JSON.stringify(feedToJson(input, feed));
      const lines = [`${input}: ${feed.format} feed "${feed.title ?? '(untitled)'}"${feed.link ? ` <${feed.link}>` : ''}, ${counted(feed.items.length, 'item')}`];
      for (const item of feed.items) {
        lines.push(`  - ${item.title ?? '(untitled)'}${item.publishedAt ? ` [${item.publishedAt.toISOString()}]` : ''}\n    ${item.url ?? '(no link)'}`);
      }
      return lines.join('\n');
    },
    (input, reason) => (json ? JSON.stringify({ input, error: reason }) : `${input}: error: ${reason}`),
  );
}

/**
 * Prints each page's article as the bot reads it: fetched within the bot's page limits and extracted
 * in a worker within its extraction limits (config `extraction`: a page nested too deep or taking too
 * long is refused with the bot's reason). Resolves to the exit code: 1 when any input failed.
 */
export async function inspectArticles(inputs: string[], json: boolean, env: Env): Promise<number> {
  const extraction = createExtractionPool({ ...EXTRACTION_DEFAULTS, threads: 1 });
  try {
    return await forEachInput(inputs, env, (http, input) => inspectArticle(http, input, json, extraction), (input, reason) => (json ? JSON.stringify({ input, error: reason }) : `${input}: error: ${reason}`));
  } finally {
    await extraction.close();
  }
}

/** One page, fetched and extracted as the bot would (see inspectArticles); throws the reason it could not be read. */
async function inspectArticle(http: HttpClient, input: string, json: boolean, extraction: ReturnType<typeof createExtractionPool>): Promise<string> {
  const { text: html, url } = await fetchText(http, input, 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5');
  const extracted = await extraction.extract(html, url);
  if (!extracted.ok) throw new Error(`${extracted.kind}: ${extracted.reason}`);
  const page = extracted.page;
  const summary = summarize(page.text);
  const result = {
    input,
    url: page.url,
    title: page.title,
    byline: page.byline,
    siteName: page.siteName,
    publishedAt: page.publishedAt?.toISOString() ?? null,
    lang: page.lang,
    imageUrl: page.imageUrl,
    text: page.text,
    summary,
  };
  if (json) return JSON.stringify(result);
  return [
    `${input}`,
    `  title:     ${result.title ?? '(none)'}`,
    `  url:       ${result.url ?? '(none)'}`,
    `  byline:    ${result.byline ?? '(none)'}`,
    `  site:      ${result.siteName ?? '(none)'}`,
    `  published: ${result.publishedAt ?? '(unknown)'}`,
    `  image:     ${result.imageUrl ?? '(none)'}`,
    `  text:      ${page.text.split(/\s+/).filter(Boolean).length} words`,
    `  summary:   ${summary || '(no readable text found)'}`,
  ].join('\n');
}
