// A feed server for the poll benchmark, in its own process: /feed/N answers 304 to a matching
// If-None-Match, except every 20th feed, which has a new item each time it is asked.
import { createServer } from 'node:http';
import { articleItems } from './generate.js';

const requests = new Map<number, number>();
const page = `<!doctype html><html><head><title>Bench story</title></head><body><article>${'<p>The city council voted on Monday to approve the budget, officials said, and the new bridge will open in spring.</p>'.repeat(6)}</article></body></html>`;

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  if (url.startsWith('/page/')) {
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    return;
  }
  const n = Number(url.split('/')[2]);
  const changing = n % 20 === 0;
  const count = (requests.get(n) ?? 0) + 1;
  requests.set(n, count);
  const etag = changing ? `"v${count}"` : '"v1"';
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag }).end();
    return;
  }
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const body = articleItems(changing ? Math.min(count, 20) : 10, `f${n}-`, base).replace(/\/f\d+--\//g, '/page/');
  res.writeHead(200, { 'content-type': 'application/rss+xml', etag }).end(body);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
