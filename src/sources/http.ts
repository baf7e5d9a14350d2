import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { readFile, stat } from 'node:fs/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { isIP, type LookupFunction } from 'node:net';
import { type Readable } from 'node:stream';
import { Agent, buildConnector, request, type Dispatcher } from 'undici';
import { classifyAddress, isAddressAllowed } from './addresses.js';
import { Deadline } from './deadline.js';
import { HostBackoff, HostLimiter, retryAfterUntil, type HostLimits } from './hosts.js';

/** Why a fetch failed; 'file' is a local feed file that cannot be read (missing, a directory, no permission). */
export type FetchFailure = 'blocked' | 'timeout' | 'too-large' | 'redirects' | 'http' | 'network' | 'unsupported' | 'file';

export class FetchError extends Error {
  override name = 'FetchError';
  constructor(
    readonly kind: FetchFailure,
    message: string,
    readonly status?: number,
    /**
     * When the host asked to be left alone until (epoch ms): a 429 or 503 with Retry-After (RFC 9110
     * §10.2.3), or a request not sent because such a wait outlasts the timeout. Absent for other failures.
     */
    readonly retryAt?: number,
  ) {
    super(message);
  }
}

/** The FetchError of a request not sent because the host's Retry-After (`backoff`) outlasts what the caller can wait. */
function notSent(backoff: HostBackoff): FetchError {
  return new FetchError('http', `not sent: ${backoff.message} (Retry-After)`, undefined, backoff.until);
}

interface FetchRequest {
  accept: string;
  /** Largest body accepted, counted after decompression (a gzip bomb stops here too). */
  maxBytes: number;
  /** Whole-request deadline, so a server that drips a byte a second cannot hold a poll. */
  timeoutMs: number;
  etag?: string | null;
  lastModified?: string | null;
}

/** What an answer says about caching (RFC 9111 §5.2 Cache-Control, §5.3 Expires), as sent; null when absent. */
export interface CacheHeaders {
  cacheControl: string | null;
  expires: string | null;
  /** The server's clock at the answer (RFC 9110 §6.6.1), against which Expires is read. */
  date: string | null;
}

export type FetchResult =
  | ({ status: 'not-modified'; url: string } & CacheHeaders)
  | ({
      status: 'ok';
      /** Where the body came from after redirects (a URL, or the file path as given). */
      url: string;
      body: Uint8Array;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      /** The Link header (RFC 8288), as sent: WebSub hubs may be named there. */
      link: string | null;
    } & CacheHeaders);

export interface HttpClient {
  fetch(target: string, options: FetchRequest): Promise<FetchResult>;
  /**
   * Posts an HTML form (application/x-www-form-urlencoded) to an http(s) URL through the same
   * address checks and per-host politeness as `fetch`, following no redirect. Resolves with the
   * HTTP status (any; the body is read up to 4 KiB and returned as text, for error messages).
   * Throws FetchError for what stops the request (blocked, timeout, network).
   */
  postForm(target: string, form: Record<string, string>, timeoutMs: number): Promise<{ status: number; text: string }>;
  /**
   * The same client (one per-host politeness, one connection pool per reach) reaching loopback and
   * private addresses when `allowed` is true, only public ones when false. Link-local and cloud
   * metadata addresses stay out of reach either way.
   */
  withPrivateNetwork(allowed: boolean): HttpClient;
  /** Closes the connections of this client and of every client derived from it with withPrivateNetwork. */
  close(): Promise<void>;
}

/** Resolves a host name to every address it has (A and AAAA), as `dns.lookup(name, { all: true })` does. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface HttpClientOptions {
  userAgent: string;
  /**
   * Lets this client's fetches reach loopback, RFC 1918, unique-local and the other non-public
   * ranges (a feed with `privateNetwork: true`, HERALD_ALLOW_PRIVATE_NETWORK); never link-local or
   * cloud metadata addresses. Clients of the other reach come from `withPrivateNetwork`.
   */
  allowPrivateNetwork: boolean;
  maxRedirects?: number;
  connectTimeoutMs?: number;
  /** Name resolution (default: the system resolver); every address it returns is checked before connecting. */
  resolve?: Resolver;
  /** Politeness per host (`http.perHost`); without it, only Retry-After holds requests back. */
  perHost?: HostLimits;
}

