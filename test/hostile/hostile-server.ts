import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServingPipeline } from '../../bin/serving-pipeline.ts';
import { loadConfig, type Config } from '../../core/load-config.ts';
import type { Database } from '../../db/database.ts';
import { openDatabase } from '../../bin/context.ts';
import { startServer, type RunningServer } from '../../server/start-server.ts';

export interface HostileServer {
  dir: string;
  config: Config;
  db: Database;
  server: RunningServer;
  /** An admin token (`Authorization: Bearer`). */
  token: string;
  /** `fetch` on this server as the admin. */
  api(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  /** The inbox folder of a source. */
  inbox(source: string): string;
  /** `POST /api/ingest` for the sources, answering the run summaries. */
  ingest(...sources: string[]): Promise<{ source: string; status: string; batches: number; error?: string }[]>;
  close(): Promise<void>;
}

/**
 * The serving process as `stocklens serve` runs it (schedules, landing, builds, exports, alerts
 * and the HTTP API on one DuckDB file), on a free port, over a small config: each source a
 * csv-drop folder under `dir/inbox/<name>` with the extra YAML given, one location `WH-1`.
 */
export async function startHostileServer(dir: string, options: { sources?: Record<string, string>; yaml?: string } = {}): Promise<HostileServer> {
  const sources = options.sources ?? { wms: '' };
  const lines = ['data_dir: ./data', 'sources:'];
  for (const [name, extra] of Object.entries(sources)) {
    mkdirSync(path.join(dir, 'inbox', name), { recursive: true });
    // The tests write a file and land it at once: no quiet period unless a source asks for one.
    const quiet = extra.includes('quiet_period') ? '' : 'quiet_period: 0s, ';
    lines.push(`  - { name: ${name}, system: wms, connector: csv-drop, ${quiet}path: ./inbox/${name}, schedule: "0 0 1 1 *"${extra ? `, ${extra}` : ''} }`);
  }
  lines.push('locations:', '  - { id: WH-1, name: Warehouse one }', 'duckdb: { memory_limit: 1GB, threads: 2 }', options.yaml ?? '');
  writeFileSync(path.join(dir, 'stocklens.config.yaml'), `${lines.join('\n')}\n`);
  const config = loadConfig(path.join(dir, 'stocklens.config.yaml'));
  const db = await openDatabase(config);
  const pipeline = startServingPipeline(config, db);
  const server = await startServer(config, db, 0, { actions: pipeline.actions });
  const { token } = await server.tokens.create('admin', 'hostile tests');
  const api = (pathAndQuery: string, init: RequestInit = {}) =>
    fetch(`${server.url}${pathAndQuery}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
  return {
    dir,
    config,
    db,
    server,
    token,
    api,
    inbox: (source) => path.join(dir, 'inbox', source),
    async ingest(...names) {
      const response = await api('/api/ingest', { method: 'POST', body: JSON.stringify(names.length > 0 ? { sources: names } : {}) });
      if (!response.ok) throw new Error(`POST /api/ingest answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { sources: { source: string; status: string; batches: number; error?: string }[] }).sources;
    },
    async close() {
      pipeline.stop();
      await server.close();
      db.closeSync();
    },
  };
}

/** A small stock file of `WH-1` with `skus` rows. */
export function stockCsv(skus: number, onHand = 5): string {
  const rows = Array.from({ length: skus }, (_, index) => `WH-1,SKU-${String(index + 1).padStart(4, '0')},${onHand}`);
  return `location_id,sku,on_hand\n${rows.join('\n')}\n`;
}
