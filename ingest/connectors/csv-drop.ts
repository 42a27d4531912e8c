import path from 'node:path';
import type { SourceConfig } from '../../core/config-schema.ts';
import type { Config } from '../../core/load-config.ts';
import { IngestError, causeMessage } from '../../core/errors.ts';
import { literal, quotedIdentifier, type Connection } from '../../db/database.ts';
import { batchNameAdvice, parseBatchFileName, type BatchFileName } from '../batch-file-name.ts';
import { fileLimits, inspectDropFile, listDropFolder, pinFiles, type DropInspection } from '../files/drop-folder.ts';
import type { LongLine } from '../files/inspect-file.ts';
import { headerOf, readDelimited } from '../files/read-delimited.ts';
import type { GroupRead, PendingBatch, StagedInput } from '../batch-contract.ts';
import { batchInput } from '../staging-tables.ts';
import type { Connector } from './connector.ts';

/**
 * The generic file drop: `<path>/<entity>_<ts>[_full|_delta].<ext>`, one file one batch
 * (CSV files of one header are read many at a time),
 * read by DuckDB itself so that malformed lines are recorded with DuckDB's own reason.
 */
export function csvDropConnector(source: SourceConfig, config: Config): Connector {
  return {
    async listBatches(ignore, unchanged) {
      const batches: PendingBatch[] = [];
      const limits = fileLimits(config);
      const longLines = new Map<string, readonly LongLine[]>();
      for (const entry of await listDropFolder(source, config, Date.now(), ignore)) {
        const parsed = parseBatchFileName(entry.name);
        if (!parsed) {
          ignore?.({ file: entry.file, reason: 'its name does not follow <entity>_<YYYYMMDDTHHMMSSZ>[_full|_delta].<ext>', fix: batchNameAdvice(entry.name) });
          continue;
        }
        const file = entry.file;
        if (unchanged?.claim(file, entry.stamp)) continue;
        const inspection = await inspectDropFile(entry, parsed.format === 'csv.gz', limits);
        if (!inspection) continue;
        longLines.set(file, inspection.longLines ?? []);
        const read = delimitedRead(parsed, inspection, (name) => longLines.get(name) ?? []);
        batches.push({
          source: source.name,
          entity: parsed.entity,
          file,
          mode: parsed.mode,
          capturedAt: parsed.capturedAt,
          contentSha256: inspection.sha256,
          fileStamp: inspection.stamp,
          stage: read ? read.stage([file]) : (connection) => stageFile(connection, file, parsed, inspection),
          read,
        });
      }
      return batches.sort((a, b) => a.capturedAt.getTime() - b.capturedAt.getTime() || a.entity.localeCompare(b.entity));
    },
  };
}

/**
 * How a CSV file is read, alone or with others of the same entity, compression and header; none for
 * a file its inspection refused (empty, truncated, a bad header): its stage refuses it alone.
 */
function delimitedRead(parsed: BatchFileName, inspection: DropInspection, longLines: (file: string) => readonly LongLine[]): GroupRead | undefined {
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
    stage: (files) => (connection) => readDelimited(connection, files, header, format, batchInput, longLines),
  };
}

/** Reads a file no group can take (JSON, Parquet, a refused file) into `batch_input`. */
async function stageFile(connection: Connection, file: string, parsed: BatchFileName, inspection: DropInspection): Promise<StagedInput | void> {
  if (inspection.refusal) throw inspection.refusal;
  if (parsed.format === 'csv' || parsed.format === 'csv.gz') {
    const format = { delimiter: ',', quote: '"', gzip: parsed.format === 'csv.gz' } as const;
    return readDelimited(connection, [file], headerOf(inspection, format), format, batchInput, () => inspection.longLines ?? []);
  }
  if (inspection.sizeBytes === 0) throw new IngestError('empty file: no records');
  const pinned = await pinFiles([file]);
  const reader = parsed.format === 'json' ? `read_json(${literal(pinned.paths[0])}, format = 'auto')` : `read_parquet(${literal(pinned.paths[0])})`;
  try {
    // A JSON field holding strings in some records and numbers in others comes back as JSON: its
    // text is the string itself, not the string's JSON quoting.
    const described = await connection.rows<{ column_name: string; column_type: string }>(`describe select * from ${reader}`);
    const asText = described.map(({ column_name: name, column_type: type }) =>
      type === 'JSON' ? `json_extract_string(${quotedIdentifier(name)}, '$') as ${quotedIdentifier(name)}` : `${quotedIdentifier(name)}::varchar as ${quotedIdentifier(name)}`,
    );
    // JSON and Parquet have no lines to point at: a quarantined row names its record number.
    await connection.run(`create or replace temp table ${batchInput.text} as select row_number() over () as __row, ${asText.join(', ')} from ${reader}`);
  } catch (error) {
    throw new IngestError(`${path.basename(file)} cannot be read as ${parsed.format}: ${causeMessage(error)}`, { file }, { cause: error });
  } finally {
    await pinned.release();
  }
}

