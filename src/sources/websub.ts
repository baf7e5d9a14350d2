import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { safeHttpUrl } from '../text/url.js';
import type { PushLinks } from './feed.js';
import { FetchError, type HttpClient } from './http.js';

/**
 * The `rel="hub"` and `rel="self"` targets of an HTTP Link header (RFC 8288 §3), resolved against
 * `base` (the URL the answer came from). Only http(s) targets are kept.
 */
export function linkHeaderPush(header: string | null, base: string): PushLinks {
  const hubs: string[] = [];
  let self: string | null = null;
  // link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param ); several values are comma-separated.
  for (const match of (header ?? '').matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(match[2] ?? '');
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    const url = safeHttpUrl(match[1], base);
    if (!url) continue;
    if (rels.includes('hub') && !hubs.includes(url)) hubs.push(url);
    if (rels.includes('self') && self === null) self = url;
  }
  return { hubs, self };
}

/**
 * Where a feed is pushed from: the HTTP Link header first, then the document's own links (W3C
 * WebSub §4: a subscriber checks the Link header, then the content). The topic is the `self` URL,
 * else the URL the feed was fetched from.
 */
export function pushLinks(header: PushLinks, document: PushLinks, fetchedFrom: string): { hubs: string[]; topic: string } {
  const hubs = header.hubs.length > 0 ? header.hubs : document.hubs;
  return { hubs, topic: header.self ?? document.self ?? fetchedFrom };
}

/** HMAC methods a hub may sign with (W3C WebSub §7.1); Herald checks whichever the hub used. */
const SIGNATURE_METHODS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

/**
 * Whether `header` (X-Hub-Signature: `method=hex`) is the HMAC of `body` under `secret` (W3C WebSub
 * §7 Authenticated Content Distribution). Compared in constant time; an absent, malformed or
 * unknown-method header is false.
 */
export function signatureMatches(secret: string, header: string | null | undefined, body: Uint8Array): boolean {
  const match = /^\s*(sha1|sha256|sha384|sha512)=([0-9a-f]+)\s*$/i.exec(header ?? '');
  if (!match || !SIGNATURE_METHODS.has(match[1]!.toLowerCase())) return false;
  const expected = createHmac(match[1]!.toLowerCase(), secret).update(body).digest();
  const given = Buffer.from(match[2]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface SubscriptionRequest {
  hub: string;
  mode: 'subscribe' | 'unsubscribe';
  topic: string;
  callback: string;
  /** Shared secret for signed notifications (W3C WebSub: fewer than 200 bytes). */
  secret?: string;
  /** The lease asked for, in seconds; the hub decides. */
  leaseSeconds?: number;
}

/**
 * Sends a subscription or unsubscription request to a hub (W3C WebSub §5.1): a form POST that the
 * hub accepts with 202 (any 2xx is taken). The hub then verifies the intent at the callback.
 * Throws FetchError: `http` with the status when the hub refuses, or what stopped the request.
 */
export async function requestSubscription(http: HttpClient, request: SubscriptionRequest, timeoutMs: number): Promise<void> {
  const form: Record<string, string> = { 'hub.mode': request.mode, 'hub.topic': request.topic, 'hub.callback': request.callback };
  if (request.secret) form['hub.secret'] = request.secret;
  if (request.leaseSeconds) form['hub.lease_seconds'] = String(request.leaseSeconds);
  const { status, text } = await http.postForm(request.hub, form, timeoutMs);
  if (status < 200 || status >= 300) {
    const reason = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    throw new FetchError('http', `hub answered HTTP ${status}${reason ? `: ${reason}` : ''}`, status);
  }
}

/** hub.lease_seconds as a verification carries it (W3C WebSub §5.3): a whole number of seconds, at least 1. */
const leaseSeconds = z.string().regex(/^\d{1,15}$/).transform(Number).pipe(z.number().int().positive());

/**
 * The lease to count on, in ms, from a verification's `hub.lease_seconds` (null when absent) and the
 * lease Herald asked for (`askedMs`, ms). The hub decides the lease (W3C WebSub §5.3), but Herald
 * renews by the shorter of the two: a lease longer than asked for, absurd or not, is clamped to
 * `askedMs`, and a missing or malformed one counts as `askedMs`; so the time stored is always a
 * valid date.
 */
export function grantedLeaseMs(value: string | null, askedMs: number): number {
  const parsed = leaseSeconds.safeParse(value);
  return parsed.success ? Math.min(parsed.data * 1000, askedMs) : askedMs;
}
