import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { ConfigError } from '../config/config.js';
import { createDashboardApp, type DashboardDeps } from './app.js';

export interface Dashboard {
  /** The address and port actually bound (the port is the one chosen when 0 was asked for). */
  address: { host: string; port: number };
  close(): Promise<void>;
}

/**
 * Serves the dashboard (see createDashboardApp) on `listen` (config keys dashboard.host and
 * dashboard.port; port 0 picks a free one).
 * @throws ConfigError naming dashboard.port or dashboard.host when the address cannot be bound.
 */
export async function startDashboard(listen: { host: string; port: number }, deps: DashboardDeps): Promise<Dashboard> {
  const app = createDashboardApp(deps);
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const key = error.code === 'EADDRNOTAVAIL' ? 'dashboard.host' : 'dashboard.port';
      reject(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL'].includes(error.code ?? '') ? new ConfigError(`${key}: cannot listen on ${listen.host}:${listen.port} (${error.code})`) : error);
    });
    server.listen(listen.port, listen.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const address = { host: bound.address, port: bound.port };
  deps.log.info({ ...address, component: 'dashboard' }, 'dashboard listening');
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
