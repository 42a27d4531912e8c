import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { generate } from '../../fixtures/generate.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { buildModels } from '../../models/runner/build.ts';
import { startServer, type RunningServer } from '../../server/start-server.ts';
import { sharedFixture } from './shared-fixture.ts';

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

export interface DemoOptions {
  /** How many days of the business to simulate instead of three weeks (1: a first day's data). */
  days?: number;
  /** Land nothing: the configured business with empty inboxes, built (every mart empty). */
  empty?: boolean;
}

/**
 * The demo business (`npm start`'s simulator, seed 1) over three weeks, ingested, built and served
 * on a free port: the whole pipeline, for real, with every system, its incidents, orders and
 * cancellations, so the pages have mismatches, oversells and two complete weeks to compare.
 * The simulation, landing and build happen once per test run (`sharedFixture`); each caller
 * serves its own copy of the database in `dir`, so a test that writes changes nobody else's.
 */
/** How long a `beforeAll` that starts the demo may take: the first one also builds it. */
export const demoBuildTimeoutMs = 600_000;

export async function startDemoServer(dir: string, options: DemoOptions = {}): Promise<DemoServer> {
  const name = options.empty ? 'demo-empty' : options.days ? `demo-${options.days}-days` : 'demo-3-weeks';
  const built = await sharedFixture(name, (into) => buildDemo(into, options), demoBuildTimeoutMs);
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(built)) {
    if (linkedFolders.has(entry)) symlinkSync(path.join(built, entry), path.join(dir, entry));
    else cpSync(path.join(built, entry), path.join(dir, entry), { recursive: true });
  }
  const config = loadConfig(path.join(dir, 'stocklens.config.yaml'));
  const db = await Database.open(config.databaseFile);
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

/** The simulator's inputs and truth: read, never written, so every copy shares them. */
const linkedFolders = new Set(['inbox', 'truth', 'webhooks']);

async function buildDemo(dir: string, options: DemoOptions): Promise<void> {
  await generate({ scale: 'demo', seed: 1, outDir: dir, ...(options.days ? { days: options.days } : { weeks: 3 }) });
  const config = loadConfig(path.join(dir, 'stocklens.config.yaml'));
  if (options.empty) {
    // The same business before its first file: every inbox there and empty.
    for (const source of config.sources) {
      if (!('path' in source) || typeof source.path !== 'string') continue;
      rmSync(source.path, { recursive: true, force: true });
      mkdirSync(source.path, { recursive: true });
    }
  }
  const db = await Database.open(config.databaseFile);
  try {
    await runIngest(config, db);
    const build = await buildModels(config, db);
    if (!build.ok) throw new Error(`demo build failed: ${JSON.stringify(build.results.filter((r) => r.status !== 'success'))}`);
  } finally {
    db.closeSync();
  }
}
