import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { alertsOverview, emlFolder, latestCapture } from '../../alerts/index.ts';
import { causeMessage } from '../../core/errors.ts';
import { loadConfig, type Config } from '../../core/load-config.ts';
import { duckdbSettings } from '../../db/duckdb-settings.ts';
import { Database } from '../../db/database.ts';
import { generate } from '../../fixtures/generate.ts';
import { formatDuration } from '../../core/duration.ts';
import { signInToken } from '../../server/auth/sign-in-token.ts';
import { publishExports } from '../../server/exports/publish-exports.ts';
import type { AdminActions } from '../../server/routes/admin-routes.ts';
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
      const token = await signInToken(config, server.tokens);
      say(`\nStocklens demo ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Sign in with this link:`);
      say(`  ${server.url}/login?token=${token}`);
      say(`admin token (API clients: Authorization: Bearer …): ${token}`);
      say(`config: ${path.relative(process.cwd(), configFile) || configFile}   database: ${config.databaseFile}${existsSync(config.databaseFile) ? '' : ' (missing?)'}`);
      await demoAlerts(config, db, server.actions, server.url);
    });
}

/**
 * The demo's data ends in the past: its alerts replay the data's last day every four hours, as a
 * server running then would have evaluated them, ending at its latest capture (so windows like
 * "the last 24 hours" hold data). The generated config writes the emails to <data_dir>/outbox as
 * .eml files: no mail server needed, nothing retried. The replay runs behind the dashboard.
 */
async function demoAlerts(config: Config, db: Database, actions: AdminActions, url: string): Promise<void> {
  const end = await latestCapture(db);
  if (!end || !actions.replayAlerts) return;
  const where = config.smtp.deliver === 'files' ? `${emlFolder(config)}/*.eml (open one in any mail client)` : `the SMTP server ${config.smtp.host}:${config.smtp.port}`;
  const before = await alertsOverview(config, db);
  if (before.evaluatedAt) {
    // A demo served before has replayed already: its alerts and emails stay as they are.
    say(`alerts: ${before.firing.length} firing as of ${before.evaluatedAt}; the emails to the leads and system owners are in ${where}; the alerts page: ${url}/#/alerts`);
    return;
  }
  say(`alerts: replaying the data's last day up to its latest capture (${end.toISOString()}); the emails to the leads and system owners go to ${where}; the alerts page: ${url}/#/alerts`);
  const times = [20, 16, 12, 8, 4, 0].map((hours) => new Date(end.getTime() - hours * 3_600_000));
  void actions.replayAlerts(times).then(
    () => {
      const files = config.smtp.deliver === 'files' && existsSync(emlFolder(config)) ? readdirSync(emlFolder(config)).filter((name) => name.endsWith('.eml')).length : undefined;
      say(`alerts replayed${files === undefined ? '' : `: ${files} emails in ${emlFolder(config)}`}`);
    },
    (error: unknown) => say(`the alert replay failed: ${causeMessage(error)}`),
  );
}

const demoSeed = 1;
/** Bumped when a built demo from before would lack what this version shows (a new mart, a config key). */
const demoRevision = 2;
const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** What a reusable demo build must have been made by: this package version and seed. */
const demoStamp = `stocklens ${packageVersion} demo seed ${demoSeed} revision ${demoRevision}`;

function readStamp(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { stamp?: string }).stamp;
  } catch {
    return undefined;
  }
}