function blocked(address: string): FetchError {
  return classifyAddress(address) === 'link-local'
    ? new FetchError('blocked', `refused to connect to link-local or cloud metadata address ${address} (never allowed)`)
    : new FetchError('blocked', `refused to connect to non-public address ${address}`);
}

/** True when `target` names a local file rather than an http(s) URL. */
export function isFilePath(target: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(target);
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The SSRF-guarded HTTP client: http(s) fetches and form posts (and local feed files), every address
 * checked before connecting (see isAddressAllowed), with per-host politeness shared by the client and
 * every client `withPrivateNetwork` derives from it.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const hosts = new HostLimiter(options.perHost ?? { maxInFlight: Infinity, minGapMs: 0 });
  const clients = new Map<boolean, HttpClient>();
  const agents: Agent[] = [];
  const clientFor = (allowPrivate: boolean): HttpClient => {
    let client = clients.get(allowPrivate);
    if (!client) {
      const agent = guardedAgent(allowPrivate, options.resolve ?? systemResolver, options.connectTimeoutMs ?? 10_000);
      agents.push(agent);
      client = reachingClient(options, allowPrivate, agent, hosts, clientFor, async () => {
        await Promise.all(agents.map((each) => each.close()));
      });
      clients.set(allowPrivate, client);
    }
    return client;
  };
  return clientFor(options.allowPrivateNetwork);
}

