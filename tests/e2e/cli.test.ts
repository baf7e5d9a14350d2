import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePage, FeedServer, rss } from '../fakes/feed-server.js';
import { corpusDir, hasShared, SHARED } from '../corpus.js';
import { graphemes, isWellFormed } from '../unicode.js';
import { close, createServer, listen } from '../fakes/http.js';
import { TARGET_KINDS } from '../../src/targets/index.js';
import { CLI, runHerald, tempDir, writeConfig } from './herald-process.js';

describe.skipIf(!hasShared)('inspect over the shared corpus', () => {
  it('inspect feed --json prints one valid line per file, in input order', async () => {
    const dir = corpusDir('feeds', 'rss-parser');
    const files = readdirSync(dir).filter((name) => name !== 'LICENSE').map((name) => join(dir, name));
    const { code, stdout } = await runHerald(['inspect', 'feed', ...files, '--json']);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.input)).toEqual(files);
    const errors = lines.filter((line) => 'error' in line);
    expect(errors.map((line) => line.input)).toEqual([join(dir, 'unrecognized.rss')]);
    expect(code).toBe(1);
    for (const line of lines.filter((l) => !('error' in l))) {
      expect(['rss', 'atom', 'rdf', 'json']).toContain(line.format);
      for (const item of line.items as Array<Record<string, unknown>>) {
        expect(Object.keys(item).sort()).toEqual(['author', 'categories', 'contentHtml', 'id', 'imageUrl', 'publishedAt', 'summary', 'title', 'updatedAt', 'url'].sort());
        if (item.publishedAt) expect(item.publishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
    }
  });

  it('inspect article --json gives the contract fields and the Kyiv summary', async () => {
    const { code, stdout } = await runHerald(['inspect', 'article', corpusDir('seed', 'kyiv-rally.html'), '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Record<string, string>;
    expect(Object.keys(result).sort()).toEqual(['byline', 'imageUrl', 'input', 'lang', 'publishedAt', 'siteName', 'summary', 'text', 'title', 'url'].sort());
    expect(result.summary).toMatch(/^Supporters of the on-going protests in Kazakhstan held a rally near the Kazakhstan Embassy in Kyiv on Jan\. 10, /);
    expect(result.text).not.toMatch(/Video of day|Follow us on|Ukraine Today|Show more news/);
    expect(result.publishedAt).toBe('2022-01-10T21:56:00.000Z');
    expect(result.lang).toBe('en');
  });

  it('inspect article refuses a page nested deeper than the bot reads, with the bot\'s reason, and goes on with the next', async () => {
    const dir = tempDir('inspect');
    const deep = join(dir, 'deep.html');
    writeFileSync(deep, `<html><body>${'<div>'.repeat(5_000)}Deep text.${'</div>'.repeat(5_000)}</body></html>`);
    const story = join(dir, 'story.html');
    writeFileSync(story, articlePage('Beta', ['Beta is the second story and its lead sentence is read.', 'Another paragraph.']));
    const { code, stdout } = await runHerald(['inspect', 'article', deep, story, '--json']);
    const [refused, read] = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    expect(refused).toEqual({ input: deep, error: 'too-deep: elements nest deeper than 400' });
    expect(read?.summary).toMatch(/^Beta is the second story/);
    expect(code).toBe(1);
  });
});

describe('inspect into a pipe', () => {
  it('ends quietly with exit 0 when the reader stops early, as `| head -c 100` does', async () => {
    const child = spawn(process.execPath, [CLI, 'inspect', 'feed', ...Array.from({ length: 300 }, () => 'demo/feed.xml'), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});

describe('inspect and preview over HTTP', () => {
  const server = new FeedServer();
  beforeAll(async () => {
    await server.start();
    server.setPage('/a.html', articlePage('Alpha', ['Alpha is the first story and it has a lead sentence.', 'Second paragraph.']));
    server.setFeed('/feed.xml', rss('Preview News', [{ guid: 'a', title: 'Alpha', link: server.url('/a.html'), pubDate: new Date('2026-01-02T00:00:00Z') }, { guid: 'b', title: 'Beta', link: server.url('/missing.html'), description: 'Beta from the feed.' }]));
  });
  afterAll(() => server.stop());

  it('refuses loopback URLs unless HERALD_ALLOW_PRIVATE_NETWORK=1', async () => {
    const refused = await runHerald(['inspect', 'feed', server.url('/feed.xml'), '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error).toMatch(/non-public address 127\.0\.0\.1.*HERALD_ALLOW_PRIVATE_NETWORK=1/);
    const allowed = await runHerald(['inspect', 'feed', server.url('/feed.xml'), '--json'], { HERALD_ALLOW_PRIVATE_NETWORK: '1' });
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).items[0].url).toBe(server.url('/a.html'));
  });

  it('preview shows what each routed target would get, with the feed text when the page is missing', async () => {
    const dir = tempDir('preview');
    const config = writeConfig(dir, {
      feeds: [{ id: 'prev', url: server.url('/feed.xml') }],
      routes: [{ feeds: ['prev'], discord: ['123456789012345678'], x: true }],
    });
    const { code, stdout } = await runHerald(['preview', 'prev', '--limit', '2'], { HERALD_CONFIG: config, HERALD_ALLOW_PRIVATE_NETWORK: '1' });
    expect(code).toBe(0);
    expect(stdout).toContain('would post to Discord channel 123456789012345678');
    expect(stdout).toContain('would post to X');
    expect(stdout).toContain('Alpha is the first story and it has a lead sentence.');
    expect(stdout).toContain('Beta from the feed.');
    const unknown = await runHerald(['preview', 'nope'], { HERALD_CONFIG: config });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no feed with id "nope"');
  });

  it('preview follows a route written as a `to:` list, with the X template that destination gives', async () => {
    const dir = tempDir('preview-to');
    const config = writeConfig(dir, {
      feeds: [{ id: 'prev', url: server.url('/feed.xml') }],
      routes: [{ feeds: ['prev'], to: [{ discord: '223456789012345678' }, { x: { template: 'NEWS: {title} {url}' } }] }],
    });
    const { code, stdout } = await runHerald(['preview', 'prev', '--limit', '1'], { HERALD_CONFIG: config, HERALD_ALLOW_PRIVATE_NETWORK: '1' });
    expect(code).toBe(0);
    expect(stdout).toContain('would post to Discord channel 223456789012345678');
    expect(stdout).toMatch(/would post to X \(\d+\/280\) ──\nNEWS: /);
  });

  it("preview applies each route's filter and shows its Discord template and role ping", async () => {
    const dir = tempDir('preview-routes');
    const config = writeConfig(dir, {
      feeds: [{ id: 'prev', url: server.url('/feed.xml') }],
      filters: { alpha: { words: 'alpha', in: ['title'] } },
      routes: [
        { feeds: ['prev'], to: [{ x: {} }], filter: { exclude: { words: 'beta' } } },
        { feeds: ['prev'], to: [{ discord: { channel: '323456789012345678', message: { content: 'New: {title}', embed: false }, mention: { roles: ['423456789012345678'], when: 'alpha' } } }] },
      ],
    });
    const { code, stdout } = await runHerald(['preview', 'prev', '--limit', '2'], { HERALD_CONFIG: config, HERALD_ALLOW_PRIVATE_NETWORK: '1' });
    expect(code).toBe(0);
    expect(stdout).toContain('(x: held back by exclude: words "beta" in title)');
    expect(stdout.match(/would post to X/g)).toHaveLength(1);
    expect(stdout).toContain('"content": "<@&423456789012345678> New: Alpha"');
    expect(stdout).toContain('"content": "New: Beta"');
  });
});

describe('npm run demo', () => {
  it('prints the demo posts, the Kyiv rally summary among them, with no network and no tokens', async () => {
    const { code, stdout } = await runHerald(['demo']);
    expect(code).toBe(0);
    expect(stdout).toContain('Supporters of the on-going protests in Kazakhstan held a rally near the Kazakhstan Embassy in Kyiv on Jan. 10');
    expect(stdout.match(/would post to Discord channel/g)).toHaveLength(3);
    expect(stdout.match(/would post to X/g)).toHaveLength(3);
    expect(stdout.match(/would post to Bluesky \(\d+\/300\) \[en\]/g)).toHaveLength(3);
    expect(stdout.match(/would post to Mastodon \(\d+\/500, public\) ──\n\(500 characters assumed, Mastodon's default: a real run uses the instance's own limit/g)).toHaveLength(3);
    expect(stdout.match(/would post to Telegram @herald_demo \(HTML, link preview http:\/\/127\.0\.0\.1:\d+\/articles\//g)).toHaveLength(3);
    expect(stdout.match(/would post to Discord webhook \d+ \(DEMO_WEBHOOK\)/g)).toHaveLength(3);
    // Every kind Herald knows takes part (its descriptor names its demo destination): three articles to each.
    expect(stdout.match(/── would post/g)).toHaveLength(3 * TARGET_KINDS.length);
    expect(stdout).not.toMatch(/Follow us on|Video of day/);
  });
});

describe.skipIf(!hasShared)('shared case 14: a long title cut for Discord where an emoji straddles the limit', () => {
  it('preview gives a title of at most 256 characters, well-formed, ending with "…" after a whole grapheme', async () => {
    const feed = join(SHARED, 'cases', '14-embed-title-cut-emoji', 'feed.xml');
    const { code, stdout } = await runHerald(['preview', feed, '--limit', '1']);
    expect(code).toBe(0);
    const payload = /── would post to Discord channel \d+ ──\n(\{[\s\S]*?\n\})\n/.exec(stdout)?.[1];
    const { title } = (JSON.parse(payload!) as { embeds: Array<{ title: string }> }).embeds[0]!;
    expect(title.length).toBeLessThanOrEqual(256);
    expect(isWellFormed(title)).toBe(true);
    expect(title.endsWith('…')).toBe(true);
    // What is kept is a run of whole graphemes from the start of the item's title.
    const original = /<item>\s*<title>([^<]*)<\/title>/.exec(readFileSync(feed, 'utf8'))![1]!;
    expect(graphemes(original).join('|').startsWith(`${graphemes(title.slice(0, -1)).join('|')}|`)).toBe(true);
  });
});

describe('help and messages', () => {
  it.each([
    [['run', '--help'], 'Usage: herald run [--dry-run] [--once]'],
    [['inspect', '--help'], 'Usage: herald inspect feed'],
    [['inspect', 'feed', '--help'], 'Usage: herald inspect feed'],
    [['inspect', 'article', '-h'], 'Usage: herald inspect feed'],
    [['preview', '--help'], 'Usage: herald preview <feed-id-or-url> [--limit N]'],
    [['x', 'login', '--help'], 'Usage: herald x login'],
    [['demo', '--help'], 'Usage: herald demo'],
    [['help', 'preview'], 'Usage: herald preview'],
    [['--help'], 'herald <command> --help'],
  ])('herald %j prints its help and exits 0', async (args, usage) => {
    const { code, stdout, stderr } = await runHerald(args);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(usage);
  });

  it.each([
    [['x', 'login', 'now'], 'herald: x login: takes no arguments, got "now"'],
    [['x', 'logout'], 'herald: x: expected "login", got "logout", e.g. herald x login'],
    [['x'], 'herald: x: expected "login", e.g. herald x login'],
    [['x', 'login', '--force'], 'herald: x login: takes no arguments, got "--force"'],
    [['feeds', 'export', 'out.opml'], 'herald: feeds export: takes no arguments, got "out.opml"'],
    [['inspect', 'feeds', 'a.xml'], 'herald: inspect: expected "feed" or "article", got "feeds", e.g. herald inspect feed ./feed.xml'],
    [['demo', '--fast'], 'herald: demo: takes no arguments, got "--fast"'],
  ])('herald %j is bad usage: one line on stderr, exit 2, nothing started', async (args, message) => {
    // X_CLIENT_ID is set, so a login that started would ask for the redirect URL on stdout.
    const { code, stdout, stderr } = await runHerald(args, { X_CLIENT_ID: 'client-id', HERALD_CONFIG: '/nonexistent/herald.yaml' });
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toContain(message);
    expect(code).toBe(2);
  });

  it('says "1 item", and reports a missing local feed file as a file problem, not a network error', async () => {
    const dir = tempDir('messages');
    const one = join(dir, 'one.xml');
    writeFileSync(one, rss('One', [{ guid: 'a', title: 'Alone', link: 'https://news.example/a' }]));
    const missing = join(dir, 'missing.xml');
    const { code, stdout } = await runHerald(['inspect', 'feed', one, missing]);
    expect(code).toBe(1);
    expect(stdout).toContain(`${one}: rss feed "One" <https://news.example/>, 1 item\n`);
    expect(stdout).toContain(`${missing}: error: file: cannot read ${missing}: no such file (ENOENT)`);
  });
});

/** What a terminal shows after `output`: carriage returns, erase-to-end-of-line and colours applied. */
function screen(output: string): string[] {
  // eslint-disable-next-line no-control-regex -- ANSI escapes start with ESC
  const text = output.replace(/\x1b\[[\d;]*m/g, '');
  const lines: string[] = [];
  let line = '';
  let column = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('\x1b[K', i)) {
      line = line.slice(0, column);
      i += 2;
    } else if (text[i] === '\r') {
      column = 0;
    } else if (text[i] === '\n') {
      lines.push(line);
      line = '';
      column = 0;
    } else {
      line = line.slice(0, column) + text[i] + line.slice(column + 1);
      column++;
    }
  }
  if (line) lines.push(line);
  return lines;
}

const hasScript = existsSync('/usr/bin/script');

describe.skipIf(!hasScript)('run --once on a terminal', () => {
  const server = new FeedServer();
  // A feed that fails after the quick ones were polled, and one that answers later still: the failure's
  // log line comes while the progress line is shown, and stays shown for a while after it.
  const late = createServer((req, res) => {
    if (req.url === '/late.xml') setTimeout(() => res.writeHead(404).end(), 1_500);
    else setTimeout(() => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Later', [])), 3_000);
  });
  let latePort = 0;
  beforeAll(async () => {
    await server.start();
    latePort = await listen(late);
    for (let n = 0; n < 6; n++) server.setFeed(`/f${n}.xml`, rss(`Feed ${n}`, []));
  });
  afterAll(async () => {
    await server.stop();
    await close(late);
  });

  it('clears the progress line before every log line, and at the end', async () => {
    const dir = tempDir('tty');
    const config = writeConfig(dir, {
      feeds: [...Array.from({ length: 6 }, (_, n) => ({ id: `f${n}`, url: server.url(`/f${n}.xml`) })), { id: 'late', url: `http://127.0.0.1:${latePort}/late.xml` }, { id: 'later', url: `http://127.0.0.1:${latePort}/later.xml` }],
      routes: [],
    });
    // util-linux script(1) runs the command on a pseudo-terminal, as a person at a terminal would.
    const command = [process.execPath, CLI, 'run', '--once'].join(' ');
    const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', HERALD_CONFIG: config, DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`, HERALD_ALLOW_PRIVATE_NETWORK: '1', TERM: 'xterm', X_CLIENT_ID: 'tty-test-client' },
    }).catch((error: { stdout: string }) => error);
    expect(stdout).toContain('polled 7/8 feeds');
    const shown = screen(stdout).filter((line) => line.trim() !== '');
    expect(shown.some((line) => line.includes('feed poll failed'))).toBe(true);
    expect(shown.filter((line) => line.includes('polled '))).toEqual([]);
  });
});
