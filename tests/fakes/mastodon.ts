import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { close, createServer, listen, readBody, sendJson } from './http.js';

export interface PostedStatus {
  id: string;
  text: string;
  spoilerText: string;
  visibility: string;
  language: string | null;
  mediaIds: string[];
  idempotencyKey: string | null;
  /** Every text the status had before its edits, oldest first. */
  history: string[];
}

export interface UploadedMedia {
  id: string;
  type: string;
  bytes: number;
  description: string | null;
}

/** An answer served instead of the next status post; `drop` accepts the status, then cuts the connection (a lost answer). */
export type InjectedAnswer = { status: number; body?: unknown; headers?: Record<string, string> } | { drop: true };

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * A status's length as Mastodon's StatusLengthValidator counts it: grapheme clusters, every URL
 * counted as 23 characters, `@user@domain` mentions as `@user` (mastodon/app/validators/status_length_validator.rb).
 * Written here from Mastodon's source, not from Herald's, so the two can disagree.
 */
export function mastodonLength(text: string, urlLength: number): number {
  const countable = text.replace(/https?:\/\/[^\s<>"]+/g, 'x'.repeat(urlLength)).replace(/@([\w]+)@[\w.-]+\w/g, '@$1');
  return [...graphemes.segment(countable)].length;
}

/**
 * A fake Mastodon instance for masto.js: GET /api/v2/instance, verify_credentials, POST /api/v1/statuses
 * with the Idempotency-Key (a repeat by the same account returns the first status, as Mastodon does
 * for an hour), the character limit (422 beyond it), POST /api/v2/media (multipart, 202 then
 * GET /api/v1/media/:id), PUT /api/v1/statuses/:id, Bearer tokens, and injectable answers.
 */
export class FakeMastodon {
  readonly statuses: PostedStatus[] = [];
  readonly media: UploadedMedia[] = [];
  /** Status posts refused as too long, with their length. */
  readonly tooLong: Array<{ text: string; length: number }> = [];
  /** Answers to serve, in order, to the next status posts instead of accepting them. */
  readonly injected: InjectedAnswer[] = [];
  statusRequests = 0;
  instanceRequests = 0;
  /** When true, statuses are made but their answers are withheld (a process killed mid-send never hears back). */
  holdAnswers = false;
  /** Statuses made whose answer is being withheld. */
  held = 0;
  maxCharacters = 500;
  urlLength = 23;
  imageSizeLimit = 16 * 1024 * 1024;
  private readonly keys = new Map<string, PostedStatus>();
  private server!: Server;
  private nextId = 110_000_000_000_000_000n;
  port = 0;

  constructor(
    readonly token: string,
    readonly accountId = '109000000000000001',
  ) {}

  get url(): string {
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
    if (req.method === 'GET' && path === '/api/v2/instance') {
      this.instanceRequests++;
      return sendJson(res, 200, {
        domain: '127.0.0.1',
        title: 'Fake Mastodon',
        version: '4.3.0',
        configuration: {
          urls: { streaming: `ws://127.0.0.1:${this.port}` },
          statuses: { max_characters: this.maxCharacters, max_media_attachments: 4, characters_reserved_per_url: this.urlLength },
          media_attachments: { supported_mime_types: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'], image_size_limit: this.imageSizeLimit, image_matrix_limit: 33177600 },
        },
      });
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) return sendJson(res, 401, { error: 'The access token is invalid' });
    if (req.method === 'GET' && path === '/api/v1/accounts/verify_credentials') {
      return sendJson(res, 200, { id: this.accountId, username: 'herald', acct: 'herald', display_name: 'Herald' });
    }
    if (req.method === 'POST' && path === '/api/v2/media') return this.upload(req, body, res);
    const mediaMatch = /^\/api\/v1\/media\/(\d+)$/.exec(path);
    if (req.method === 'GET' && mediaMatch) {
      const media = this.media.find((m) => m.id === mediaMatch[1]);
      return media ? sendJson(res, 200, this.mediaJson(media)) : sendJson(res, 404, { error: 'Record not found' });
    }
    if (req.method === 'POST' && path === '/api/v1/statuses') return this.post(req, body, res);
    const statusMatch = /^\/api\/v1\/statuses\/(\d+)$/.exec(path);
    if (req.method === 'PUT' && statusMatch) {
      const status = this.statuses.find((s) => s.id === statusMatch[1]);
      if (!status) return sendJson(res, 404, { error: 'Record not found' });
      const edit = JSON.parse(body.toString('utf8')) as { status: string; spoiler_text?: string; language?: string };
      const problem = this.validate(edit.status, edit.spoiler_text ?? '');
      if (problem) return sendJson(res, 422, { error: problem });
      status.history.push(status.text);
      status.text = edit.status;
      status.spoilerText = edit.spoiler_text ?? '';
      return sendJson(res, 200, this.statusJson(status));
    }
    return sendJson(res, 404, { error: `${req.method} ${path}` });
  }

  private validate(text: string, spoiler: string): string | null {
    const length = mastodonLength(text, this.urlLength) + [...graphemes.segment(spoiler)].length;
    if (length <= this.maxCharacters) return null;
    this.tooLong.push({ text, length });
    return `Validation failed: Text character limit of ${this.maxCharacters} exceeded`;
  }

  private async upload(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: new Uint8Array(body) }).formData();
    const file = form.get('file');
    if (!(file instanceof Blob)) return sendJson(res, 422, { error: 'Validation failed: File is missing' });
    if (file.size > this.imageSizeLimit) return sendJson(res, 422, { error: 'Validation failed: File file size must be less than 16 MB' });
    const description = form.get('description');
    const media: UploadedMedia = { id: String(this.nextId++), type: file.type, bytes: file.size, description: typeof description === 'string' ? description : null };
    this.media.push(media);
    // Larger files are processed asynchronously: 202 with a null url until GET /api/v1/media/:id has one.
    return sendJson(res, 202, { ...this.mediaJson(media), url: null });
  }

  private post(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    this.statusRequests++;
    const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
    const repeat = key ? this.keys.get(key) : undefined;
    if (repeat) return sendJson(res, 200, this.statusJson(repeat));
    const injected = this.injected.shift();
    if (injected && 'status' in injected) return sendJson(res, injected.status, injected.body ?? { error: 'Injected' }, injected.headers);
    const request = JSON.parse(body.toString('utf8')) as { status?: string; spoiler_text?: string; visibility?: string; language?: string; media_ids?: string[] };
    const text = request.status ?? '';
    const spoilerText = request.spoiler_text ?? '';
    const problem = this.validate(text, spoilerText);
    if (problem) return sendJson(res, 422, { error: problem });
    const mediaIds = request.media_ids ?? [];
    if (mediaIds.some((id) => !this.media.some((m) => m.id === id))) return sendJson(res, 422, { error: 'Validation failed: media not found' });
    const status: PostedStatus = { id: String(this.nextId++), text, spoilerText, visibility: request.visibility ?? 'public', language: request.language ?? null, mediaIds, idempotencyKey: key, history: [] };
    this.statuses.push(status);
    if (key) this.keys.set(key, status);
    if (this.holdAnswers) {
      this.held++;
      return;
    }
    if (injected) {
      // The status is made, but the answer never arrives.
      res.socket?.destroy();
      return;
    }
    sendJson(res, 200, this.statusJson(status), { 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '299', 'x-ratelimit-reset': new Date(Date.now() + 300_000).toISOString() });
  }

  private mediaJson(media: UploadedMedia) {
    return { id: media.id, type: 'image', url: `${this.url}/media/${media.id}`, preview_url: null, description: media.description, blurhash: null };
  }

  private statusJson(status: PostedStatus) {
    return {
      id: status.id,
      uri: `${this.url}/users/herald/statuses/${status.id}`,
      url: `${this.url}/@herald/${status.id}`,
      created_at: new Date().toISOString(),
      content: `<p>${status.text}</p>`,
      spoiler_text: status.spoilerText,
      visibility: status.visibility,
      language: status.language,
      media_attachments: status.mediaIds.map((id) => this.mediaJson(this.media.find((m) => m.id === id)!)),
      account: { id: this.accountId, username: 'herald', acct: 'herald' },
    };
  }
}
