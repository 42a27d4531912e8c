import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { alertsOverview, emlFolder, latestCapture } from '../../alerts/index.ts';
import { causeMessage } from '../../core/errors.ts';
import { loadConfig, type Config } from '../../core/load-config.ts';
import { duckdbSettings } from '../../db/duckdb-settings.ts';
import { Database } from '../../db/database.ts';
import { demoWindow } from '../../fixtures/demo-window.ts';
import { generate, SCALES } from '../../fixtures/generate.ts';
import { formatDuration } from '../../core/duration.ts';
import { signInToken } from '../../server/auth/sign-in-token.ts';
import { publishExports } from '../../server/exports/publish-exports.ts';
import type { AdminActions } from '../../server/routes/admin-routes.ts';
import { say } from '../terminal.ts';
import { buildWithProgress } from './build-command.ts';
import { demoSeed, readDemoStamp, staleDemoReason, writeDemoStamp } from './demo-stamp.ts';
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
      // The demo is deterministic (one seed) up to where it ends, so a folder that holds a complete
      // build of this version's demo from today is served as it is: the second `npm start` is up in
      // a second or two. A demo from an earlier day is simulated again up to the present.
      const now = new Date();
      const previous = readDemoStamp(stampFile);
      const stale = staleDemoReason(previous, now) ?? (existsSync(path.join(dir, 'stocklens.duckdb')) ? undefined : 'its database is missing');
      const reusable = !options.fresh && stale === undefined;
      let db: Database;
      let config: Config;
      if (reusable) {
        say(`serving the demo already built in ${dir}, its data up to ${previous?.data_end} (stocklens demo --fresh simulates it again up to now)`);
        config = loadConfig(configFile);
        db = await Database.open(config.databaseFile, { settings: duckdbSettings(config) });
      } else {
        if (!options.fresh && previous) say(`simulating the demo in ${dir} again: ${stale}`);
        // The previous demo's database and the emails its alert replay wrote to the demo config's
        // mail drop (<data_dir>/outbox, data_dir being this folder) go with it.
        for (const file of ['inbox', 'stocklens.duckdb', 'stocklens.duckdb.wal', 'demo.json', 'outbox']) rmSync(path.join(dir, file), { recursive: true, force: true });
        const { start, end } = demoWindow(now, demoWeeks);
        say(`simulating the demo business into ${dir} (300 SKUs, 4 sites and an FBA centre, ${start.slice(0, 10)} to ${end}, every system's files)`);
        const generated = await generate({ scale: 'demo', seed: demoSeed, outDir: dir, start, end });
        say(`wrote ${generated.files.toLocaleString('en')} files, ${generated.rows.toLocaleString('en')} rows in ${formatDuration(generated.durationMs)}`);
        config = loadConfig(configFile);
        db = await Database.open(config.databaseFile, { settings: duckdbSettings(config) });
        await ingestWithProgress(config, db);
        const build = await buildWithProgress(config, db);
        if (!build.ok) throw new Error('the demo build failed: see the errors above');
        await publishExports(config, db);
        writeDemoStamp(stampFile, generated.end, new Date());
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
 * The demo's data ends at the hour it was simulated: its alerts replay the data's last day every
 * four hours, as a server running then would have evaluated them, ending at its latest capture
 * (so windows like "the last 24 hours" hold data however long ago the demo was built). The generated config writes the emails to <data_dir>/outbox as
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

/** The demo simulates up to this many Monday weeks ending at the current hour. */
const demoWeeks = SCALES.demo.days / 7;
