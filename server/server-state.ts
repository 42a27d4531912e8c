import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../core/load-config.ts';

/**
 * `<data_dir>/server.json`: how CLI commands on this machine find the server that holds the
 * database (DuckDB lets one process open it read-write), with an admin token for local use.
 * Readable by its owner only (mode 0600), like the database file next to it.
 */
export interface ServerState {
  url: string;
  pid: number;
  token: string;
  token_id: string;
  started_at: string;
}

export function serverStateFile(config: Config): string {
  return path.join(config.data_dir, 'server.json');
}

export function writeServerState(config: Config, state: ServerState): void {
  const file = serverStateFile(config);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

/** The state of a server whose process is still alive, or undefined. */
export function readServerState(config: Config): ServerState | undefined {
  let state: ServerState;
  try {
    state = JSON.parse(readFileSync(serverStateFile(config), 'utf8')) as ServerState;
  } catch {
    return undefined;
  }
  try {
    process.kill(state.pid, 0);
    return state;
  } catch (error) {
    // EPERM: alive but another user's; ESRCH: gone, the file is a leftover of a crash.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? state : undefined;
  }
}

/** Removes the state file if it is this process's (a newer server may have replaced it). */
export function removeServerState(config: Config, pid = process.pid): void {
  const file = serverStateFile(config);
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as ServerState).pid === pid) rmSync(file, { force: true });
  } catch {
    // nothing to remove
  }
}
