import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import { close, createServer, listen, readBody } from './http.js';

export interface HubRequest {
  mode: string;
  topic: string;
  callback: string;
  secret: string | null;
  leaseSeconds: number | null;
}

export interface Verification {
  mode: string;
  topic: string;
  callback: string;
  status: number;
  /** The subscriber answered with the challenge it was sent. */
  echoed: boolean;
}

interface Subscriber {
  callback: string;
  topic: string;
  secret: string | null;
}

/**
 * A WebSub hub on 127.0.0.1 (W3C WebSub §5–§8): takes (un)subscription requests with 202, verifies
 * each intent at the callback with a random challenge, and distributes content to verified
 * subscribers, signed with X-Hub-Signature (sha256) under each one's secret.
 */
export class FakeHub {
  readonly requests: HubRequest[] = [];
  readonly verifications: Verification[] = [];
  private readonly subscribers = new Map<string, Subscriber>();
  /** The lease granted, in seconds (null: what was asked for). */
  leaseSeconds: number | null = null;
  /** Answer subscription requests with this status instead of 202 (a hub that refuses). */
  refuseWith: number | null = null;
  private server!: Server;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hub`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void (async () => {
        const form = new URLSearchParams((await readBody(req)).toString());
        const request: HubRequest = {
          mode: form.get('hub.mode') ?? '',
          topic: form.get('hub.topic') ?? '',
          callback: form.get('hub.callback') ?? '',
          secret: form.get('hub.secret'),
          leaseSeconds: form.has('hub.lease_seconds') ? Number(form.get('hub.lease_seconds')) : null,
        };
        this.requests.push(request);
        if (this.refuseWith !== null) {
          res.writeHead(this.refuseWith, { 'content-type': 'text/plain' }).end('subscriptions closed');
          return;
        }
        res.writeHead(202).end();
        await this.verify(request);
      })();
    });
    this.port = await listen(this.server);
  }

  async stop(): Promise<void> {
    await close(this.server);
  }

  /** Sends an intent verification (GET) to the request's callback, as a hub does after accepting it. */
  async verify(request: Pick<HubRequest, 'mode' | 'topic' | 'callback'> & { leaseSeconds?: number | null }): Promise<Verification> {
    const challenge = `challenge-${Math.random().toString(36).slice(2)}`;
    const url = new URL(request.callback);
    url.searchParams.set('hub.mode', request.mode);
    url.searchParams.set('hub.topic', request.topic);
    url.searchParams.set('hub.challenge', challenge);
    const lease = this.leaseSeconds ?? request.leaseSeconds;
    if (request.mode === 'subscribe' && lease) url.searchParams.set('hub.lease_seconds', String(lease));
    const response = await fetch(url);
    const body = await response.text();
    const verification = { mode: request.mode, topic: request.topic, callback: request.callback, status: response.status, echoed: response.ok && body === challenge };
    this.verifications.push(verification);
    const full = this.requests.find((r) => r.callback === request.callback && r.topic === request.topic);
    if (verification.echoed && request.mode === 'subscribe') this.subscribers.set(request.callback, { callback: request.callback, topic: request.topic, secret: full?.secret ?? null });
    if (verification.echoed && request.mode === 'unsubscribe') this.subscribers.delete(request.callback);
    return verification;
  }

  /** Verified subscribers of `topic`. */
  subscribersOf(topic: string): Subscriber[] {
    return [...this.subscribers.values()].filter((s) => s.topic === topic);
  }

  /**
   * Distributes `body` to every verified subscriber of `topic` (a fat ping; '' is a thin one).
   * `signature`: 'valid' signs with the subscriber's secret, 'forged' with another, 'none' not at all.
   * Resolves with each callback's HTTP status.
   */
  async publish(topic: string, body: string, signature: 'valid' | 'forged' | 'none' = 'valid', contentType = 'application/rss+xml'): Promise<number[]> {
    return Promise.all(this.subscribersOf(topic).map((s) => this.deliver(s.callback, body, signature === 'none' ? null : signature === 'valid' ? (s.secret ?? '') : 'not-the-secret', contentType)));
  }

  /** One content distribution request to `callback`, signed with `secret` (null: unsigned). */
  async deliver(callback: string, body: string, secret: string | null, contentType = 'application/rss+xml'): Promise<number> {
    const headers: Record<string, string> = { 'content-type': contentType, link: `<${this.url}>; rel="hub"` };
    if (secret !== null) headers['x-hub-signature'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const response = await fetch(callback, { method: 'POST', headers, body });
    await response.arrayBuffer();
    return response.status;
  }
}
