import { createHash } from 'node:crypto';
import { sql, type AppendColumn, type Connection } from '../db/database.ts';
import type { PendingBatch } from './connectors/connector.ts';
import type { BatchDescriptor } from './land-batch.ts';

export type CellValue = string | number | null | undefined;

/** Rows an API or database connector fetched, in canonical column names, with the vendor's own record. */
export interface FetchedRows {
  columns: string[];
  rows: CellValue[][];
  /** The vendor's record per row, kept in `raw`. */
  raws?: unknown[];
}

/**
 * A batch of rows fetched by JS: staged with the Appender (not INSERT loops) into `batch_input` as
 * text, so the landing validates them exactly like a file. The content hash covers the rows and
 * the capture time (or a given identity, such as a webhook id, when redelivery must be a no-op).
 */
export function rowsBatch(descriptor: Omit<BatchDescriptor, 'contentSha256'>, fetched: FetchedRows, identity?: string): PendingBatch {
  const hash = createHash('sha256');
  if (identity !== undefined) hash.update(identity);
  else {
    hash.update(`${descriptor.capturedAt.toISOString()}\n${fetched.columns.join(',')}\n`);
    for (const row of fetched.rows) hash.update(`${JSON.stringify(row)}\n`);
  }
  return { ...descriptor, contentSha256: hash.digest('hex'), stage: (connection) => stageRows(connection, fetched) };
}

/**
 * Stages fetched rows into `batch_input` through the Appender in data chunks. A column whose values
 * are all integers is staged as INTEGER (no string per cell: the API path's hot loop), anything
 * else as text; the landing reads every column through its text either way.
 */
export async function stageRows(connection: Connection, fetched: FetchedRows): Promise<void> {
  const columns: AppendColumn[] = [{ type: 'integer', values: fetched.rows.map((_, index) => index + 1) }];
  for (let index = 0; index < fetched.columns.length; index++) columns.push(stagedColumn(fetched.rows.map((row) => row[index] ?? null)));
  columns.push({ type: 'varchar', values: fetched.rows.map((_, index) => (fetched.raws?.[index] === undefined ? null : JSON.stringify(fetched.raws[index]))) });
  const definitions = fetched.columns.map((name, index) => sql`${sql.ident(name)} ${sql.__dangerous__rawValue(columns[index + 1].type)}`);
  await connection.run(sql`create or replace temp table batch_input (__row integer, ${sql.join(definitions, ', ')}, __raw varchar)`);
  await connection.appendColumns({ catalog: 'temp', schema: 'main', table: 'batch_input' }, columns);
}

function stagedColumn(values: (string | number | null)[]): AppendColumn {
  const integers = values.every((value) => value === null || (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2 ** 31 - 1));
  if (integers) return { type: 'integer', values: values as (number | null)[] };
  return { type: 'varchar', values: values.map((value) => (value === null ? null : String(value))) };
}
