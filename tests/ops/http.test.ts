import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.js';
import { startOpsServer } from '../../src/ops/http.js';
import { createLogger } from '../../src/ops/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';

const quiet = createLogger({ level: 'silent', secrets: [], stream: new Writable({ write: (_chunk, _encoding, done) => done() }) });

describe('the ops server address (HTTP_HOST)', () => {
  it('listens on 127.0.0.1 unless told otherwise, and where HTTP_HOST says', () => {
    expect(readEnv({}).httpHost).toBe('127.0.0.1');
    expect(readEnv({ HTTP_HOST: '0.0.0.0' }).httpHost).toBe('0.0.0.0');
    expect(readEnv({ HTTP_HOST: '::' }).httpHost).toBe('::');
    expect(readEnv({ HTTP_HOST: 'localhost' }).httpHost).toBe('localhost');
    expect(() => readEnv({ HTTP_HOST: 'every interface' })).toThrow('environment: HTTP_HOST: expected an address to listen on');
  });

  it('binds the address it is given, not every interface', async () => {
    const ops = await startOpsServer({ host: readEnv({}).httpHost, port: 0 }, [], createMetrics({ pendingDeliveries: async () => 0, failingFeeds: async () => 0 }), quiet);
    try {
      expect(ops.address.host).toBe('127.0.0.1');
      const response = await fetch(`http://127.0.0.1:${ops.address.port}/healthz`);
      expect(response.status).toBe(200);
    } finally {
      await ops.close();
    }
  });
});
