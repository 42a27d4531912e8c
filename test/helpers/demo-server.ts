import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { generate } from '../../fixtures/generate.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { buildModels } from '../../models/runner/build.ts';
import { startServer, type RunningServer } from '../../server/start-server.ts';

export interface DemoServer {
  config: Config;
  db: Database;
  server: RunningServer;
  /** An admin token of this server, for API calls (`Authorization: Bearer`). */
  token: string;
  /** `fetch` on this server with the admin token. */
  api(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  /** Opens a browser session: navigate a page here first (`/login?token=…` sets the cookie and redirects to `/`). */
  signInUrl: string;
  close(): Promise<void>;
}

/**
 * The demo business (`npm start`'s simulator, seed 1) over three weeks, ingested, built and served
 * on a free port: the whole pipeline, for real, with every system, its incidents, orders and
 * cancellations, so the pages have mismatches, oversells and two complete weeks to compare.
 */
export async function startDemoServer(dir: string): Promise<DemoServer> {
  mkdirSync(dir, { recursive: true });
  await generate({ scale: 'demo', seed: 1, outDir: dir, weeks: 3 });
  const config = loadConfig(path.join(dir, 'stocklens.config.yaml'));
  const db = await Database.open(config.databaseFile);
  await runIngest(config, db);
  const build = await buildModels(config, db);
  if (!build.ok) throw new Error(`demo build failed: ${JSON.stringify(build.results.filter((r) => r.status !== 'success'))}`);
  const server = await startServer(config, db, 0);
  const { token } = await server.tokens.create('admin', 'tests');
  return {
    config,
    db,
    server,
    token,
    api: (pathAndQuery, init = {}) => fetch(`${server.url}${pathAndQuery}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } }),
    signInUrl: `${server.url}/login?token=${encodeURIComponent(token)}`,
    async close() {
      await server.close();
      db.closeSync();
    },
  };
}
