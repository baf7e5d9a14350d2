import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ConfigError } from '../config/config.js';
import type { Metrics } from './metrics.js';

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

/** More paths the server answers: every request whose path starts with `prefix` goes to `handle`. */
export interface OpsRoute {
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export interface OpsServer {
  /** The address and port actually bound (the port is the one chosen when 0 was asked for). */
  address: { host: string; port: number };
  close(): Promise<void>;
}

/** Why the ops server could not listen, as a line that names the variable to change. */
const LISTEN_FAULTS: Record<string, (listen: { host: string; port: number }) => string> = {
  EADDRINUSE: ({ host, port }) => `HTTP_PORT: port ${port} is already in use on ${host}; stop what holds it or set HTTP_PORT to a free port (0 picks one)`,
  EACCES: ({ host, port }) => `HTTP_PORT: port ${port} on ${host} needs privileges this user lacks; use a port above 1023`,
  EADDRNOTAVAIL: ({ host }) => `HTTP_HOST: ${host} is not an address of this machine; use 127.0.0.1, 0.0.0.0 or one of its own addresses`,
};

/**
 * Serves /healthz (the process answers), /readyz (every readiness check passes) and /metrics
 * (Prometheus), and any `routes` (WebSub callbacks), on `listen.host` (HTTP_HOST) and `listen.port`
 * (HTTP_PORT; 0 picks a free port).
 * @throws ConfigError naming HTTP_PORT or HTTP_HOST when the address cannot be bound (in use,
 *   privileged, not this machine's); any other listen error as it is.
 */
export async function startOpsServer(listen: { host: string; port: number }, checks: ReadinessCheck[], metrics: Metrics, log: Logger, routes: readonly OpsRoute[] = []): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes.find((r) => path.startsWith(r.prefix));
    void (async () => {
      if (route) {
        await route.handle(req, res);
      } else if (path === '/healthz') {
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
    server.once('error', (error: NodeJS.ErrnoException) => reject(LISTEN_FAULTS[error.code ?? ''] ? new ConfigError(LISTEN_FAULTS[error.code!]!(listen)) : error));
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
