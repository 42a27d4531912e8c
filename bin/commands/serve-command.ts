import { Command } from 'commander';
import type { Config } from '../../core/load-config.ts';
import { setLogLevel } from '../../core/logger.ts';
import { signInToken } from '../../server/auth/sign-in-token.ts';
import type { Database } from '../../db/database.ts';
import { removeServerState, writeServerState } from '../../server/server-state.ts';
import type { AdminActions } from '../../server/routes/admin-routes.ts';
import { startServer, type RunningServer } from '../../server/start-server.ts';
import { configFrom, openDatabase, type GlobalOptions } from '../context.ts';
import { startServingPipeline } from '../serving-pipeline.ts';
import { say } from '../terminal.ts';

export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the dashboard and the API (the process that owns the database file)')
    .option('-p, --port <port>', 'port to listen on (default: server.port of the config, 3000)', parsePort)
    .action(async (options: { port?: number }, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      // A server's request logs are its record of what was asked; STOCKLENS_LOG_LEVEL still wins.
      if (!process.env.STOCKLENS_LOG_LEVEL && !command.optsWithGlobals<{ verbose?: boolean }>().verbose) setLogLevel('info');
      const db = await openDatabase(config, { mustExist: true });
      const server = await serve(config, db, options.port);
      const token = await signInToken(config, server.tokens);
      say(`Stocklens is serving on ${server.url}  (Ctrl+C to stop). Sign in with this link:`);
      say(`  ${server.url}/login?token=${token}`);
      say('(the same link every start; more tokens: stocklens token create --role viewer|analyst|admin)');
    });
}

/**
 * Starts the server and writes `<data_dir>/server.json` with a fresh admin token for the CLI on
 * this machine (`stocklens sql`, `stocklens token`); the previous server's CLI token is revoked.
 */
export async function serve(config: Config, db: Database, port?: number): Promise<RunningServer & { actions: AdminActions }> {
  // This process owns the database: it also lands on schedule, rebuilds, exports and alerts. The
  // pipeline starts once the server listens, so that alert links name the address it really
  // serves on (unless server.public_url says otherwise); the admin routes read its actions per request.
  const actions: AdminActions = {};
  const server = await startServer(config, db, port, { actions });
  const pipeline = startServingPipeline({ ...config, server: { ...config.server, public_url: config.server.public_url ?? server.url } }, db);
  Object.assign(actions, pipeline.actions);
  // No other server can hold this database (DuckDB's lock), so an existing server.json is a leftover.
  const stale = (await server.tokens.list()).filter((token) => token.label === 'local cli' && token.revoked_at === null);
  for (const token of stale) await server.tokens.revoke(token.token_id);
  const { token, tokenId } = await server.tokens.create('admin', 'local cli');
  writeServerState(config, { url: server.url, pid: process.pid, token, token_id: tokenId, started_at: new Date().toISOString() });
  process.once('exit', () => removeServerState(config));
  return { ...server, actions };
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${text} is not a port number (0-65535)`);
  return port;
}
