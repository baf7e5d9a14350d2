import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { scrubSecrets } from '../../src/ops/logger.js';
import { redactUrlSecrets } from '../../src/ops/redact.js';
import { runHerald, tempDir, writeConfig } from '../e2e/herald-process.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.secret-token-value';

describe('secrets never reach the log', () => {
  it('scrubs known secrets, bot/bearer headers and interaction tokens in URLs from a line', () => {
    const line = JSON.stringify({
      msg: `failed with token ${TOKEN}`,
      err: { stack: `Error: 401 at https://x/api/v10/interactions/123/aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4/callback` },
      headers: { authorization: 'Bot abcdefghijklmnop' },
    });
    const clean = scrubSecrets(line, [TOKEN]);
    expect(clean).not.toContain(TOKEN);
    expect(clean).not.toContain('aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4');
    expect(clean).not.toContain('abcdefghijklmnop');
    expect(clean).toContain('[redacted]');
  });

  it('applies to every line the logger writes, errors included', async () => {
    const { createLogger } = await import('../../src/ops/logger.js');
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ level: 'info', secrets: [TOKEN], stream: sink });
    log.error({ err: new Error(`request failed: Authorization: Bot ${TOKEN}`), token: TOKEN, config: { nested: { value: TOKEN } } }, 'send failed');
    const output = lines.join('');
    expect(output).toContain('send failed');
    expect(output).not.toContain(TOKEN);
  });
});

describe('credentials inside URLs', () => {
  it.each([
    ['https://reader:hunter2@feeds.example/rss?token=abc123&key=def456&page=2', 'https://[redacted]@feeds.example/rss?token=[redacted]&key=[redacted]&page=2'],
    ['http://only-user@feeds.example/rss', 'http://[redacted]@feeds.example/rss'],
    ['see <https://a.example/x?api_key=K1&keyword=news&accessToken=T2&X-Amz-Signature=S3&sessionid=S4> now', 'see <https://a.example/x?api_key=[redacted]&keyword=news&accessToken=[redacted]&X-Amz-Signature=[redacted]&sessionid=[redacted]> now'],
    ['{"url":"https://u:p@h.example/f?client_secret=zz&q=1"}', '{"url":"https://[redacted]@h.example/f?client_secret=[redacted]&q=1"}'],
    ['https://news.example/2026/11/30/story.html?utm_source=rss&monkey=1', 'https://news.example/2026/11/30/story.html?utm_source=rss&monkey=1'],
    ['mail me at someone@example.org', 'mail me at someone@example.org'],
  ])('redacts %s', (text, expected) => {
    expect(redactUrlSecrets(text)).toBe(expected);
  });

  it('a failing feed whose URL carries a password, a token and a key leaves none of them in any log line or message', async () => {
    const server = createServer((_req, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('down'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const secrets = ['hunter2-password', 'tok-s3cret-value', 'key-s3cret-value'];
    try {
      const dir = tempDir('redact');
      const url = `http://reader:${secrets[0]}@127.0.0.1:${(server.address() as AddressInfo).port}/feed.xml?token=${secrets[1]}&key=${secrets[2]}&page=2`;
      const env = {
        HERALD_CONFIG: writeConfig(dir, { feeds: [{ id: 'private-feed', url }], routes: [] }),
        DATABASE_URL: `sqlite:${dir}/herald.db`,
        HERALD_ALLOW_PRIVATE_NETWORK: '1',
        // A destination (X over OAuth 2 makes no request until a post is due), or run refuses to start.
        X_CLIENT_ID: 'redact-test-client',
        LOG_LEVEL: 'debug',
      };
      const outputs = [];
      for (const args of [['run', '--once'], ['preview', 'private-feed']]) {
        outputs.push(await runHerald(args, env));
      }
      const [run, preview] = outputs;
      expect(run!.code).toBe(1);
      expect(run!.stdout).toContain('feed poll failed');
      expect(run!.stdout).toContain('/feed.xml?token=[redacted]&key=[redacted]&page=2');
      expect(preview!.code).toBe(1);
      expect(preview!.stderr).toContain('HTTP 503');
      for (const text of [run!.stdout, run!.stderr, preview!.stdout, preview!.stderr]) {
        for (const secret of secrets) expect(text).not.toContain(secret);
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
