// The feed server for the poll and memory benchmarks, in a process of its own; prints its port.
// /feed/N answers 304 to a matching If-None-Match, except every 20th feed, which has one new item
// each time it is asked (its ten newest items, a window that moves by one); /page/… is an article.
import { createServer } from 'node:http';
import { articleItems } from './generate.js';

const requests = new Map<number, number>();
const page = `<!doctype html><html><head><title>Bench story</title></head><body><article>${'<p>The city council voted on Monday to approve the budget, officials said, and the new bridge will open in spring.</p>'.repeat(6)}</article></body></html>`;

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  if (url.startsWith('/page/')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    return;
  }
  const n = Number(/^\/feed\/(\d+)$/.exec(url)?.[1]);
  if (!Number.isInteger(n)) {
    res.writeHead(404).end();
    return;
  }
  const changing = n % 20 === 0;
  const count = (requests.get(n) ?? 0) + 1;
  requests.set(n, count);
  const etag = changing ? `"v${count}"` : '"v1"';
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag }).end();
    return;
  }
  const pages = `http://127.0.0.1:${(server.address() as { port: number }).port}/page/f${n}`;
  const body = articleItems(10, { first: changing ? count : 0, prefix: `f${n}`, pages });
  res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag }).end(body);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
