import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig, type Config } from '../../core/load-config.ts';
import { duckdbSettings } from '../../db/duckdb-settings.ts';
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
    .option('--fresh', 'simulate, ingest and build again even when this folder already holds the built demo')
    .action(async (options: { dir: string; port: number; serve: boolean; fresh?: boolean }) => {
      const started = Date.now();
      const dir = path.resolve(options.dir);
      const configFile = path.join(dir, 'stocklens.config.yaml');
      const stampFile = path.join(dir, 'demo.json');
      // The demo is deterministic (one seed), so a folder that holds a complete build of this
      // version's demo is served as it is: the second `npm start` is up in a second or two.
      const reusable = !options.fresh && readStamp(stampFile) === demoStamp && existsSync(path.join(dir, 'stocklens.duckdb'));
      let db: Database;
      let config: Config;
      if (reusable) {
        say(`serving the demo already built in ${dir} (stocklens demo --fresh builds it again)`);
        config = loadConfig(configFile);
        db = await Database.open(config.databaseFile, { settings: duckdbSettings(config) });
      } else {
        for (const stale of ['inbox', 'stocklens.duckdb', 'stocklens.duckdb.wal', 'demo.json']) rmSync(path.join(dir, stale), { recursive: true, force: true });
        say(`simulating the demo business into ${dir} (300 SKUs, 4 sites and an FBA centre, 8 weeks, every system's files)`);
        const generated = await generate({ scale: 'demo', seed: demoSeed, outDir: dir });
        say(`wrote ${generated.files.toLocaleString('en')} files, ${generated.rows.toLocaleString('en')} rows in ${formatDuration(generated.durationMs)}`);
        config = loadConfig(configFile);
        db = await Database.open(config.databaseFile, { settings: duckdbSettings(config) });
        await ingestWithProgress(config, db);
        const build = await buildWithProgress(config, db);
        if (!build.ok) throw new Error('the demo build failed: see the errors above');
        await publishExports(config, db);
        writeFileSync(stampFile, `${JSON.stringify({ stamp: demoStamp, built_at: new Date().toISOString() }, null, 2)}\n`);
      }
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

const demoSeed = 1;
const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** What a reusable demo build must have been made by: this package version and seed. */
const demoStamp = `stocklens ${packageVersion} demo seed ${demoSeed}`;

function readStamp(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { stamp?: string }).stamp;
  } catch {
    return undefined;
  }
}
