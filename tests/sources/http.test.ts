import type { LookupAddress } from 'node:dns';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAddress, isAddressAllowed } from '../../src/sources/addresses.js';
import { createHttpClient, FetchError, type Resolver } from '../../src/sources/http.js';
import { friendlyFetchFailure } from '../../src/targets/discord/commands/summary.js';
import { close, createServer as createHttpServer, listen } from '../fakes/http.js';

const REQUEST = { accept: '*/*', maxBytes: 100_000, timeoutMs: 5_000 };

/** A TCP server that answers every connection with a tiny HTTP page and counts the connections it accepted. */
async function countingServer(): Promise<{ server: TcpServer; port: number; connections: () => number }> {
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections++;
    socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok'));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, connections: () => connections };
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A resolver from a fixed table: the guard's lookup, with no real DNS. */
function fakeResolver(table: Record<string, string[]>): Resolver {
  return async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

async function failureOf(promise: Promise<unknown>): Promise<FetchError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FetchError);
  return error as FetchError;
}

describe('the SSRF guard', () => {
  let target: Awaited<ReturnType<typeof countingServer>>;
  let closed = 0;
  beforeAll(async () => {
    target = await countingServer();
    closed = await closedPort();
  });
  afterAll(() => new Promise<void>((resolve) => target.server.close(() => resolve())));

  const resolve = fakeResolver({
    'intranet.test': ['127.0.0.1'],
    'mixed.test': ['127.0.0.1', '2606:4700:4700::1111'],
    'metadata.test': ['169.254.169.254'],
  });

  it('refuses a name that resolves to a private address before any connection, over http and https', async () => {
    const http = createHttpClient({ userAgent: 'test', allowPrivateNetwork: false, resolve });
    try {
      for (const url of [`http://intranet.test:${target.port}/`, `https://intranet.test:${target.port}/`, `http://mixed.test:${target.port}/`]) {
        const error = await failureOf(http.fetch(url, REQUEST));
        expect(error.kind).toBe('blocked');
      }
      expect(target.connections()).toBe(0);
    } finally {
      await http.close();
    }
    const system = createHttpClient({ userAgent: 'test', allowPrivateNetwork: false });
    try {
      expect((await failureOf(system.fetch(`https://localhost:${target.port}/`, REQUEST))).kind).toBe('blocked');
      expect(target.connections()).toBe(0);
    } finally {
      await system.close();
    }
  });

  it('answers an open and a closed private port alike, so it cannot scan ports', async () => {
    const http = createHttpClient({ userAgent: 'test', allowPrivateNetwork: false, resolve });
    try {
      const open = await failureOf(http.fetch(`http://intranet.test:${target.port}/a.html`, REQUEST));
      const shut = await failureOf(http.fetch(`http://intranet.test:${closed}/a.html`, REQUEST));
      expect(shut.message).toBe(open.message);
      const said = (error: FetchError) => friendlyFetchFailure({ kind: error.kind, status: error.status, reason: error.message });
      expect(said(shut)).toBe(said(open));
      // An address that is simply unreachable reads the same to the person asking.
      const unreachable = new FetchError('network', 'connect ECONNREFUSED 203.0.113.9:80');
      expect(said(open)).toBe(said(unreachable));
      expect(target.connections()).toBe(0);
    } finally {
      await http.close();
    }
  });

  it('refuses IPv6 literals that carry a private IPv4 address, before connecting', async () => {
    const http = createHttpClient({ userAgent: 'test', allowPrivateNetwork: false, resolve });
    try {
      for (const host of ['[::127.0.0.1]', '[::ffff:127.0.0.1]', '[::ffff:0:127.0.0.1]', '[64:ff9b::127.0.0.1]', '[2002:7f00:1::1]', '[::ffff:169.254.169.254]']) {
        const error = await failureOf(http.fetch(`http://${host}:${target.port}/`, REQUEST));
        expect(error.kind, host).toBe('blocked');
      }
      expect(target.connections()).toBe(0);
    } finally {
      await http.close();
    }
  });

  it.each([
    ['::127.0.0.1', 'private'],
    ['::7f00:1', 'private'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::169.254.169.254', 'link-local'],
    ['2002:c0a8:0101::1', 'private'],
    ['2002:a9fe:a9fe::', 'link-local'],
    ['::ffff:0:192.168.1.1', 'private'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'private'],
    ['fd00:ec2::254', 'link-local'],
    ['100.100.100.200', 'link-local'],
    ['fe80::1', 'link-local'],
    ['::1', 'private'],
    ['::', 'private'],
    ['not an address', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['2002:808:808::1', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['[2606:4700:4700::1111]', 'public'],
    ['93.184.216.34', 'public'],
  ])('classifies %s as %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('keeps link-local and cloud metadata addresses refused when private networks are allowed', () => {
    expect(isAddressAllowed('10.0.0.7', true)).toBe(true);
    expect(isAddressAllowed('10.0.0.7', false)).toBe(false);
    for (const address of ['169.254.169.254', 'fe80::1', 'fd00:ec2::254', '100.100.100.200', '::ffff:169.254.169.254', '::169.254.169.254', '64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::1']) {
      expect(isAddressAllowed(address, true), address).toBe(false);
    }
    expect(isAddressAllowed('8.8.8.8', false)).toBe(true);
  });

  it('refuses link-local and metadata addresses to a client that reaches private networks: by literal, by name and by redirect, before connecting', async () => {
    const redirecting = createHttpServer((req, res) => {
      const to = decodeURIComponent((req.url ?? '/').slice(1));
      res.writeHead(302, { location: to }).end();
    });
    const port = await listen(redirecting);
    const http = createHttpClient({ userAgent: 'test', allowPrivateNetwork: true, resolve });
    try {
      const targets = ['http://169.254.169.254/latest/meta-data/', 'http://[::ffff:169.254.169.254]/', 'http://[fd00:ec2::254]/', 'http://100.100.100.200/', 'http://[fe80::1]/', `http://metadata.test:${target.port}/`];
      for (const url of targets) {
        expect((await failureOf(http.fetch(url, REQUEST))).kind, url).toBe('blocked');
        const redirected = await failureOf(http.fetch(`http://127.0.0.1:${port}/${encodeURIComponent(url)}`, REQUEST));
        expect([redirected.kind, redirected.message], `redirect to ${url}`).toEqual(['blocked', expect.stringMatching(/link-local or cloud metadata address .* \(never allowed\)/)]);
      }
      expect(target.connections()).toBe(0);
    } finally {
      await http.close();
      await close(redirecting);
    }
  });

  it('reaches loopback by name and by address when private networks are allowed (HERALD_ALLOW_PRIVATE_NETWORK)', async () => {
    const http = createHttpClient({ userAgent: 'test', allowPrivateNetwork: true });
    try {
      for (const url of [`http://localhost:${target.port}/`, `http://127.0.0.1:${target.port}/`]) {
        const result = await http.fetch(url, REQUEST);
        expect(result.status === 'ok' && Buffer.from(result.body).toString()).toBe('ok');
      }
      expect(target.connections()).toBe(2);
    } finally {
      await http.close();
    }
  });

  it('derives a client of the other reach that shares the first one: private for one request, public for the next', async () => {
    const publicOnly = createHttpClient({ userAgent: 'test', allowPrivateNetwork: false });
    const before = target.connections();
    try {
      const reached = await publicOnly.withPrivateNetwork(true).fetch(`http://127.0.0.1:${target.port}/`, REQUEST);
      expect(reached.status).toBe('ok');
      expect((await failureOf(publicOnly.fetch(`http://127.0.0.1:${target.port}/`, REQUEST))).kind).toBe('blocked');
      expect((await failureOf(publicOnly.withPrivateNetwork(true).withPrivateNetwork(false).fetch(`http://localhost:${target.port}/`, REQUEST))).kind).toBe('blocked');
      expect(target.connections()).toBe(before + 1);
    } finally {
      await publicOnly.close();
    }
  });
});

describe('local feed files', () => {
  it('reports a missing file, a folder and an unreadable path as file problems, not network errors', async () => {
    const http = createHttpClient({ userAgent: 'test', allowPrivateNetwork: false });
    try {
      const missing = await failureOf(http.fetch('feeds/no-such-feed.xml', REQUEST));
      expect([missing.kind, missing.message]).toEqual(['file', 'cannot read feeds/no-such-feed.xml: no such file (ENOENT)']);
      const folder = await failureOf(http.fetch('tests', REQUEST));
      expect([folder.kind, folder.message]).toEqual(['file', 'cannot read tests: it is a directory (EISDIR)']);
    } finally {
      await http.close();
    }
  });
});

describe('fetch failures keep their kind', () => {
  const http = createHttpClient({ userAgent: 'test', allowPrivateNetwork: true, maxRedirects: 3 });
  let server: HttpServer;
  let base = '';
  beforeAll(async () => {
    server = createHttpServer((req, res) => {
      const path = req.url ?? '/';
      if (path === '/missing') res.writeHead(404, { 'content-type': 'text/plain' }).end('gone');
      else if (path === '/busy') res.writeHead(503, { 'retry-after': '120' }).end();
      else if (path.startsWith('/loop/')) res.writeHead(302, { location: `/loop/${Number(path.slice(6)) + 1}` }).end();
      else if (path === '/nowhere') res.writeHead(301).end();
      else if (path === '/declared-large') res.writeHead(200, { 'content-length': '200000' }).end('x'.repeat(200_000));
      // Chunked: no length up front, so the limit is hit while reading.
      else if (path === '/streamed-large') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 20; i++) res.write('x'.repeat(10_000));
        res.end();
      } else if (path === '/silent') req.on('close', () => res.destroy());
      // Headers and a first chunk at once, then nothing: the deadline must stop the body's read too.
      else if (path === '/stalled-body') {
        res.writeHead(200, { 'content-type': 'text/plain' }).write('x');
        req.on('close', () => res.destroy());
      }
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(async () => {
    await http.close();
    await close(server);
  });

  it('names each way a fetch fails, with the HTTP status where there is one', async () => {
    const missing = await failureOf(http.fetch(`${base}/missing`, REQUEST));
    expect([missing.kind, missing.status, missing.message]).toEqual(['http', 404, 'HTTP 404']);
    expect((await failureOf(http.fetch(`${base}/nowhere`, REQUEST))).kind).toBe('http');
    expect((await failureOf(http.fetch(`${base}/loop/0`, REQUEST))).kind).toBe('redirects');
    const declared = await failureOf(http.fetch(`${base}/declared-large`, REQUEST));
    const streamed = await failureOf(http.fetch(`${base}/streamed-large`, REQUEST));
    expect([declared.kind, streamed.kind]).toEqual(['too-large', 'too-large']);
    expect((await failureOf(http.fetch(`${base}/silent`, { ...REQUEST, timeoutMs: 300 }))).kind).toBe('timeout');
    const stalled = await failureOf(http.fetch(`${base}/stalled-body`, { ...REQUEST, timeoutMs: 300 }));
    expect([stalled.kind, stalled.message]).toEqual(['timeout', 'timed out while reading the body']);
    expect((await failureOf(http.fetch(`http://127.0.0.1:${await closedPort()}/`, REQUEST))).kind).toBe('network');
    expect((await failureOf(http.fetch('ftp://127.0.0.1/feed.xml', REQUEST))).kind).toBe('unsupported');
    const ok = await http.fetch(`${base}/fine`, REQUEST);
    expect(ok.status).toBe('ok');
    // Last: a 503 with Retry-After holds the host off, so nothing more is sent to it.
    const busy = await failureOf(http.fetch(`${base}/busy`, REQUEST));
    expect([busy.kind, busy.status]).toEqual(['http', 503]);
    expect(busy.message).toMatch(/^HTTP 503, retry after \d{4}-/);
    const held = await failureOf(http.fetch(`${base}/fine`, REQUEST));
    expect([held.kind, held.message]).toEqual(['http', expect.stringMatching(/^not sent: /)]);
  });
});
