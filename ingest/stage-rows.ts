import { createHash } from 'node:crypto';
import { sql, type AppendColumn, type Connection } from '../db/database.ts';
import type { BatchDescriptor, PendingBatch } from './batch-contract.ts';
import { batchInput } from './staging-tables.ts';

export type CellValue = string | number | null | undefined;

/** Rows an API or database connector fetched, in canonical column names, with the vendor's own record. */
export interface FetchedRows {
  columns: string[];
  rows: CellValue[][];
  /** The vendor's record per row, kept in `raw`. */
  raws?: unknown[];
  /** What the connector noticed and landed around (warehouses mapped to no location). */
  warnings?: string[];
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
  return { ...descriptor, contentSha256: hash.digest('hex'), stage: (connection) => stageRows(connection, fetched), warnings: fetched.warnings };
}

/**
 * Stages fetched rows into `batch_input` through the Appender in data chunks, each column read in
 * place from the rows (no copy per column). A column whose values are all integers is staged as
 * INTEGER (no string per cell: the API path's hot loop), anything else as text; the landing reads
 * every column through its text either way.
 */
export async function stageRows(connection: Connection, fetched: FetchedRows): Promise<void> {
  const columns: AppendColumn[] = [{ type: 'integer', values: Int32Array.from({ length: fetched.rows.length }, (_, index) => index + 1) }];
  const definitions = [sql`${batchInput.column('__row')} integer`];
  fetched.columns.forEach((name, field) => {
    const type = integersOnly(fetched.rows, field) ? 'integer' : 'varchar';
    columns.push({ type, values: { rows: fetched.rows, field } });
    definitions.push(sql`${sql.ident(name)} ${sql.__dangerous__rawValue(type)}`);
  });
  // The vendor's record, when the connector kept it; without, `raw` keeps any extra columns.
  if (fetched.raws) {
    const raws = fetched.raws;
    columns.push({ type: 'varchar', values: Array.from({ length: fetched.rows.length }, (_, index) => (raws[index] === undefined ? null : JSON.stringify(raws[index]))) });
    definitions.push(sql`${batchInput.column('__raw')} ${sql.__dangerous__rawValue(batchInput.columns.__raw)}`);
  }
  await connection.run(sql`create or replace temp table ${batchInput.ident} (${sql.join(definitions, ', ')})`);
  await connection.appendColumns({ catalog: 'temp', schema: 'main', table: batchInput.name }, columns);
}

function integersOnly(rows: readonly (readonly CellValue[])[], field: number): boolean {
  for (const row of rows) {
    const value = row[field];
    if (value !== null && value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2 ** 31 - 1)) return false;
  }
  return true;
}