/** The client of one reach (public only, or private too), connecting through `agent`. */
function reachingClient(
  options: HttpClientOptions,
  allowPrivate: boolean,
  agent: Agent,
  hosts: HostLimiter,
  clientFor: (allowPrivate: boolean) => HttpClient,
  close: () => Promise<void>,
): HttpClient {
  const maxRedirects = options.maxRedirects ?? 5;

  async function fetchUrl(target: string, req: FetchRequest): Promise<FetchResult> {
    // The deadline starts when the first request may start, not while it waits its turn at the host.
    const deadline = new Deadline();
    try {
      return await followRedirects(target, req, () => deadline.start(req.timeoutMs));
    } finally {
      deadline.clear();
    }
  }

  /** Fetches `target`, following up to maxRedirects redirects; `startDeadline` is called as each request may start. */
  async function followRedirects(target: string, req: FetchRequest, startDeadline: () => Deadline): Promise<FetchResult> {
    let url = target;
    for (let hop = 0; hop <= maxRedirects; hop++) {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        throw new FetchError('unsupported', `only http(s) URLs can be fetched, not ${parsed.protocol}`);
      }
      // A literal address skips name resolution: it is checked here, before connecting.
      const literal = parsed.hostname.replace(/^\[|\]$/g, '');
      if (isIP(literal) && !isAddressAllowed(literal, allowPrivate)) throw blocked(literal);
      const hopUrl = url;
      let outcome: FetchResult | { status: 'redirect'; location: string };
      try {
        outcome = await hosts.run(parsed.host, req.timeoutMs, () => requestOnce(hopUrl, parsed.host, req, startDeadline()));
      } catch (error) {
        if (error instanceof HostBackoff) throw notSent(error);
        throw error;
      }
      if (outcome.status !== 'redirect') return outcome;
      url = new URL(outcome.location, url).toString();
    }
    throw new FetchError('redirects', `more than ${maxRedirects} redirects`);
  }

  /** One request, its body read within the host's slot; a redirect is returned for the caller to follow. */
  async function requestOnce(url: string, host: string, req: FetchRequest, signal: Deadline): Promise<FetchResult | { status: 'redirect'; location: string }> {
    const headers: Record<string, string> = {
      'user-agent': options.userAgent,
      accept: req.accept,
      'accept-encoding': 'gzip, deflate, br',
    };
    if (req.etag) headers['if-none-match'] = req.etag;
    if (req.lastModified) headers['if-modified-since'] = req.lastModified;
    let response: Dispatcher.ResponseData<unknown>;
    try {
      response = await request(url, { dispatcher: agent, headers, signal, maxRedirections: 0 } as Parameters<typeof request>[1]);
    } catch (error) {
      throw toFetchError(error, signal);
    }
    const { statusCode } = response;
    if (REDIRECTS.has(statusCode)) {
      await response.body.dump().catch(() => undefined);
      const location = header(response.headers, 'location');
      if (!location) throw new FetchError('http', `HTTP ${statusCode} without a Location header`, statusCode);
      return { status: 'redirect', location };
    }
    if (statusCode === 304) {
      await response.body.dump().catch(() => undefined);
      return { status: 'not-modified', url, ...cacheHeaders(response.headers) };
    }
    if (statusCode < 200 || statusCode >= 300) {
      await response.body.dump().catch(() => undefined);
      // 429 and 503 may say when to come back (RFC 6585 §4, RFC 9110 §15.6.4): no request to the host before then.
      const until = statusCode === 429 || statusCode === 503 ? retryAfterUntil(header(response.headers, 'retry-after'), Date.now()) : null;
      if (until !== null) hosts.holdOff(host, until);
      throw new FetchError('http', `HTTP ${statusCode}${until !== null ? `, retry after ${new Date(until).toISOString()}` : ''}`, statusCode, until ?? undefined);
    }
    const declaredLength = Number(header(response.headers, 'content-length') ?? NaN);
    if (declaredLength > req.maxBytes) {
      response.body.destroy();
      throw new FetchError('too-large', `response of ${declaredLength} bytes exceeds the ${req.maxBytes}-byte limit`);
    }
    const body = await readCapped(response.body, header(response.headers, 'content-encoding'), req.maxBytes, signal);
    return {
      status: 'ok',
      url,
      body,
      contentType: header(response.headers, 'content-type'),
      etag: header(response.headers, 'etag'),
      lastModified: header(response.headers, 'last-modified'),
      link: header(response.headers, 'link'),
      ...cacheHeaders(response.headers),
    };
  }

  async function postForm(target: string, form: Record<string, string>, timeoutMs: number): Promise<{ status: number; text: string }> {
    const parsed = new URL(target);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new FetchError('unsupported', `only http(s) URLs can be posted to, not ${parsed.protocol}`);
    const literal = parsed.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) && !isAddressAllowed(literal, allowPrivate)) throw blocked(literal);
    try {
      return await hosts.run(parsed.host, timeoutMs, async () => {
        const signal = AbortSignal.timeout(timeoutMs);
        try {
          const response = await request(target, {
            dispatcher: agent,
            method: 'POST',
            headers: { 'user-agent': options.userAgent, 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(form).toString(),
            signal,
          });
          const text = new TextDecoder().decode(await readCapped(response.body, null, 4096, signal).catch(() => new Uint8Array()));
          return { status: response.statusCode, text };
        } catch (error) {
          throw toFetchError(error, signal);
        }
      });
    } catch (error) {
      if (error instanceof HostBackoff) throw notSent(error);
      throw error;
    }
  }

  return {
    async fetch(target, req) {
      if (isFilePath(target)) return readLocalFile(target, req.maxBytes);
      return fetchUrl(target, req);
    },
    postForm,
    withPrivateNetwork: clientFor,
    close,
  };
}

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * An undici agent that connects only where isAddressAllowed allows (`allowPrivate`: loopback and private ranges too). Every address a name resolves to is
 * checked before any connection is made (so a refused address never sees a TCP SYN or a TLS
 * ClientHello, and an open port cannot be told from a closed one); the address actually connected
 * to is checked again, in case resolution was bypassed.
 */
