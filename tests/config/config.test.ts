import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, destinationsFor, parseConfig as parseWithKinds } from '../../src/config/config.js';
import { parseDuration } from '../../src/config/duration.js';
import { readEnv } from '../../src/config/env.js';
import { seal, unseal } from '../../src/ops/seal.js';
import { targetKey } from '../../src/deliveries/target.js';
import { TARGET_KINDS } from '../../src/targets/index.js';
import { runHerald, tempDir } from '../e2e/herald-process.js';

const parseConfig = (raw: unknown, file: string) => parseWithKinds(raw, file, TARGET_KINDS);
/** The destination kinds as config errors list them. */
const KNOWN = TARGET_KINDS.map((kind) => kind.name).join(', ');
const targetsFor = (config: Parameters<typeof destinationsFor>[0], feedId: string) => destinationsFor(config, feedId).map((d) => targetKey(d.kind, d.address));

describe('config', () => {
  it('fills defaults and resolves routes', () => {
    const config = parseConfig(
      {
        defaults: { every: '2m', backfill: 1 },
        feeds: [{ id: 'a', url: 'https://a.example/rss' }, { id: 'b', url: 'https://b.example/rss', every: '30s', backfill: 0, color: '#ff0000' }],
        routes: [{ feeds: ['a'], discord: ['123456789012345678'] }, { feeds: ['*'], x: true }],
      },
      'herald.yaml',
    );
    expect(config.feeds[0]).toMatchObject({ id: 'a', everyMs: 120_000, backfill: 1, name: 'a' });
    expect(config.feeds[1]).toMatchObject({ everyMs: 30_000, backfill: 0, color: 0xff0000 });
    expect(targetsFor(config, 'a')).toEqual(['discord:123456789012345678', 'x']);
    expect(targetsFor(config, 'b')).toEqual(['x']);
  });

  it('reads a uniform `to:` list of destinations, and the discord:/x: shorthand as the same thing', () => {
    const feeds = [{ id: 'a', url: 'https://a.example/rss' }];
    const uniform = parseConfig({ feeds, routes: [{ feeds: ['a'], to: [{ discord: '123456789012345678' }, { x: { template: '{title} {url}' } }] }] }, 'herald.yaml');
    const shorthand = parseConfig({ feeds, routes: [{ feeds: ['a'], discord: ['123456789012345678'], x: true, xTemplate: '{title} {url}' }] }, 'herald.yaml');
    const expected = [
      { kind: 'discord', address: '123456789012345678', template: null },
      { kind: 'x', address: '', template: '{title} {url}' },
    ];
    expect(destinationsFor(uniform, 'a')).toEqual(expected);
    expect(destinationsFor(shorthand, 'a')).toEqual(expected);
  });

  it('names each destination once per feed, the first route giving its template', () => {
    const config = parseConfig(
      {
        feeds: [{ id: 'a', url: 'https://a.example/rss' }],
        routes: [
          { feeds: ['a'], to: [{ x: {} }, { discord: '123456789012345678' }] },
          { feeds: ['*'], discord: ['123456789012345678'], x: true, xTemplate: '{url}' },
        ],
      },
      'herald.yaml',
    );
    expect(destinationsFor(config, 'a')).toEqual([
      { kind: 'x', address: '', template: null },
      { kind: 'discord', address: '123456789012345678', template: null },
    ]);
  });

  it.each([
    [{ feeds: [{ id: 'Bad Id', url: 'x' }] }, 'herald.yaml: feeds[0].id: expected lower-case letters, digits and dashes only'],
    [{ feeds: [{ id: 'a', url: 'x', every: 'often' }] }, 'herald.yaml: feeds[0].every: expected a duration'],
    [{ feeds: [{ id: 'a', url: 'x' }, { id: 'a', url: 'y' }] }, 'herald.yaml: feeds[1].id: duplicate feed id "a"'],
    [{ feeds: [{ id: 'a', url: 'x' }], routes: [{ feeds: ['b'] }] }, 'herald.yaml: routes[0].feeds[0]: unknown feed id "b"'],
    [{ feeds: [{ id: 'a', url: 'x' }], routes: [{ feeds: ['a'], discord: [123] }] }, 'herald.yaml: routes[0].discord[0]:'],
    [{ feeds: [{ id: 'a', url: 'x', evry: '5m' }] }, 'herald.yaml: feeds[0]: Unrecognized key: "evry"'],
    [{ feeds: [{ id: 'a', url: 'x', every: 5 }] }, 'herald.yaml: feeds[0].every: expected a duration with a unit (ms, s, m, h or d), got 5: did you mean 5m?'],
    [{ defaults: { every: '10' } }, 'herald.yaml: defaults.every: expected a duration with a unit (ms, s, m, h or d), got 10: did you mean 10m?'],
    [{ http: { timeout: 20 } }, 'herald.yaml: http.timeout: expected a duration with a unit (ms, s, m, h or d), got 20: did you mean 20s?'],
    [{ deliveries: { retryBase: 0.5 } }, 'herald.yaml: deliveries.retryBase: expected a duration with a unit'],
    [{ http: { timeout: '10m' } }, 'herald.yaml: http.timeout: expected a duration from 1s to 5m, such as 30s or 5m; got "10m"'],
    // The examples and the suggested unit lie within the key's bounds.
    [{ push: { safetyEvery: '30s' } }, 'herald.yaml: push.safetyEvery: expected a duration from 1m to 7d, such as 5m, 1h or 1d; got "30s"'],
    [{ push: { lease: 100 } }, 'herald.yaml: push.lease: expected a duration with a unit (ms, s, m, h or d), got 100: did you mean 100h? (from 1h to 30d)'],
    [{ http: { perHost: { minGap: 500 } } }, 'herald.yaml: http.perHost.minGap: expected a duration with a unit (ms, s, m, h or d), got 500 (from 0s to 1m)'],
    [{ feeds: [{ id: 'a', url: 'example.com/rss' }] }, 'herald.yaml: feeds[0].url: "example.com/rss" has no scheme: did you mean https://example.com/rss?'],
    [{ feeds: [{ id: 'a', url: 'www.example.org' }] }, 'herald.yaml: feeds[0].url: "www.example.org" has no scheme'],
    [{ feeds: [{ id: 'a', url: 'localhost:8080/feed.xml' }] }, 'herald.yaml: feeds[0].url: "localhost:8080/feed.xml" has no scheme'],
    [{ feeds: [{ id: 'a', url: 'feed://example.com/rss' }] }, 'herald.yaml: feeds[0].url: only http(s) URLs and file paths can be read, not feed:'],
    [{ feeds: [{ id: 'a', url: 'https:/example.com/rss' }] }, 'herald.yaml: feeds[0].url: expected an http(s) URL such as https://example.org/rss'],
    [{ feeds: [{ id: 'a', url: 'x' }], routes: [{ feeds: ['a'], to: [{ discord: '42' }] }] }, 'herald.yaml: routes[0].to[0].discord: expected a Discord channel id'],
    [{ feeds: [{ id: 'a', url: 'x' }], routes: [{ feeds: ['a'], to: [{ x: { template: '{title}' } }] }] }, 'herald.yaml: routes[0].to[0].x.template: the template must contain {url}'],
    [{ feeds: [{ id: 'a', url: 'x' }], routes: [{ feeds: ['a'], to: [{ myspace: '@a@b' }] }] }, `herald.yaml: routes[0].to[0].myspace: unknown destination kind "myspace" (known: ${KNOWN})`],
    [{ feeds: [{ id: 'a', url: 'x' }], routes: [{ feeds: ['a'], to: [{ discord: '123456789012345678', x: {} }] }] }, `herald.yaml: routes[0].to[0]: expected exactly one destination kind (${KNOWN}), got discord, x`],
    [{ feeds: [{ id: 'a', url: 'x' }], routes: [{ feeds: ['a'], to: [{ mastodon: { visibility: 'everyone' } }] }] }, 'herald.yaml: routes[0].to[0].mastodon.visibility:'],
    [{ feeds: [{ id: 'a', url: 'x' }], routes: [{ feeds: ['a'], to: [{ mastodon: '@a@b' }] }] }, 'herald.yaml: routes[0].to[0].mastodon:'],
    [{ feeds: [{ id: 'a', url: 'x' }], routes: [{ feeds: ['a'], to: [{ telegram: 'my channel' }] }] }, 'herald.yaml: routes[0].to[0].telegram: expected a Telegram chat id such as "-1001234567890" or a channel such as "@herald_news"'],
    [{ feeds: [{ id: 'a', url: 'x' }], routes: [{ feeds: ['a'], xTemplate: 'no link' }] }, 'herald.yaml: routes[0].xTemplate: the template must contain {url}'],
  ])('names the file and key at fault: %j', (raw, message) => {
    expect(() => parseConfig(raw, 'herald.yaml')).toThrow(ConfigError);
    expect(() => parseConfig(raw, 'herald.yaml')).toThrow(message);
  });

  it('takes file paths, dotted folders written ./, and http(s) URLs as feed addresses', () => {
    const urls = ['demo/feed.xml', 'feed.xml', '/srv/feeds/a.rss', '../shared/corpus/x.rss', './feeds.example/a.xml', 'https://example.org/rss', 'http://127.0.0.1:8080/feed.xml'];
    const config = parseConfig({ feeds: urls.map((url, n) => ({ id: `f${n}`, url })) }, 'herald.yaml');
    expect(config.feeds.map((feed) => feed.url)).toEqual(urls);
  });

  it('parses durations', () => {
    expect(parseDuration('1s')).toBe(1000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('soon')).toBeNull();
  });

  it("reads Herald's own environment with defaults and rejects a malformed port", () => {
    const env = readEnv({});
    expect(env).toEqual({ configFile: 'config/herald.yaml', databaseUrl: 'sqlite:data/herald.db', httpHost: '127.0.0.1', httpPort: 8080, publicUrl: null, logLevel: 'info', allowPrivateNetwork: false, allowPrivateCommands: false, dashboardPassword: null, secretKey: null });
    expect(readEnv({ HERALD_CONFIG: '  other.yaml ', LOG_LEVEL: 'DEBUG', HTTP_PORT: '', HERALD_DASHBOARD_PASSWORD: ' s3cret ' })).toMatchObject({ configFile: 'other.yaml', logLevel: 'debug', httpPort: 8080, dashboardPassword: 's3cret' });
    expect(readEnv({ HERALD_PUBLIC_URL: ' https://herald.example.org/ ' }).publicUrl).toBe('https://herald.example.org');
    expect(readEnv({ HERALD_PUBLIC_URL: 'https://example.org/herald/' }).publicUrl).toBe('https://example.org/herald');
    for (const bad of ['herald.example.org', 'ftp://herald.example.org', 'https://herald.example.org/?x=1']) expect(() => readEnv({ HERALD_PUBLIC_URL: bad })).toThrow(/HERALD_PUBLIC_URL/);
    expect(() => readEnv({ HTTP_PORT: 'eighty' })).toThrow(/HTTP_PORT/);
  });

  it('reads HERALD_SECRET_KEY as 32 bytes of base64 or hex, and refuses anything else saying how to make one', () => {
    const key = Buffer.alloc(32, 9);
    expect(readEnv({ HERALD_SECRET_KEY: key.toString('base64') }).secretKey).toEqual(key);
    expect(readEnv({ HERALD_SECRET_KEY: key.toString('hex') }).secretKey).toEqual(key);
    for (const bad of ['hunter2-is-my-password', Buffer.alloc(16, 9).toString('base64'), 'ab'.repeat(31)]) {
      expect(() => readEnv({ HERALD_SECRET_KEY: bad })).toThrow(/HERALD_SECRET_KEY: .*openssl rand -base64 32/);
      expect(() => readEnv({ HERALD_SECRET_KEY: bad })).not.toThrow(bad);
    }
  });

  it('seals a value with AES-256-GCM: a new IV each time, opened only with the same key and unchanged', () => {
    const key = Buffer.alloc(32, 1);
    const first = seal('https://discord.com/api/webhooks/1/secret-token', key);
    expect(first).not.toContain('secret-token');
    expect(seal('https://discord.com/api/webhooks/1/secret-token', key)).not.toBe(first);
    expect(unseal(first, key)).toBe('https://discord.com/api/webhooks/1/secret-token');
    expect(unseal(first, Buffer.alloc(32, 2))).toBeNull();
    const bytes = Buffer.from(first.slice(3), 'base64');
    bytes[bytes.length - 1]! ^= 1;
    expect(unseal(`v1:${bytes.toString('base64')}`, key)).toBeNull();
    expect(unseal('v1:AAAA', key)).toBeNull();
  });
});

