import { createHmac } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { close, createServer, listen, readBody, sendJson } from './http.js';

export interface XCredentialsForTest {
  appKey: string;
  appSecret: string;
  accessToken: string;
  accessSecret: string;
}

export interface PostedTweet {
  id: string;
  text: string;
  at: number;
  mediaIds: string[];
  replyTo: string | null;
  /** How the request was authorized: OAuth 1.0a, or the OAuth 2 access token used. */
  auth: string;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Checks an OAuth 1.0a HMAC-SHA1 Authorization header the way X does, against X's own URL
 * (the client signs for api.x.com before the test plugin redirects it here).
 */
function verifyOAuth1(req: IncomingMessage, credentials: XCredentialsForTest): string | null {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('OAuth ')) return 'no OAuth header';
  const params = new Map<string, string>();
  for (const [, key, value] of header.slice(6).matchAll(/([\w]+)="([^"]*)"/g)) params.set(key!, decodeURIComponent(value!));
  if (params.get('oauth_consumer_key') !== credentials.appKey) return 'wrong consumer key';
  if (params.get('oauth_token') !== credentials.accessToken) return 'wrong token';
  if (params.get('oauth_signature_method') !== 'HMAC-SHA1') return 'unexpected signature method';
  const signature = params.get('oauth_signature');
  const url = new URL(req.url ?? '/', 'https://api.x.com');
  const all: Array<[string, string]> = [...params].filter(([key]) => key !== 'oauth_signature');
  for (const [key, value] of url.searchParams) all.push([key, value]);
  const normalized = all
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const base = [req.method ?? 'GET', rfc3986(`https://api.x.com${url.pathname}`), rfc3986(normalized)].join('&');
  const key = `${rfc3986(credentials.appSecret)}&${rfc3986(credentials.accessSecret)}`;
  const expected = createHmac('sha1', key).update(base).digest('base64');
  return expected === signature ? null : 'bad signature';
}

/** A fake X API v2: POST /2/tweets with OAuth 1.0a checks, duplicate refusal and injectable rate limits. */
export class FakeX {
  readonly tweets: PostedTweet[] = [];
  readonly rejectedAuth: string[] = [];
  /** Answers to serve, in order, to the next tweet posts instead of accepting them. */
  readonly injected: Array<{ status: number; body?: unknown; headers?: Record<string, string> }> = [];
  tweetRequests = 0;
  readonly uploads: Array<{ id: string; mediaType: string; bytes: number; altText: string | null; finalized: boolean }> = [];
  /** OAuth 2: every token pair issued, oldest first; only the newest refresh token is valid (rotation). */
  readonly issued: IssuedTokens[] = [];
  readonly revoked = new Set<string>();
  tokenLifetimeSeconds = 7200;
  /** Called when a newly issued access token is used for the first time (tests check ordering there). */
  onFirstUse: ((tokens: IssuedTokens) => void) | null = null;
  private readonly used = new Set<string>();
  private tokenCounter = 0;
  private server!: Server;
  private nextId = 1_700_000_000_000_000_000n;
  port = 0;

