import { generateOpml, parseOpml, type Opml } from 'feedsmith';
import { feedUrlKey, safeHttpUrl } from '../text/url.js';
import { feedAddressProblem } from './addresses.js';

/** A feed as an OPML subscription list carries it (OPML 2.0 §"Subscription lists"). */
export interface OpmlFeed {
  /** `xmlUrl` as written (trimmed): check it with importableUrl before watching it. */
  url: string;
  /** `title`, else `text`; null when the outline has neither. */
  title: string | null;
  /** `htmlUrl`: the site's home page, or null. */
  siteUrl: string | null;
  /** The folders the outline sits in, outermost first, joined with "/" (null at the top level). */
  category: string | null;
}

/**
 * An id for an imported feed, by the config file's rule (lower-case letters, digits, dashes; at most
 * 60 characters): from its title, else its URL without the scheme.
 */
export function feedIdFor(feed: Pick<OpmlFeed, 'title' | 'url'>): string {
  const slug = (feed.title ?? feed.url.replace(/^https?:\/\/(www\.)?/i, ''))
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56)
    .replace(/-+$/, '');
  return slug || 'feed';
}

export class OpmlError extends Error {
  override name = 'OpmlError';
}

/** Largest OPML document read, in characters: a subscription list of many thousand feeds fits. */
const MAX_OPML_CHARS = 10_000_000;

/**
 * A feed's category from the names of the folders it sits in, outermost first: joined with `/`, a
 * `/` or `\` inside a name written `\/` or `\\`, so that a folder named `Tech/Slash` stays one folder.
 */
function categoryOf(folders: readonly string[]): string {
  return folders.map((name) => name.replace(/[\\/]/g, '\\$&')).join('/');
}

/** The folder names a category stands for (the inverse of categoryOf): split at each `/` not escaped by `\`, blank names left out. */
function foldersOf(category: string): string[] {
  const names = [''];
  for (let at = 0; at < category.length; at++) {
    const char = category[at]!;
    if (char === '\\' && at + 1 < category.length) names[names.length - 1] += category[++at]!;
    else if (char === '/') names.push('');
    else names[names.length - 1] += char;
  }
  return names.map((name) => name.trim()).filter(Boolean);
}

/**
 * The feeds of an OPML document (OPML 2.0, http://opml.org/spec2.opml), parsed with feedsmith: every
 * outline with an `xmlUrl`, at any depth, with the titles of the outlines around it as its category
 * (categoryOf: a `/` in a folder's title is escaped, so the category names the same folders).
 * An outline without `xmlUrl` is a folder. The same `xmlUrl` twice is kept once (the first); whether
 * a URL may be watched is importableUrl's to say, so an importer can tell what it skipped and why.
 * Throws OpmlError for a document that is not OPML.
 */
export function feedsFromOpml(text: string): OpmlFeed[] {
  if (text.length > MAX_OPML_CHARS) throw new OpmlError(`the OPML document is over ${MAX_OPML_CHARS} characters`);
  let document: Opml.Document<string>;
  try {
    document = parseOpml(text);
  } catch (error) {
    throw new OpmlError(`not an OPML document (${(error as Error).message.split('\n')[0]?.slice(0, 200)})`);
  }
  const found = new Map<string, OpmlFeed>();
  const visit = (outlines: ReadonlyArray<Opml.Outline<string>> | undefined, folders: string[]) => {
    for (const outline of outlines ?? []) {
      const name = (outline.title ?? outline.text ?? '').trim();
      if (outline.xmlUrl) {
        const url = outline.xmlUrl.trim();
        if (!found.has(url)) {
          found.set(url, { url, title: name || null, siteUrl: safeHttpUrl(outline.htmlUrl), category: folders.length > 0 ? categoryOf(folders) : null });
        }
      }
      visit(outline.outlines, outline.xmlUrl || !name ? folders : [...folders, name]);
    }
  };
  visit(document.body?.outlines, []);
  return [...found.values()];
}

/**
 * An OPML 2.0 subscription list of `feeds`, generated with feedsmith: one `type="rss"` outline per
 * feed, inside a folder outline per category ("a/b" nests b in a; "a\/b" is one folder named "a/b",
 * see categoryOf), folders first in the order met.
 * `title` is the document's head title; `created` its dateCreated.
 */
export function opmlFromFeeds(feeds: readonly OpmlFeed[], title: string, created: Date): string {
  type Folder = { outlines: Array<Opml.Outline<Date>>; folders: Map<string, Folder> };
  const root: Folder = { outlines: [], folders: new Map() };
  for (const feed of feeds) {
    let folder = root;
    for (const name of foldersOf(feed.category ?? '')) {
      let next = folder.folders.get(name);
      if (!next) {
        next = { outlines: [], folders: new Map() };
        folder.folders.set(name, next);
      }
      folder = next;
    }
    const name = feed.title ?? feed.url;
    folder.outlines.push({ text: name, title: name, type: 'rss', xmlUrl: feed.url, ...(feed.siteUrl ? { htmlUrl: feed.siteUrl } : {}) });
  }
  const outlinesOf = (folder: Folder): Array<Opml.Outline<Date>> => [
    ...[...folder.folders].map(([name, inner]) => ({ text: name, title: name, outlines: outlinesOf(inner) })),
    ...folder.outlines,
  ];
  return generateOpml({ head: { title, dateCreated: created }, body: { outlines: outlinesOf(root) } });
}

/**
 * The URL an imported feed is watched under — standard form (feedUrlKey: http(s) only, scheme and host
 * lower-cased, fragment dropped), so duplicates are found whatever their case or fragment — or why it
 * is skipped: not http(s), a link-local or cloud-metadata address (always), a private one unless
 * `allowPrivate` (sources/addresses.ts). The same rules as a feed added by hand.
 */
export function importableUrl(raw: string, allowPrivate: boolean): { url: string } | { problem: string } {
  const url = feedUrlKey(raw);
  if (!url) return { problem: 'not http or https' };
  const problem = feedAddressProblem(url, allowPrivate);
  return problem ? { problem } : { url };
}
