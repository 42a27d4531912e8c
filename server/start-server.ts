import type { AddressInfo } from 'node:net';
import type { Config } from '../core/load-config.ts';
import type { Database } from '../db/database.ts';
import { createApp } from './app.ts';
import { bundleDashboard } from './dashboard-bundle.ts';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the HTTP server (port 0 picks a free one, which the tests use). */
export async function startServer(config: Config, db: Database, port = config.server.port): Promise<RunningServer> {
  const app = createApp({ config, db, dashboard: await bundleDashboard() });
  const server = app.listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} is in use: stop the other server or pass --port N`) : error),
    );
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${actualPort}`,
    port: actualPort,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
