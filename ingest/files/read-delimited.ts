import path from 'node:path';
import { IngestError, causeMessage } from '../../core/errors.ts';
import { literal, type Connection } from '../../db/database.ts';
import type { StagedInput } from '../land-batch.ts';
import { splitHeader, type FileInspection } from './inspect-file.ts';
import { locateRecords } from './locate-lines.ts';

export interface DelimitedFormat {
  delimiter: ',' | '\t';
  /** Undefined for formats without quoting (Amazon's TSV reports: a `"` in a title is a character). */
  quote?: '"';
  gzip?: boolean;
}

const otherDelimiters = [';', '\t', '|', ','];

/**
 * The header of a delimited file, checked before DuckDB reads it: the reader is then configured
 * from it (no sniffing), so a huge line, a stray quote or a short file cannot fool the sniffer,
 * and a file in another dialect is refused with a message that says which.
 */
export function headerOf(inspection: FileInspection, format: DelimitedFormat): string[] {
  if (inspection.firstLine === undefined) throw new IngestError('empty file: no header line (a file needs at least its header)');
  const header = splitHeader(inspection.firstLine, format.delimiter, format.quote);
  const name = format.delimiter === ',' ? 'comma' : 'tab';
  if (header.length === 1) {
    const found = otherDelimiters.find((candidate) => candidate !== format.delimiter && inspection.firstLine!.includes(candidate));
    if (found) {
      throw new IngestError(`the header is one column ${JSON.stringify(header[0].slice(0, 80))}: the file is separated by ${JSON.stringify(found)}, expected ${name}-separated values`);
    }
  }
  const seen = new Set<string>();
  header.forEach((column, index) => {
    if (column === '') throw new IngestError(`header column ${index + 1} has no name`);
    if (seen.has(column)) throw new IngestError(`header names column ${JSON.stringify(column)} twice`);
    seen.add(column);
  });
  return header;
}

/**
 * Reads a delimited file into `target` as text columns named by its header, plus `__row`. Lines the
 * reader refuses (field count, quoting, line size) go to `batch_read_rejects` with DuckDB's reason.
 * The returned locator finds the physical line and original text of any record.
 */
export async function readDelimited(connection: Connection, file: string, header: string[], format: DelimitedFormat, target = 'batch_input'): Promise<StagedInput> {
  const columns = `{${header.map((name) => `${literal(name)}: 'VARCHAR'`).join(', ')}}`;
  const reader = `read_csv(${literal(file)}, header = true, auto_detect = false, columns = ${columns}, delim = ${literal(format.delimiter)},
    quote = ${literal(format.quote ?? '')}, escape = ${literal(format.quote ?? '')}, compression = ${literal(format.gzip ? 'gzip' : 'none')},
    store_rejects = true, rejects_table = 'batch_reject_errors', rejects_scan = 'batch_reject_scans')`;
  await connection.run('drop table if exists batch_reject_errors; drop table if exists batch_reject_scans');
  try {
    // row_number() over () is computed by DuckDB's streaming window, in the order of the file.
    await connection.run(`create or replace temp table ${target} as select row_number() over () as __row, * from ${reader}`);
  } catch (error) {
    throw new IngestError(`${path.basename(file)} cannot be read: ${causeMessage(error)}`, { file }, { cause: error });
  }
  await connection.run(`
    insert into batch_read_rejects
    select distinct on (line) line, column_name, lower(error_type) || ': ' || error_message, regexp_replace(csv_line, '^[\\r\\n]+|[\\r\\n]+$', '', 'g')
    from batch_reject_errors order by line`);
  const refused = await connection.rows<{ line: number }>('select line from batch_read_rejects');
  await connection.run('drop table if exists batch_reject_errors; drop table if exists batch_reject_scans');
  const refusedLines = new Set(refused.map((row) => Number(row.line)));
  return { locate: (rows) => locateRecords(file, rows, { gzip: format.gzip, quote: format.quote, refusedLines }) };
}

