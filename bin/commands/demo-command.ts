import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { generate } from '../../fixtures/generate.ts';
import { formatDuration } from '../../core/duration.ts';
import { publishExports } from '../../server/exports/publish-exports.ts';
import { say } from '../terminal.ts';
import { buildWithProgress } from './build-command.ts';
import { ingestWithProgress } from './ingest-command.ts';
import { parsePort, serve } from './serve-command.ts';

export function demoCommand(): Command {
  return new Command('demo')
    .description('generate the demo data and config into a folder, ingest it, build the models and serve the dashboard')
    .option('-d, --dir <folder>', 'where the demo data, config and database go', './data')
    .option('-p, --port <port>', 'port to serve on', parsePort, 3000)
    .option('--no-serve', 'stop after the build instead of serving')
    .action(async (options: { dir: string; port: number; serve: boolean }) => {
      const started = Date.now();
      const dir = path.resolve(options.dir);
      const configFile = path.join(dir, 'stocklens.config.yaml');
      // The demo is regenerated each time so that `npm start` always shows the same, known data.
      for (const stale of ['inbox', 'stocklens.duckdb', 'stocklens.duckdb.wal']) rmSync(path.join(dir, stale), { recursive: true, force: true });
      say(`simulating the demo business into ${dir} (300 SKUs, 4 sites and an FBA centre, 8 weeks, every system's files)`);
      const generated = await generate({ scale: 'demo', seed: 1, outDir: dir });
      say(`wrote ${generated.files.toLocaleString('en')} files, ${generated.rows.toLocaleString('en')} rows in ${formatDuration(generated.durationMs)}`);
      const config = loadConfig(configFile);
      const db = await Database.open(config.databaseFile);
      await ingestWithProgress(config, db);
      const build = await buildWithProgress(config, db);
      if (!build.ok) throw new Error('the demo build failed: see the errors above');
      await publishExports(config, db);
      if (!options.serve) return;
      const server = await serve(config, db, options.port);
      // The demo signs its visitor in as admin: one click, no token to copy.
      const { token } = await server.tokens.create('admin', 'demo');
      say(`\nStocklens demo ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Sign in with this link:`);
      say(`  ${server.url}/login?token=${token}`);
      say(`admin token (API clients: Authorization: Bearer …): ${token}`);
      say(`config: ${path.relative(process.cwd(), configFile) || configFile}   database: ${config.databaseFile}${existsSync(config.databaseFile) ? '' : ' (missing?)'}`);
    });
}
