import { createHash } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { close, createServer, listen, readBody, sendJson } from './http.js';

/** A post record as the fake PDS stored it. */
export interface StoredPost {
  uri: string;
  cid: string;
  rkey: string;
  value: {
    text: string;
    createdAt: string;
    langs?: string[];
    facets?: Array<{ index: { byteStart: number; byteEnd: number }; features: Array<{ $type: string; uri?: string }> }>;
    embed?: { $type: string; external?: { uri: string; title: string; description: string; thumb?: { ref: { $link: string }; mimeType: string; size: number } } };
  };
  /** The access token the create was made with. */
  auth: string;
}

interface Tokens {
  accessJwt: string;
  refreshJwt: string;
}

const TID = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A CIDv1 (raw codec, sha2-256) of `bytes` in base32, as a PDS names a blob or a record. */
export function cidOf(bytes: Uint8Array): string {
  const digest = createHash('sha256').update(bytes).digest();
  const raw = Buffer.concat([Buffer.from([0x01, 0x55, 0x12, 0x20]), digest]);
  let bits = 0;
  let value = 0;
  let out = 'b';
  for (const byte of raw) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * A fake Bluesky PDS (XRPC over HTTP on 127.0.0.1) for one account: createSession, refreshSession
 * (the refresh token rotates: the old one dies), getSession, uploadBlob, createRecord and getRecord
 * of app.bsky.feed.post with the lexicon's limits (300 graphemes, 3,000 bytes, facets inside the text,
 * a TID as rkey, thumbnails that were uploaded), rate-limit headers on every answer, and injectable
 * failures. A create at a key already taken is answered as the reference PDS does: 500 (its MST
 * refuses the key), the record staying as it was.
 */
export class FakeBluesky {
  readonly did = 'did:plc:heraldtest0000000000000';
  readonly posts: StoredPost[] = [];
  readonly blobs: Array<{ cid: string; mimeType: string; size: number }> = [];
  /** Answers to serve, in order, to the next createRecord calls instead of handling them. */
  readonly injected: Array<{ status: number; body?: unknown; headers?: Record<string, string> }> = [];
  /** createSession calls, refused ones included. */
  logins = 0;
  refreshes = 0;
  createRequests = 0;
  /** Requests refused for their token (401 or ExpiredToken), by endpoint. */
  readonly refusedAuth: string[] = [];
  /** Rate-limit headers: what each answer reports remaining, and when the window resets (seconds since the epoch). */
  rateLimit = { limit: 5000, remaining: 4999, reset: () => Math.floor(Date.now() / 1000) + 3600 };
  /** What createSession answers report instead (logins have limits of their own: 30 per 5 minutes, 300 a day). */
  loginRateLimit: { limit: number; remaining: number; reset: () => number } | null = null;
  /** When set, a create that happens while true is written but its answer is dropped (the connection is destroyed). */
  dropCreateAnswers = false;
  /** When true, a create is written but never answered (the connection hangs until the client goes away). */
  holdCreateAnswers = false;
  /** When true, every request's connection is destroyed unanswered (the PDS cannot be reached). */
  unreachable = false;
  private tokens: Tokens | null = null;
  private expired = new Set<string>();
  private counter = 0;
  private server!: Server;
  port = 0;

