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
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Checks an OAuth 1.0a HMAC-SHA1 Authorization header the way X does, against X's own URL
 * (the client signs for api.x.com before the test plugin redirects it here).
 */
export function verifyOAuth1(req: IncomingMessage, credentials: XCredentialsForTest): string | null {
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
    const authError = verifyOAuth1(req, this.credentials);
    if (authError) {
      this.rejectedAuth.push(authError);
      return sendJson(res, 401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: authError });
    }
    if (req.method === 'POST' && path === '/2/tweets') {
      this.tweetRequests++;
      const injected = this.injected.shift();
      if (injected) return sendJson(res, injected.status, injected.body ?? { title: 'Injected', status: injected.status }, injected.headers);
      const { text } = JSON.parse(body.toString('utf8')) as { text: string };
      if (this.tweets.some((tweet) => tweet.text === text)) {
        return sendJson(res, 403, { detail: 'You are not allowed to create a Tweet with duplicate content.', type: 'about:blank', title: 'Forbidden', status: 403 });
      }
      const tweet = { id: String(this.nextId++), text, at: Date.now() };
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
}
