import { createHash } from 'node:crypto';
import { sql, type Connection } from '../db/database.ts';
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

export async function stageRows(connection: Connection, fetched: FetchedRows): Promise<void> {
  const columns = fetched.columns.map((name) => sql`${sql.ident(name)} varchar`);
  await connection.run(sql`create or replace temp table batch_input (__row bigint, ${sql.join(columns, ', ')}, __raw varchar)`);
  const appender = await connection.appender('main', 'batch_input', 'temp');
  try {
    fetched.rows.forEach((row, index) => {
      appender.appendBigInt(BigInt(index + 1));
      for (let column = 0; column < fetched.columns.length; column++) {
        const value = row[column];
        if (value === null || value === undefined) appender.appendNull();
        else appender.appendVarchar(String(value));
      }
      const raw = fetched.raws?.[index];
      if (raw === undefined) appender.appendNull();
      else appender.appendVarchar(JSON.stringify(raw));
      appender.endRow();
    });
  } finally {
    appender.closeSync();
  }
}