function guardedAgent(allowPrivate: boolean, resolve: Resolver, connectTimeoutMs: number): Agent {
  const connect = buildConnector({ timeout: connectTimeoutMs, lookup: guardedLookup(allowPrivate, resolve) });
  return new Agent({
    connect(connectOptions, callback) {
      connect(connectOptions, (error, socket) => {
        if (error || !socket) return callback(error ?? new Error('connect failed'), null);
        const address = socket.remoteAddress ?? '';
        if (!isAddressAllowed(address, allowPrivate)) {
          socket.destroy();
          return callback(blocked(address), null);
        }
        callback(null, socket);
      });
    },
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
}

/** A `net.connect` lookup that refuses a name when any of its addresses is not allowed. */
function guardedLookup(allowPrivate: boolean, resolve: Resolver): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (all) => {
        const refused = all.find((entry) => !isAddressAllowed(entry.address, allowPrivate));
        if (refused) return callback(blocked(refused.address) as NodeJS.ErrnoException, '');
        const family = lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 'IPv6' ? 6 : lookupOptions.family;
        const usable = family ? all.filter((entry) => entry.family === family) : all;
        if (usable.length === 0) return callback(Object.assign(new Error(`no address found for ${hostname}`), { code: 'ENOTFOUND' }), '');
        if (lookupOptions.all) return callback(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

function header(headers: Dispatcher.ResponseData<unknown>["headers"], name: string): string | null {
  const value = headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

function cacheHeaders(headers: Dispatcher.ResponseData<unknown>['headers']): CacheHeaders {
  return { cacheControl: header(headers, 'cache-control'), expires: header(headers, 'expires'), date: header(headers, 'date') };
}

function toFetchError(error: unknown, signal: { readonly aborted: boolean }): FetchError {
  if (error instanceof FetchError) return error;
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof FetchError) return cause;
  if (signal.aborted) return new FetchError('timeout', 'timed out');
  const code = (error as { code?: string })?.code ?? '';
  if (code.includes('TIMEOUT')) return new FetchError('timeout', `timed out (${code})`);
  return new FetchError('network', (error as Error)?.message ?? String(error));
}

async function readCapped(body: Readable, encoding: string | null, maxBytes: number, signal: { readonly aborted: boolean }): Promise<Uint8Array> {
  const decoder = decompressorFor(encoding);
  const stream: Readable = decoder ? body.pipe(decoder) : body;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) throw new FetchError('too-large', `response exceeds the ${maxBytes}-byte limit`);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    body.destroy();
    decoder?.destroy();
    if (error instanceof FetchError) throw error;
    if (signal.aborted) throw new FetchError('timeout', 'timed out while reading the body');
    throw new FetchError('network', `could not read the body: ${(error as Error).message}`);
  }
  return Buffer.concat(chunks);
}

function decompressorFor(encoding: string | null) {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'br':
      return createBrotliDecompress();
    case 'deflate':
      return createInflate();
    default:
      return null;
  }
}

const FILE_PROBLEMS: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EPERM: 'permission denied', EISDIR: 'it is a directory', ENOTDIR: 'a part of the path is not a folder' };

async function readLocalFile(path: string, maxBytes: number): Promise<FetchResult> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (info.size > maxBytes) throw new FetchError('too-large', `${path} is ${info.size} bytes, over the ${maxBytes}-byte limit`);
    const body = await readFile(path);
    return { status: 'ok', url: path, body, contentType: null, etag: null, lastModified: null, link: null, cacheControl: null, expires: null, date: null };
  } catch (error) {
    if (error instanceof FetchError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new FetchError('file', `cannot read ${path}: ${FILE_PROBLEMS[code] ?? (error as Error).message}${code ? ` (${code})` : ''}`);
  }
}
