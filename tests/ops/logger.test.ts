import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { scrubSecrets } from '../../src/ops/logger.js';

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
