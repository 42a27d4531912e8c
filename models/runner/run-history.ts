import { sql, type Connection } from '../../db/database.ts';

/** meta.* keeps every node's result as it finishes, so history survives a crash (DESIGN §7). */
export async function ensureMetaSchema(connection: Connection): Promise<void> {
  await connection.run(`
    create schema if not exists meta;
    create table if not exists meta.run_results (
      run_id varchar not null, node varchar not null, kind varchar not null, status varchar not null,
      rows bigint, duration_ms bigint, error varchar, started_at timestamptz, finished_at timestamptz);
    create table if not exists meta.test_results (
      run_id varchar not null, node varchar not null, test varchar not null, severity varchar not null,
      status varchar not null, failures bigint, duration_ms bigint, error varchar, finished_at timestamptz);`);
}

export interface NodeResult {
  runId: string;
  node: string;
  kind: 'model' | 'test' | 'seed';
  status: 'success' | 'error' | 'skipped' | 'warn';
  rows?: number;
  durationMs: number;
  error?: string;
  startedAt: Date;
}

export async function recordNodeResult(connection: Connection, result: NodeResult): Promise<void> {
  await connection.run(sql`
    insert into meta.run_results values (${result.runId}, ${result.node}, ${result.kind}, ${result.status}, ${result.rows ?? null},
      ${Math.round(result.durationMs)}, ${result.error ?? null}, ${result.startedAt.toISOString()}::timestamptz, now())`);
}
