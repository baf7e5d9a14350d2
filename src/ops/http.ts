import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

export interface OpsServer {
  /** The address and port actually bound (the port is the one chosen when 0 was asked for). */
  address: { host: string; port: number };
  close(): Promise<void>;
}

/**
 * Serves /healthz (the process answers), /readyz (every readiness check passes) and /metrics
 * (Prometheus) on `listen.host` (HTTP_HOST) and `listen.port` (HTTP_PORT; 0 picks a free port).
 * Rejects when the address cannot be bound (EADDRINUSE, EADDRNOTAVAIL).
 */
export async function startOpsServer(listen: { host: string; port: number }, checks: ReadinessCheck[], metrics: Metrics, log: Logger): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    void (async () => {
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      } else if (path === '/readyz') {
        const results = await Promise.all(checks.map(async (c) => [c.name, await c.check().catch(() => false)] as const));
        const ok = results.every(([, passed]) => passed);
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ok ? 'ready' : 'not ready', checks: Object.fromEntries(results) }));
      } else if (path === '/metrics') {
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    })().catch((error: unknown) => {
      log.error({ err: error, path }, 'ops endpoint failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const address = { host: bound.address, port: bound.port };
  log.info(address, 'health and metrics listening');
  return {
    address,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
