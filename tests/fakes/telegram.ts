import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { close, createServer, listen, readBody, sendJson } from './http.js';

export interface SentMessage {
  messageId: number;
  chatId: string;
  /** The message as sent (HTML). */
  html: string;
  /** The text a reader sees: tags removed, entities decoded (what Telegram's 4,096 counts). */
  text: string;
  /** The link preview asked for. */
  previewUrl: string | null;
  /** Every text before an edit, oldest first. */
  history: string[];
}

/** An answer served instead of the next sendMessage; `drop` posts the message, then cuts the connection (a lost answer). */
export type InjectedAnswer = { status: number; body: unknown } | { drop: true };

/** Tags Telegram's HTML parse mode allows (core.telegram.org/bots/api#html-style). */
const TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'tg-spoiler', 'span', 'blockquote', 'tg-emoji']);
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/**
 * Parses HTML as Telegram's parse mode does, written from its documentation: only the allowed tags,
 * properly nested; `&` only as &lt; &gt; &amp; &quot; or a numeric entity; a bare `<` or `>` is an
 * error. Returns the visible text, or the error Telegram gives.
 */
export function parseTelegramHtml(html: string): { text: string } | { error: string } {
  const open: string[] = [];
  let text = '';
  let i = 0;
  while (i < html.length) {
    const c = html[i]!;
    if (c === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) return { error: `Bad Request: can't parse entities: unclosed start tag at byte offset ${i}` };
      const tag = html.slice(i + 1, end);
      const closing = tag.startsWith('/');
      const name = (closing ? tag.slice(1) : tag).split(/\s/)[0]!.toLowerCase();
      if (!TAGS.has(name)) return { error: `Bad Request: can't parse entities: unsupported start tag "${name}" at byte offset ${i}` };
      if (closing) {
        if (open.pop() !== name) return { error: `Bad Request: can't parse entities: unmatched end tag at byte offset ${i}` };
      } else {
        const attributes = tag.slice(name.length);
        if (/[<]/.test(attributes) || (name === 'a' && !/^\s+href="[^"<>]*"$/.test(attributes))) return { error: `Bad Request: can't parse entities: bad attribute at byte offset ${i}` };
        open.push(name);
      }
      i = end + 1;
    } else if (c === '>') {
      return { error: `Bad Request: can't parse entities: unexpected end tag at byte offset ${i}` };
    } else if (c === '&') {
      const entity = /^&(?:(lt|gt|amp|quot)|#(\d+)|#x([0-9a-f]+));/i.exec(html.slice(i));
      if (!entity) return { error: `Bad Request: can't parse entities: character entity expected at byte offset ${i}` };
      text += entity[1] ? ENTITIES[entity[1].toLowerCase()] : String.fromCodePoint(entity[2] ? Number(entity[2]) : parseInt(entity[3]!, 16));
      i += entity[0].length;
    } else {
      text += c;
      i++;
    }
  }
  if (open.length > 0) return { error: `Bad Request: can't parse entities: unclosed tag "${open.at(-1)}"` };
  return { text };
}

/**
 * A fake Telegram Bot API for grammY (`apiRoot`): POST /bot<token>/sendMessage and editMessageText
 * with HTML parse mode checked, the 4,096-character limit after entities parsing, chats the bot may
 * post in, and injectable answers (429 with `retry_after`, lost answers).
 */
export class FakeTelegram {
  readonly messages: SentMessage[] = [];
  /** Answers to serve, in order, to the next sendMessage calls instead of accepting them. */
  readonly injected: InjectedAnswer[] = [];
  /** Refusals the fake answered (bad HTML, too long), for tests to assert there were none. */
  readonly refused: string[] = [];
  sendRequests = 0;
  /** When true, messages are posted but their answers are withheld (a process killed mid-send never hears back). */
  holdAnswers = false;
  /** Messages posted whose answer is being withheld. */
  held = 0;
  private server!: Server;
  private nextMessageId = 1;
  port = 0;

  constructor(
    readonly token: string,
    /** Chats the bot is a member (channel admin) of: numeric ids or @usernames. */
    readonly chats: readonly string[],
  ) {}

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  messagesIn(chatId: string): SentMessage[] {
    return this.messages.filter((message) => message.chatId === chatId);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.port = await listen(this.server);
  }

  async stop(): Promise<void> {
    await close(this.server);
  }

  private fail(res: ServerResponse, code: number, description: string, parameters?: unknown): void {
    this.refused.push(description);
    sendJson(res, code, { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!match) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (match[1] !== this.token) return this.fail(res, 401, 'Unauthorized');
    const params = JSON.parse(body.toString('utf8') || '{}') as { chat_id?: string | number; text?: string; parse_mode?: string; message_id?: number; link_preview_options?: { url?: string } };
    const method = match[2]!;
    if (method === 'getMe') return sendJson(res, 200, { ok: true, result: { id: 1, is_bot: true, first_name: 'Herald', username: 'herald_bot' } });
    if (method !== 'sendMessage' && method !== 'editMessageText') return this.fail(res, 404, 'Not Found: method not found');
    if (method === 'sendMessage') {
      this.sendRequests++;
      const injected = this.injected.shift();
      if (injected && 'status' in injected) return sendJson(res, injected.status, injected.body);
      const checked = this.check(params, res);
      if (!checked) return;
      const message: SentMessage = { messageId: this.nextMessageId++, chatId: String(params.chat_id), html: params.text!, text: checked, previewUrl: params.link_preview_options?.url ?? null, history: [] };
      this.messages.push(message);
      if (this.holdAnswers) {
        this.held++;
        return;
      }
      if (injected) {
        res.socket?.destroy();
        return;
      }
      return sendJson(res, 200, { ok: true, result: this.messageJson(message) });
    }
    const message = this.messages.find((m) => m.chatId === String(params.chat_id) && m.messageId === params.message_id);
    if (!message) return this.fail(res, 400, 'Bad Request: message to edit not found');
    const checked = this.check(params, res);
    if (!checked) return;
    if (params.text === message.html) return this.fail(res, 400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    message.history.push(message.html);
    message.html = params.text!;
    message.text = checked;
    return sendJson(res, 200, { ok: true, result: this.messageJson(message) });
  }

  /** The visible text of a valid message to a known chat, or null after answering the refusal. */
  private check(params: { chat_id?: string | number; text?: string; parse_mode?: string }, res: ServerResponse): string | null {
    if (!this.chats.includes(String(params.chat_id))) {
      this.fail(res, 400, 'Bad Request: chat not found');
      return null;
    }
    if (params.parse_mode !== 'HTML') {
      this.fail(res, 400, 'Bad Request: expected parse_mode HTML in this fake');
      return null;
    }
    const parsed = parseTelegramHtml(params.text ?? '');
    if ('error' in parsed) {
      this.fail(res, 400, parsed.error);
      return null;
    }
    if (parsed.text.trim() === '') {
      this.fail(res, 400, 'Bad Request: message text is empty');
      return null;
    }
    if (parsed.text.length > 4096) {
      this.fail(res, 400, 'Bad Request: message is too long');
      return null;
    }
    return parsed.text;
  }

  private messageJson(message: SentMessage) {
    const chatId = /^-?\d+$/.test(message.chatId) ? Number(message.chatId) : -1001234567890;
    return { message_id: message.messageId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'channel', title: 'News' }, text: message.text };
  }
}
