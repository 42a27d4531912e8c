import type { AddressInfo } from 'node:net';
import type { Config } from '../core/load-config.ts';
import type { Database } from '../db/database.ts';
import { createApp } from './app.ts';
import { TokenStore } from './auth/token-store.ts';
import { bundleDashboard } from './dashboard-bundle.ts';
import { keepEventLoopAhead } from './event-loop-priority.ts';
import type { AdminActions } from './routes/admin-routes.ts';

export interface RunningServer {
  url: string;
  port: number;
  /** The token store of this server: tests and the CLI create tokens with it. */
  tokens: TokenStore;
  /** Resolves when the cache holds the default views (after the start, or the latest publish). */
  warmed(): Promise<void>;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Admin actions of other stages (batch release, alert runs) this process can perform. */
  actions?: AdminActions;
  /** Interface to listen on; 127.0.0.1 unless the operator says otherwise. */
  host?: string;
}

/** Starts the HTTP server (port 0 picks a free one, which the tests use). Every API call needs a token. */
export async function startServer(config: Config, db: Database, port = config.server.port, options: ServerOptions = {}): Promise<RunningServer> {
  const tokens = await TokenStore.open(db);
  const serverApp = createApp({ config, db, dashboard: await bundleDashboard(), tokens, actions: options.actions });
  const server = serverApp.app.listen(port, options.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} is in use: stop the other server or pass --port N`) : error),
    );
  });
  // Keep-alive sockets of benchmark clients or browsers must not hold close() open.
  server.keepAliveTimeout = 5_000;
  const actualPort = (server.address() as AddressInfo).port;
  // Answers from the cache must not wait for a build's DuckDB threads to yield the cores.
  const stopPriority = keepEventLoopAhead();
  // The first visit after a start finds the default views read (or joins their queries under way).
  const warmed = serverApp.warmUp();
  return {
    url: `http://localhost:${actualPort}`,
    port: actualPort,
    tokens,
    warmed: () => serverApp.endpoints.cache.warmed().then(() => warmed),
    async close() {
      stopPriority();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // A warm-up query must not outlive the server: the caller closes the database next.
      await serverApp.close();
    },
  };
}
