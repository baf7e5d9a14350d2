import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../config/config.js';
import { processEnvironment, readEnv, type Environment } from '../config/env.js';
import { createHerald } from '../main.js';
import { createLogger } from '../ops/logger.js';
import { counted } from '../text/count.js';
import { TARGET_KINDS } from '../targets/index.js';

const DEMO_DIR = fileURLToPath(new URL('../../demo/', import.meta.url));
const TYPES: Record<string, string> = { '.xml': 'application/rss+xml; charset=utf-8', '.html': 'text/html; charset=utf-8' };

/** Serves demo/ on 127.0.0.1 so the demo exercises the real HTTP path with no network. */
async function serveDemoFiles(): Promise<{ base: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
    const file = join(DEMO_DIR, path);
    stat(file).then(
      (info) => {
        if (!info.isFile() || !file.startsWith(DEMO_DIR)) throw new Error('not a file');
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        createReadStream(file).pipe(res);
      },
      () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'),
    ).catch(() => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** `npm run demo`: one dry-run cycle over the bundled sample feed. No tokens, no network. */
export async function runDemo(): Promise<number> {
  const files = await serveDemoFiles();
  const print = (text: string) => process.stdout.write(`${text}\n`);
  try {
    // One destination of every kind Herald knows, as each kind's descriptor gives it: a new kind needs no edit here.
    const sections = TARGET_KINDS.flatMap((kind) => (kind.demo.settings === undefined ? [] : [[kind.name, kind.demo.settings] as const]));
    const config = parseConfig(
      {
        feeds: [{ id: 'demo-news', name: 'Herald Demo News', url: `${files.base}/feed.xml`, every: '5m', backfill: 3, color: '#2b6cb0' }],
        routes: [{ feeds: ['*'], to: TARGET_KINDS.map((kind) => ({ [kind.name]: kind.demo.entry })) }],
        ...Object.fromEntries(sections),
      },
      'demo (built in)',
      TARGET_KINDS,
      Object.assign({}, ...TARGET_KINDS.map((kind) => kind.demo.environment)) as Environment,
    );
    const env = readEnv({ HERALD_ALLOW_PRIVATE_NETWORK: '1', DATABASE_URL: 'sqlite::memory:' });
    const log = createLogger({ level: processEnvironment().LOG_LEVEL ?? 'warn', secrets: [], fd: 2, pretty: process.stderr.isTTY === true });
    print(`Herald demo: the bundled feed served at ${files.base}/feed.xml, dry run (nothing is sent).\n`);
    const herald = await createHerald({ config, env, configured: new Map(), log, dryRun: true, serveOps: false, print });
    const { polls, deliveries: { attempted } } = await herald.runOnce();
    await herald.stop();
    const newArticles = polls.reduce((sum, poll) => sum + poll.newArticles, 0);
    print(`Demo done: ${counted(polls.length, 'feed')} polled, ${counted(newArticles, 'new article')}, ${counted(attempted, 'post')} shown above.`);
    return polls.some((poll) => poll.status === 'failed') ? 1 : 0;
  } finally {
    await files.close();
  }
}
