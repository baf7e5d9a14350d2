import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { close, createServer, listen } from './http.js';

export interface Resource {
  body: string | Buffer;
  contentType: string;
  status?: number;
  headers?: Record<string, string>;
}

export interface TestItem {
  guid: string;
  title: string;
  link: string;
  pubDate?: Date;
  description?: string;
  categories?: string[];
  author?: string;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function rss(title: string, items: TestItem[]): string {
  const entries = items
    .map(
      (item) => `<item><title>${escapeXml(item.title)}</title><link>${escapeXml(item.link)}</link><guid isPermaLink="false">${escapeXml(item.guid)}</guid>${
        item.pubDate ? `<pubDate>${item.pubDate.toUTCString()}</pubDate>` : ''
      }${item.description ? `<description>${escapeXml(item.description)}</description>` : ''}${(item.categories ?? []).map((category) => `<category>${escapeXml(category)}</category>`).join('')}${
        item.author ? `<author>${escapeXml(item.author)}</author>` : ''
      }</item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${escapeXml(title)}</title><link>https://news.example/</link>${entries}</channel></rss>`;
}

export function articlePage(title: string, paragraphs: string[]): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)} | Test News</title>
<meta property="og:site_name" content="Test News"><meta property="og:image" content="https://news.example/img/${encodeURIComponent(title)}.jpg"></head>
<body><nav><a href="/">Home</a></nav><article><h1>${escapeXml(title)}</h1>
<div class="share-buttons"><a href="#">Share on Twitter</a></div>
${paragraphs.map((p) => `<p>${escapeXml(p)}</p>`).join('\n')}
<p>Follow us on Twitter, Facebook and Google News</p></article><footer>© Test News</footer></body></html>`;
}

/** A local HTTP server for feeds and article pages, with ETag/304 support and request counts. */
export class FeedServer {
  private readonly resources = new Map<string, Resource>();
  readonly requests = new Map<string, number>();
  /** When each request for a path arrived (Date.now()), in order. */
  readonly arrivals = new Map<string, number[]>();
  private server!: Server;
  port = 0;

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  set(path: string, resource: Resource): void {
    this.resources.set(path, resource);
  }

  setFeed(path: string, xml: string): void {
    this.set(path, { body: xml, contentType: 'application/rss+xml; charset=utf-8' });
  }

  setPage(path: string, html: string): void {
    this.set(path, { body: html, contentType: 'text/html; charset=utf-8' });
  }

  count(path: string): number {
    return this.requests.get(path) ?? 0;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
      this.arrivals.set(path, [...(this.arrivals.get(path) ?? []), Date.now()]);
      const resource = this.resources.get(path);
      if (!resource) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const etag = `"${createHash('sha1').update(resource.body).digest('hex')}"`;
      if ((resource.status ?? 200) === 200 && req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag }).end();
        return;
      }
      res.writeHead(resource.status ?? 200, { 'content-type': resource.contentType, etag, ...resource.headers }).end(resource.body);
    });
    this.port = await listen(this.server);
  }

  async stop(): Promise<void> {
    await close(this.server);
  }
}
