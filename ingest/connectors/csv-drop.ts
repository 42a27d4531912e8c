import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { SourceConfig } from '../../core/config-schema.ts';
import { IngestError, causeMessage } from '../../core/errors.ts';
import { logger } from '../../core/logger.ts';
import { literal, type Connection } from '../../db/database.ts';
import { parseBatchFileName, type BatchFileName } from '../batch-file-name.ts';
import type { Connector, PendingBatch } from './connector.ts';

/**
 * The generic file drop (DESIGN §5): `<path>/<entity>_<ts>[_full|_delta].<ext>`, one file one batch,
 * read by DuckDB itself so that malformed lines are recorded with DuckDB's own reason.
 */
export function csvDropConnector(source: SourceConfig): Connector {
  return {
    async listBatches() {
      const folder = source.path!;
      let names: string[];
      try {
        names = await readdir(folder);
      } catch (error) {
        throw new IngestError(`source ${source.name}: cannot read folder ${folder}: ${causeMessage(error)}`, { source: source.name }, { cause: error });
      }
      const batches: PendingBatch[] = [];
      for (const name of names.sort()) {
        const parsed = parseBatchFileName(name);
        if (!parsed) {
          logger.warn({ source: source.name, file: name }, 'file name does not follow <entity>_<YYYYMMDDTHHMMSSZ>[_full|_delta].<ext>; ignored');
          continue;
        }
        const file = path.join(folder, name);
        batches.push({
          source: source.name,
          entity: parsed.entity,
          file,
          mode: parsed.mode,
          capturedAt: parsed.capturedAt,
          contentSha256: await sha256File(file),
          stage: (connection) => stageFile(connection, file, parsed),
        });
      }
      return batches.sort((a, b) => a.capturedAt.getTime() - b.capturedAt.getTime() || a.entity.localeCompare(b.entity));
    },
  };
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Reads the file as text columns into `batch_input`; structural rejects go to `batch_read_rejects`. */
async function stageFile(connection: Connection, file: string, parsed: BatchFileName): Promise<void> {
  const reader = readerFor(file, parsed);
  await connection.run(
    'create or replace temp table batch_read_rejects (line bigint, "column" varchar, reason varchar, raw_line varchar)',
  );
  try {
    await connection.run(`create or replace temp table batch_input as select row_number() over () + 1 as __line, * from ${reader}`);
  } catch (error) {
    throw new IngestError(`${path.basename(file)}: cannot be read: ${causeMessage(error)}`, { file }, { cause: error });
  }
  if (parsed.format === 'csv' || parsed.format === 'csv.gz') {
    await connection.run(`
      insert into batch_read_rejects
      select distinct on (line) line, column_name, error_type || ': ' || error_message, csv_line from reject_errors order by line`);
  }
}

function readerFor(file: string, parsed: BatchFileName): string {
  const target = literal(file);
  switch (parsed.format) {
    case 'csv':
    case 'csv.gz':
      return `read_csv(${target}, header = true, all_varchar = true, store_rejects = true, rejects_table = 'reject_errors', rejects_scan = 'reject_scans')`;
    case 'json':
      return `(select columns(*)::varchar from read_json(${target}, format = 'auto'))`;
    case 'parquet':
      return `(select columns(*)::varchar from read_parquet(${target}))`;
  }
}
