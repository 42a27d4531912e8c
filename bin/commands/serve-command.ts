import { Command } from 'commander';
import { logger } from '../../core/logger.ts';
import { startIngestSchedules } from '../../ingest/scheduler.ts';
import { buildModels } from '../../models/runner/build.ts';
import { startServer } from '../../server/start-server.ts';
import { configFrom, openDatabase, type GlobalOptions } from '../context.ts';
import { say } from '../terminal.ts';

export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the dashboard and the API (the process that owns the database file)')
    .option('-p, --port <port>', 'port to listen on (default: server.port of the config, 3000)', parsePort)
    .action(async (options: { port?: number }, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const db = await openDatabase(config, { mustExist: true });
      const server = await startServer(config, db, options.port);
      say(`Stocklens is serving on ${server.url}  (Ctrl+C to stop)`);
      // This process owns the database: it also runs the ingest schedules, and builds the models
      // incrementally whenever new batches land.
      startIngestSchedules(config, db, {
        onLanded: async (summaries) => {
          const build = await buildModels(config, db);
          logger.info({ sources: summaries.map((summary) => summary.source), ok: build.ok }, 'models built after landing');
        },
      });
    });
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${text} is not a port number (0-65535)`);
  return port;
}
