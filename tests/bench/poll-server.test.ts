import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SERVER = fileURLToPath(new URL('../../bench/poll-server.ts', import.meta.url));
let server: ChildProcess;
let base = '';

beforeAll(async () => {
  server = spawn(process.execPath, ['--import', 'tsx', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => server.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => server.kill());

const guids = (xml: string) => [...xml.matchAll(/<guid[^>]*>([^<]+)<\/guid>/g)].map((m) => m[1]!);
const links = (xml: string) => [...xml.matchAll(/<link>([^<]+)<\/link>/g)].map((m) => m[1]!).filter((link) => link.includes('/page/'));

// The bench's feed server: what the poll benchmark measures depends on it answering as it says.
describe('bench feed server', () => {
  it('gives a changing feed exactly one new item per request, however often it is asked', async () => {
    let previous: string[] = [];
    let etag = '';
    for (let request = 1; request <= 30; request++) {
      const response = await fetch(`${base}/feed/20`, { headers: etag ? { 'if-none-match': etag } : {} });
      expect(response.status).toBe(200);
      etag = response.headers.get('etag')!;
      const current = guids(await response.text());
      expect(current).toHaveLength(10);
      if (request > 1) expect(current.filter((guid) => !previous.includes(guid))).toHaveLength(1);
      previous = current;
    }
  });

  it('answers 304 for an unchanged feed and serves an HTML article at every item link, unique per feed', async () => {
    const first = await fetch(`${base}/feed/21`);
    const etag = first.headers.get('etag')!;
    const itemLinks = links(await first.text());
    expect((await fetch(`${base}/feed/21`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const otherLinks = links(await (await fetch(`${base}/feed/41`)).text());
    expect(itemLinks).toHaveLength(10);
    expect(itemLinks.filter((link) => otherLinks.includes(link))).toEqual([]);
    const page = await fetch(itemLinks[0]!);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<article>');
  });
});