describe('the CLI on bad configuration and usage', () => {
  it('exits 2 with one line naming the file and key', async () => {
    const dir = tempDir('badconfig');
    const file = join(dir, 'herald.yaml');
    writeFileSync(file, 'feeds:\n  - id: news\n    url: https://news.example/rss\n    every: sometimes\n');
    const { code, stderr } = await runHerald(['run', '--once'], { HERALD_CONFIG: file, DATABASE_URL: `sqlite:${join(dir, 'db')}` });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`${file}: feeds[0].every: expected a duration`);
  });

  it('exits 2 with one line naming DATABASE_URL when the SQLite file cannot be created', async () => {
    const dir = tempDir('baddb');
    const file = join(dir, 'herald.yaml');
    writeFileSync(file, 'feeds: []\nroutes: []\n');
    // A file where the database's folder should be: unusable even for root (CI runs as root).
    writeFileSync(join(dir, 'occupied'), '');
    const { code, stderr } = await runHerald(['run', '--once'], { HERALD_CONFIG: file, DATABASE_URL: `sqlite:${join(dir, 'occupied', 'herald.db')}` });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^herald: DATABASE_URL: cannot open the SQLite database .*occupied\/herald\.db \((EEXIST|ENOTDIR)/);
  });

  it('exits 2 at once naming DATABASE_URL when a folder of the SQLite path cannot be made (a path under /proc, where recursive mkdir would loop)', async () => {
    const dir = tempDir('procdb');
    const file = join(dir, 'herald.yaml');
    writeFileSync(file, 'feeds: []\nroutes: []\n');
    const { code, stderr } = await runHerald(['run', '--once'], { HERALD_CONFIG: file, DATABASE_URL: `sqlite:/proc/herald-missing-${process.pid}/data/herald.db` });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^herald: DATABASE_URL: cannot open the SQLite database \/proc\/herald-missing-\d+\/data\/herald\.db \(ENOENT/);
  }, 30_000);

  it('tries an unreachable PostgreSQL again and again, then exits 2 with one line naming DATABASE_URL without its password', async () => {
    const dir = tempDir('nopg');
    const file = join(dir, 'herald.yaml');
    writeFileSync(file, 'feeds: []\nroutes: []\n');
    // A port that takes each connection and resets it at once: PostgreSQL is not there, and every attempt is counted.
    let attempts = 0;
    const resetting = createNetServer((socket) => {
      attempts++;
      socket.resetAndDestroy();
    });
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    const port = (resetting.address() as AddressInfo).port;
    try {
      const { code, stderr } = await runHerald(['run', '--once'], { HERALD_CONFIG: file, DATABASE_URL: `postgres://herald:s3cret-pass@127.0.0.1:${port}/herald`, X_CLIENT_ID: 'no-pg-client' });
      // It waited for the database rather than giving up at the first refusal: with back-off from 250 ms, 30 s hold about ten attempts.
      expect(attempts).toBeGreaterThanOrEqual(5);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(`herald: DATABASE_URL: PostgreSQL at postgres://[redacted]@127.0.0.1:${port}/herald could not be reached for 30 s (ECONNRESET`);
      expect(stderr).not.toContain('s3cret-pass');
    } finally {
      await new Promise<void>((resolve) => resetting.close(() => resolve()));
    }
  }, 90_000);

  it('exits 2 with one line naming HTTP_PORT when the port is taken', async () => {
    const dir = tempDir('busyport');
    const file = join(dir, 'herald.yaml');
    writeFileSync(file, 'feeds: []\nroutes: []\n');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const port = (holder.address() as AddressInfo).port;
      const { code, stderr } = await runHerald(['run'], { HERALD_CONFIG: file, DATABASE_URL: `sqlite:${join(dir, 'db')}`, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), X_CLIENT_ID: 'busy-port-client' });
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(`herald: HTTP_PORT: port ${port} is already in use on 127.0.0.1`);
    } finally {
      holder.close();
    }
  });

  it('exits 2 on a missing config file, unknown commands and bad arguments', async () => {
    expect((await runHerald(['run', '--once'], { HERALD_CONFIG: '/nonexistent/herald.yaml' })).stderr).toContain('/nonexistent/herald.yaml: cannot read the config file');
    expect((await runHerald(['frobnicate'])).code).toBe(2);
    expect((await runHerald(['inspect', 'feed'])).code).toBe(2);
    expect((await runHerald(['preview', 'x', '--limit', 'lots'])).code).toBe(2);
    expect((await runHerald(['run', '--bogus'])).code).toBe(2);
  });
});
