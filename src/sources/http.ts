import { readFile, stat } from 'node:fs/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, request, type Dispatcher } from 'undici';

export type FetchFailure = 'blocked' | 'timeout' | 'too-large' | 'redirects' | 'http' | 'network' | 'unsupported';

export class FetchError extends Error {
  override name = 'FetchError';
  constructor(
    readonly kind: FetchFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface FetchRequest {
  accept: string;
  /** Largest body accepted, counted after decompression (a gzip bomb stops here too). */
  maxBytes: number;
  /** Whole-request deadline, so a server that drips a byte a second cannot hold a poll. */
  timeoutMs: number;
  etag?: string | null;
  lastModified?: string | null;
}

export type FetchResult =
  | { status: 'not-modified'; url: string }
  | {
      status: 'ok';
      /** Where the body came from after redirects (a URL, or the file path as given). */
      url: string;
      body: Uint8Array;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
    };

export interface HttpClient {
  fetch(target: string, options: FetchRequest): Promise<FetchResult>;
  close(): Promise<void>;
}

export interface HttpClientOptions {
  userAgent: string;
  /** Lets fetches reach loopback, private, link-local and similar addresses (HERALD_ALLOW_PRIVATE_NETWORK). */
  allowPrivateNetwork: boolean;
  maxRedirects?: number;
  connectTimeoutMs?: number;
}

/** True for any address that is not a public unicast address: loopback, private, link-local (cloud metadata), … */
export function isNonPublicAddress(address: string): boolean {
  try {
    const parsed = ipaddr.process(address.replace(/^\[|\]$/g, ''));
    return parsed.range() !== 'unicast';
  } catch {
    return true;
  }
}

/** True when `target` names a local file rather than an http(s) URL. */
export function isFilePath(target: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(target);
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const maxRedirects = options.maxRedirects ?? 5;
  const connect = buildConnector({ timeout: options.connectTimeoutMs ?? 10_000 });
  // The guard checks the address actually connected to, so DNS names, literal IPs and every
  // redirect hop are covered alike (a DNS lookup hook is skipped for literal-IP URLs).
  const agent = new Agent({
    connect(connectOptions, callback) {
      connect(connectOptions, (error, socket) => {
        if (error || !socket) return callback(error ?? new Error('connect failed'), null);
        const address = socket.remoteAddress ?? '';
        if (!options.allowPrivateNetwork && isNonPublicAddress(address)) {
          socket.destroy();
          return callback(new FetchError('blocked', `refused to connect to non-public address ${address}`), null);
        }
        callback(null, socket);
      });
    },
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });

  async function fetchUrl(target: string, req: FetchRequest): Promise<FetchResult> {
    const signal = AbortSignal.timeout(req.timeoutMs);
    let url = target;
    for (let hop = 0; hop <= maxRedirects; hop++) {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        throw new FetchError('unsupported', `only http(s) URLs can be fetched, not ${parsed.protocol}`);
      }
      // A literal address is refused before connecting (the connector re-checks every connection).
      const literal = parsed.hostname.replace(/^\[|\]$/g, '');
      if (!options.allowPrivateNetwork && isIP(literal) && isNonPublicAddress(literal)) {
        throw new FetchError('blocked', `refused to connect to non-public address ${literal}`);
      }
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
        url = new URL(location, url).toString();
        continue;
      }
      if (statusCode === 304) {
        await response.body.dump().catch(() => undefined);
        return { status: 'not-modified', url };
      }
      if (statusCode < 200 || statusCode >= 300) {
        await response.body.dump().catch(() => undefined);
        throw new FetchError('http', `HTTP ${statusCode}`, statusCode);
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
      };
    }
    throw new FetchError('redirects', `more than ${maxRedirects} redirects`);
  }

  return {
    async fetch(target, req) {
      if (isFilePath(target)) return readLocalFile(target, req.maxBytes);
      return fetchUrl(target, req);
    },
    close: () => agent.close(),
  };
}

function header(headers: Dispatcher.ResponseData<unknown>["headers"], name: string): string | null {
  const value = headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

function toFetchError(error: unknown, signal: AbortSignal): FetchError {
  if (error instanceof FetchError) return error;
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof FetchError) return cause;
  if (signal.aborted) return new FetchError('timeout', 'timed out');
  const code = (error as { code?: string })?.code ?? '';
  if (code.includes('TIMEOUT')) return new FetchError('timeout', `timed out (${code})`);
  return new FetchError('network', (error as Error)?.message ?? String(error));
}

async function readCapped(body: Readable, encoding: string | null, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
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

async function readLocalFile(path: string, maxBytes: number): Promise<FetchResult> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new FetchError('network', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (size > maxBytes) throw new FetchError('too-large', `${path} is ${size} bytes, over the ${maxBytes}-byte limit`);
  const body = await readFile(path);
  return { status: 'ok', url: path, body, contentType: null, etag: null, lastModified: null };
}
