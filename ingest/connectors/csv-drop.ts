import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { SourceConfig } from '../../core/config-schema.ts';
import { IngestError, causeMessage } from '../../core/errors.ts';
import { literal, quotedIdentifier, type Connection } from '../../db/database.ts';
import { batchNameAdvice, parseBatchFileName, type BatchFileName } from '../batch-file-name.ts';
import { inspectFile, type FileInspection } from '../files/inspect-file.ts';
import { headerOf, readDelimited } from '../files/read-delimited.ts';
import type { GroupRead, StagedInput } from '../land-batch.ts';
import type { Connector, PendingBatch } from './connector.ts';

/**
 * The generic file drop: `<path>/<entity>_<ts>[_full|_delta].<ext>`, one file one batch
 * (CSV files of one header are read many at a time),
 * read by DuckDB itself so that malformed lines are recorded with DuckDB's own reason.
 */
export function csvDropConnector(source: SourceConfig): Connector {
  return {
    async listBatches(ignore) {
      const batches: PendingBatch[] = [];
      for (const name of await listFolder(source)) {
        const parsed = parseBatchFileName(name);
        if (!parsed) {
          ignore?.({ file: path.join(source.path!, name), reason: 'its name does not follow <entity>_<YYYYMMDDTHHMMSSZ>[_full|_delta].<ext>', fix: batchNameAdvice(name) });
          continue;
        }
        const file = path.join(source.path!, name);
        const inspection = await inspectOrRefuse(file, parsed.format === 'csv.gz');
        const read = delimitedRead(parsed, inspection);
        batches.push({
          source: source.name,
          entity: parsed.entity,
          file,
          mode: parsed.mode,
          capturedAt: parsed.capturedAt,
          contentSha256: inspection.sha256,
          stage: read ? read.stage([file]) : (connection) => stageFile(connection, file, parsed, inspection),
          read,
        });
      }
      return batches.sort((a, b) => a.capturedAt.getTime() - b.capturedAt.getTime() || a.entity.localeCompare(b.entity));
    },
  };
}

/** The sorted file names of a file source's folder; a missing folder is said in words, with the fix. */
export async function listFolder(source: SourceConfig): Promise<string[]> {
  try {
    return (await readdir(source.path!)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new IngestError(`folder ${source.path} does not exist: create it, or set this source's path to the folder its exports land in`, { source: source.name }, { cause: error });
    }
    if (code === 'ENOTDIR') throw new IngestError(`${source.path} is a file, not a folder: set this source's path to the folder its exports land in`, { source: source.name }, { cause: error });
    throw new IngestError(`cannot read folder ${source.path}: ${causeMessage(error)}`, { source: source.name, transient: code === 'EBUSY' || code === 'EAGAIN' }, { cause: error });
  }
}

/**
 * Inspects a file; one that cannot be inspected (a truncated gzip) still becomes a batch, whose
 * stage refuses it, so that its rejection is recorded in the ledger like any other.
 */
export async function inspectOrRefuse(file: string, gzip: boolean): Promise<FileInspection & { refusal?: IngestError }> {
  try {
    return await inspectFile(file, { gzip });
  } catch (error) {
    if (!(error instanceof IngestError) || error.context.transient) throw error;
    const { sha256 } = await inspectFile(file);
    return { sha256, sizeBytes: 0, refusal: error };
  }
}

/**
 * How a CSV file is read, alone or with others of the same entity, compression and header; none for
 * a file its inspection refused (empty, truncated, a bad header): its stage refuses it alone.
 */
function delimitedRead(parsed: BatchFileName, inspection: FileInspection & { refusal?: IngestError }): GroupRead | undefined {
  if (inspection.refusal || inspection.unbalancedQuotes || (parsed.format !== 'csv' && parsed.format !== 'csv.gz')) return undefined;
  const format = { delimiter: ',', quote: '"', gzip: parsed.format === 'csv.gz' } as const;
  let header: string[];
  try {
    header = headerOf(inspection, format);
  } catch {
    return undefined;
  }
  return {
    key: JSON.stringify([parsed.entity, parsed.format, header]),
    stage: (files) => (connection) => readDelimited(connection, files, header, format),
  };
}

/** Reads a file no group can take (JSON, Parquet, a refused file) into `batch_input`. */
async function stageFile(connection: Connection, file: string, parsed: BatchFileName, inspection: FileInspection & { refusal?: IngestError }): Promise<StagedInput | void> {
  if (inspection.refusal) throw inspection.refusal;
  if (parsed.format === 'csv' || parsed.format === 'csv.gz') {
    const format = { delimiter: ',', quote: '"', gzip: parsed.format === 'csv.gz' } as const;
    return readDelimited(connection, [file], headerOf(inspection, format), format);
  }
  if (inspection.sizeBytes === 0) throw new IngestError('empty file: no records');
  const reader = parsed.format === 'json' ? `read_json(${literal(file)}, format = 'auto')` : `read_parquet(${literal(file)})`;
  try {
    // A JSON field holding strings in some records and numbers in others comes back as JSON: its
    // text is the string itself, not the string's JSON quoting.
    const described = await connection.rows<{ column_name: string; column_type: string }>(`describe select * from ${reader}`);
    const asText = described.map(({ column_name: name, column_type: type }) =>
      type === 'JSON' ? `json_extract_string(${quotedIdentifier(name)}, '$') as ${quotedIdentifier(name)}` : `${quotedIdentifier(name)}::varchar as ${quotedIdentifier(name)}`,
    );
    // JSON and Parquet have no lines to point at: a quarantined row names its record number.
    await connection.run(`create or replace temp table batch_input as select row_number() over () as __row, ${asText.join(', ')} from ${reader}`);
  } catch (error) {
    throw new IngestError(`${path.basename(file)} cannot be read as ${parsed.format}: ${causeMessage(error)}`, { file }, { cause: error });
  }
}

