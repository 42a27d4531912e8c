import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import type { Config } from '../../core/load-config.ts';
import type { Database } from '../../db/database.ts';
import type { Role } from '../../server/auth/roles.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../server/start-server.ts';
import { buildContractDatabase } from './contract-marts.ts';

export interface ContractServer {
  config: Config;
  db: Database;
  server: RunningServer;
  tokens: Record<Role, string>;
  get(pathAndQuery: string, role?: Role | null, init?: RequestInit): Promise<Response>;
  json<T = TableBody>(pathAndQuery: string, role?: Role): Promise<T>;
  arrow(pathAndQuery: string, role?: Role): Promise<Table>;
  sql(query: string, format?: string, role?: Role): Promise<Response>;
  close(): Promise<void>;
}

export interface TableBody {
  columns: string[];
  rows: unknown[][];
  total: number;
}

/** The contract database served on a free port, with one token per role. */
export async function startContractServer(options: { without?: string[]; yaml?: string; server?: ServerOptions } = {}): Promise<ContractServer> {
  // Its own folder, removed on close: the server outlives single tests (useTempDir cleans after each).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stocklens-api-'));
  const { config, db } = await buildContractDatabase(dir, options);
  const server = await startServer(config, db, 0, options.server);
  const tokens = {
    viewer: (await server.tokens.create('viewer', 'viewer test')).token,
    analyst: (await server.tokens.create('analyst', 'analyst test')).token,
    admin: (await server.tokens.create('admin', 'admin test')).token,
  };
  const get = (pathAndQuery: string, role: Role | null = 'viewer', init: RequestInit = {}) =>
    fetch(`${server.url}${pathAndQuery}`, { ...init, headers: { ...(role ? { authorization: `Bearer ${tokens[role]}` } : {}), ...init.headers } });
  return {
    config,
    db,
    server,
    tokens,
    get,
    async json<T>(pathAndQuery: string, role: Role = 'viewer') {
      const response = await get(pathAndQuery, role);
      const body = await response.json();
      if (response.status !== 200) throw new Error(`${pathAndQuery}: ${response.status} ${JSON.stringify(body)}`);
      return body as T;
    },
    async arrow(pathAndQuery: string, role: Role = 'viewer') {
      const response = await get(pathAndQuery, role);
      if (response.status !== 200) throw new Error(`${pathAndQuery}: ${response.status} ${await response.text()}`);
      return tableFromIPC(new Uint8Array(await response.arrayBuffer()));
    },
    sql: (query: string, format = 'json', role: Role = 'analyst') =>
      get(`/api/sql?format=${format}`, role, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: query }) }),
    async close() {
      await server.close();
      db.closeSync();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Rows of a table body as objects, to assert on by column name. */
export function objects(body: TableBody): Record<string, unknown>[] {
  return body.rows.map((row) => Object.fromEntries(body.columns.map((name, index) => [name, row[index]])));
}