  constructor(readonly credentials: XCredentialsForTest) {}

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.port = await listen(this.server);
  }

  async stop(): Promise<void> {
    await close(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'POST' && path === '/2/oauth2/token') return this.token(body, res);
    const auth = this.authorize(req);
    if (auth.error) {
      this.rejectedAuth.push(auth.error);
      return sendJson(res, 401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: auth.error });
    }
    if (req.method === 'POST' && path === '/2/media/upload/initialize') {
      const init = JSON.parse(body.toString('utf8')) as { media_type: string; total_bytes: number };
      const upload = { id: String(this.nextId++), mediaType: init.media_type, bytes: init.total_bytes, altText: null, finalized: false };
      this.uploads.push(upload);
      return sendJson(res, 200, { data: { id: upload.id, media_key: `3_${upload.id}`, expires_after_secs: 86400 } });
    }
    const match = /^\/2\/media\/upload\/(\d+)\/(append|finalize)$/.exec(path);
    if (req.method === 'POST' && match) {
      const upload = this.uploads.find((u) => u.id === match![1]);
      if (!upload) return sendJson(res, 404, { title: 'Not Found', status: 404, detail: 'unknown media id' });
      if (match[2] === 'append') return sendJson(res, 200, { data: { expires_at: Date.now() + 86400_000 } });
      upload.finalized = true;
      return sendJson(res, 200, { data: { id: upload.id, media_key: `3_${upload.id}`, size: upload.bytes, expires_after_secs: 86400 } });
    }
    if (req.method === 'POST' && path === '/2/media/metadata') {
      const meta = JSON.parse(body.toString('utf8')) as { id: string; metadata: { alt_text?: { text: string } } };
      const upload = this.uploads.find((u) => u.id === meta.id);
      if (upload) upload.altText = meta.metadata.alt_text?.text ?? null;
      return sendJson(res, 200, { data: { id: meta.id, associated_metadata: meta.metadata } });
    }
    if (req.method === 'POST' && path === '/2/tweets') {
      this.tweetRequests++;
      const injected = this.injected.shift();
      if (injected) return sendJson(res, injected.status, injected.body ?? { title: 'Injected', status: injected.status }, injected.headers);
      const request = JSON.parse(body.toString('utf8')) as { text: string; media?: { media_ids: string[] }; reply?: { in_reply_to_tweet_id: string } };
      const { text } = request;
      if (this.tweets.some((tweet) => tweet.text === text)) {
        return sendJson(res, 403, { detail: 'You are not allowed to create a Tweet with duplicate content.', type: 'about:blank', title: 'Forbidden', status: 403 });
      }
      const mediaIds = request.media?.media_ids ?? [];
      if (mediaIds.some((id) => !this.uploads.find((u) => u.id === id && u.finalized))) return sendJson(res, 400, { title: 'Invalid Request', status: 400, detail: 'media id not finalized' });
      const tweet = { id: String(this.nextId++), text, at: Date.now(), mediaIds, replyTo: request.reply?.in_reply_to_tweet_id ?? null, auth: auth.who };
      this.tweets.push(tweet);
      return sendJson(res, 201, { data: { id: tweet.id, text } }, {
        'x-rate-limit-limit': '100',
        'x-rate-limit-remaining': '99',
        'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 900),
      });
    }
    if (req.method === 'GET' && path === '/2/users/me') return sendJson(res, 200, { data: { id: '1', name: 'Herald', username: 'herald' } });
    return sendJson(res, 404, { title: 'Not Found', status: 404, detail: `${req.method} ${path}` });
  }

  /** OAuth 1.0a signatures, or an OAuth 2 Bearer token that is the newest one issued. */
  private authorize(req: IncomingMessage): { error: string | null; who: string } {
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Bearer ')) {
      const token = header.slice(7);
      const pair = this.issued.at(-1);
      if (!pair || pair.accessToken !== token || this.revoked.has(token)) return { error: 'invalid or expired access token', who: '' };
      if (!this.used.has(token)) {
        this.used.add(token);
        this.onFirstUse?.(pair);
      }
      return { error: null, who: token };
    }
    return { error: verifyOAuth1(req, this.credentials), who: 'oauth1' };
  }

  /** Issues a token pair for an authorization code, or rotates on a refresh token (the old one dies). */
  issueTokens(): IssuedTokens {
    this.tokenCounter++;
    const pair = { accessToken: `access-${this.tokenCounter}-${'a'.repeat(20)}`, refreshToken: `refresh-${this.tokenCounter}-${'r'.repeat(20)}` };
    this.issued.push(pair);
    return pair;
  }

  private token(body: Buffer, res: ServerResponse): void {
    const text = body.toString('utf8');
    const params = text.trim().startsWith('{') ? new URLSearchParams(JSON.parse(text) as Record<string, string>) : new URLSearchParams(text);
    const grant = params.get('grant_type');
    if (grant === 'authorization_code') {
      if (params.get('code') !== 'test-code' || !params.get('code_verifier')) return sendJson(res, 400, { error: 'invalid_request', error_description: 'bad code' });
    } else if (grant === 'refresh_token') {
      const current = this.issued.at(-1);
      const presented = params.get('refresh_token');
      if (!current || presented !== current.refreshToken || this.revoked.has(presented)) return sendJson(res, 400, { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' });
    } else {
      return sendJson(res, 400, { error: 'unsupported_grant_type' });
    }
    const pair = this.issueTokens();
    sendJson(res, 200, { token_type: 'bearer', expires_in: this.tokenLifetimeSeconds, access_token: pair.accessToken, refresh_token: pair.refreshToken, scope: 'tweet.read tweet.write users.read offline.access media.write' });
  }
}