  constructor(
    readonly handle: string,
    public password: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.route(req, res));
    this.port = await listen(this.server);
  }

  async stop(): Promise<void> {
    await close(this.server);
  }

  /** The access token in use stops working (as after its two hours): the next request gets ExpiredToken. */
  expireAccessToken(): void {
    if (this.tokens) this.expired.add(this.tokens.accessJwt);
  }

  /** The app password is deleted in Bluesky's settings: its sessions die and it no longer logs in. */
  revokeAppPassword(): void {
    this.tokens = null;
    this.password = `deleted-${Math.random()}`;
  }

  private issue(): Tokens {
    this.counter++;
    this.tokens = { accessJwt: `access-${this.counter}-${'a'.repeat(16)}`, refreshJwt: `refresh-${this.counter}-${'r'.repeat(16)}` };
    return this.tokens;
  }

  private session(tokens: Tokens) {
    return { ...tokens, handle: this.handle, did: this.did, active: true, email: 'herald@example.com', emailConfirmed: true, emailAuthFactor: false };
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, rate = this.rateLimit): void {
    const limit = { 'ratelimit-limit': String(rate.limit), 'ratelimit-remaining': String(rate.remaining), 'ratelimit-reset': String(rate.reset()), 'ratelimit-policy': `${rate.limit};w=3600` };
    sendJson(res, status, body, { ...limit, ...headers });
  }

  private error(res: ServerResponse, status: number, error: string, message: string): void {
    this.send(res, status, { error, message });
  }

  /** The bearer token of a request when it is the live access token; else answers the refusal and returns null. */
  private authorized(req: IncomingMessage, res: ServerResponse, endpoint: string): string | null {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (this.tokens && token === this.tokens.accessJwt && !this.expired.has(token)) return token;
    this.refusedAuth.push(endpoint);
    if (this.expired.has(token)) this.error(res, 400, 'ExpiredToken', 'Token has expired');
    else this.error(res, 401, 'AuthenticationRequired', 'Invalid token');
    return null;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (this.unreachable) {
      res.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = url.pathname.replace(/^\/xrpc\//, '');
    const json = () => JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    switch (`${req.method} ${method}`) {
      case 'POST com.atproto.server.createSession': {
        this.logins++;
        const { identifier, password } = json() as { identifier: string; password: string };
        if ((identifier !== this.handle && identifier !== this.did) || password !== this.password) return this.error(res, 401, 'AuthenticationRequired', 'Invalid identifier or password');
        return this.send(res, 200, this.session(this.issue()), {}, this.loginRateLimit ?? this.rateLimit);
      }
      case 'POST com.atproto.server.refreshSession': {
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        if (!this.tokens || token !== this.tokens.refreshJwt) {
          this.refusedAuth.push(method);
          return this.error(res, 400, 'ExpiredToken', 'Token has been revoked');
        }
        this.refreshes++;
        return this.send(res, 200, this.session(this.issue()));
      }
      case 'GET com.atproto.server.getSession': {
        if (!this.authorized(req, res, method)) return;
        return this.send(res, 200, { handle: this.handle, did: this.did, active: true, email: 'herald@example.com', emailConfirmed: true, emailAuthFactor: false });
      }
      case 'POST com.atproto.repo.uploadBlob': {
        if (!this.authorized(req, res, method)) return;
        const mimeType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
        if (!mimeType.startsWith('image/')) return this.error(res, 400, 'InvalidMimeType', `unexpected ${mimeType}`);
        const blob = { cid: cidOf(body), mimeType, size: body.length };
        this.blobs.push(blob);
        return this.send(res, 200, { blob: { $type: 'blob', ref: { $link: blob.cid }, mimeType, size: blob.size } });
      }
      case 'POST com.atproto.repo.createRecord':
        return this.createRecord(req, res, json());
      case 'GET com.atproto.repo.getRecord': {
        const post = url.searchParams.get('repo') === this.did && url.searchParams.get('collection') === 'app.bsky.feed.post' ? this.posts.find((p) => p.rkey === url.searchParams.get('rkey')) : undefined;
        if (!post) return this.error(res, 400, 'RecordNotFound', 'Could not locate record');
        return this.send(res, 200, { uri: post.uri, cid: post.cid, value: { $type: 'app.bsky.feed.post', ...post.value } });
      }
      default:
        return this.error(res, 404, 'MethodNotImplemented', `${req.method} ${method}`);
    }
  }

  private createRecord(req: IncomingMessage, res: ServerResponse, input: Record<string, unknown>): void {
    this.createRequests++;
    const auth = this.authorized(req, res, 'com.atproto.repo.createRecord');
    if (!auth) return;
    const injected = this.injected.shift();
    if (injected) return sendJson(res, injected.status, injected.body ?? { error: 'Injected', message: `injected ${injected.status}` }, injected.headers);
    const { repo, collection, rkey, record } = input as { repo: string; collection: string; rkey?: string; record: StoredPost['value'] & { $type: string } };
    if (repo !== this.did || collection !== 'app.bsky.feed.post' || record.$type !== 'app.bsky.feed.post') return this.error(res, 400, 'InvalidRequest', 'unexpected repo or collection');
    if (!rkey || !TID.test(rkey)) return this.error(res, 400, 'InvalidRequest', `Invalid record key: ${rkey}`);
    const problem = this.invalid(record);
    if (problem) return this.error(res, 400, 'InvalidRecord', problem);
    // The reference PDS's MST throws "There is already a value at key", which XRPC answers as a 500.
    if (this.posts.some((post) => post.rkey === rkey)) return this.error(res, 500, 'InternalServerError', 'Internal Server Error');
    const { $type: _type, ...value } = record;
    const post: StoredPost = { uri: `at://${this.did}/app.bsky.feed.post/${rkey}`, cid: cidOf(Buffer.from(JSON.stringify(record))), rkey, value, auth };
    this.posts.push(post);
    if (this.holdCreateAnswers) return;
    if (this.dropCreateAnswers) {
      res.destroy();
      return;
    }
    this.send(res, 200, { uri: post.uri, cid: post.cid, commit: { cid: post.cid, rev: rkey }, validationStatus: 'valid' });
  }

  /** What app.bsky.feed.post's lexicon (and the link facet and external embed) would refuse in `record`, or null. */
  private invalid(record: StoredPost['value']): string | null {
    const text = record.text;
    const bytes = Buffer.byteLength(text, 'utf8');
    if ([...segmenter.segment(text)].length > 300) return 'Record/text must not be longer than 300 graphemes';
    if (bytes > 3000) return 'Record/text must not be longer than 3000 characters';
    if (Number.isNaN(Date.parse(record.createdAt))) return 'Record/createdAt must be a datetime';
    if (record.langs && record.langs.length > 3) return 'Record/langs must not have more than 3 elements';
    for (const facet of record.facets ?? []) {
      const { byteStart, byteEnd } = facet.index;
      if (!(byteStart >= 0 && byteStart < byteEnd && byteEnd <= bytes)) return `facet ${byteStart}-${byteEnd} outside the text (${bytes} bytes)`;
    }
    const thumb = record.embed?.external?.thumb;
    if (thumb) {
      const blob = this.blobs.find((b) => b.cid === thumb.ref.$link);
      if (!blob) return 'Could not find blob';
      if (blob.size > 1_000_000) return 'This file is too large. It is 1.0MB but the maximum size is 976.56KB.';
    }
    return null;
  }

  /** The text of the UTF-8 byte range [start, end) of a post's text, as a facet names it. */
  static byteSlice(text: string, start: number, end: number): string {
    return Buffer.from(text, 'utf8').subarray(start, end).toString('utf8');
  }
}
