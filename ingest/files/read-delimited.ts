import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IngestError, causeMessage } from '../../core/errors.ts';
import { literal, sql, type Connection } from '../../db/database.ts';
import type { StagedInput } from '../batch-contract.ts';
import { appendStaging, batchFiles, batchInput, batchLineFixes, batchReadRejects, batchRejectErrors, batchRejectScans, createStagingTable, dropStagingTables, type batchVendor } from '../staging-tables.ts';
import { pinFiles } from './drop-folder.ts';
import { maxLineBytes, splitHeader, type FileInspection, type LongLine } from './inspect-file.ts';
import { locateRecords } from './locate-lines.ts';
import { transcodeToUtf8, type TextEncoding } from './text-encoding.ts';

export interface DelimitedFormat {
  delimiter: ',' | '\t';
  /** Undefined for formats without quoting (Amazon's TSV reports: a `"` in a title is a character). */
  quote?: '"';
  gzip?: boolean;
  /** Files in another encoding than UTF-8 are read through a UTF-8 copy (DuckDB reads UTF-8). */
  encoding?: TextEncoding;
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
 * Reads delimited files sharing one header and format into `target` as text columns named by the
 * header, plus `__batch` (the file's index in `files`) and `__row` (the record number in reading
 * order across the files: increasing within each file), in ONE read and one pass: landing many
 * small files costs one statement, not one per file. Lines the reader refuses (field count,
 * quoting, line size) go to `batch_read_rejects` with DuckDB's reason. The returned locator finds
 * the physical line and original text of any record of a file.
 */
export async function readDelimited(
  connection: Connection,
  files: readonly string[],
  header: string[],
  format: DelimitedFormat,
  target: typeof batchInput | typeof batchVendor = batchInput,
  longLines: (file: string) => readonly LongLine[] = () => [],
): Promise<StagedInput> {
  if (format.encoding && format.encoding !== 'utf-8' && format.gzip) {
    throw new IngestError(`${path.basename(files[0])}: a compressed file in ${format.encoding} cannot be read; send it uncompressed or in UTF-8`);
  }
  // Read through open descriptors of the files the listing admitted (see pinFiles).
  const pinned = await pinFiles(files);
  try {
    if (!format.encoding || format.encoding === 'utf-8') return await readUtf8(connection, pinned.paths, files, header, format, target, longLines);
    // DuckDB reads UTF-8: files in another encoding are read through UTF-8 copies in a temporary
    // folder, removed once read; quarantined rows are still located in the originals (decoded the
    // same way), whose lines the copies keep one for one.
    const folder = await mkdtemp(path.join(tmpdir(), 'stocklens-transcoded-'));
    try {
      const copies = files.map((file, index) => path.join(folder, `${index}-${path.basename(file)}`));
      for (const [index, file] of pinned.paths.entries()) await transcodeToUtf8(file, format.encoding, copies[index]);
      return await readUtf8(connection, copies, files, header, format, target);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  } finally {
    await pinned.release();
  }
}

/** Reads `files` (UTF-8); quarantined records are located in `originals`, decoded with `format.encoding`. */
async function readUtf8(
  connection: Connection,
  files: readonly string[],
  originals: readonly string[],
  header: string[],
  format: DelimitedFormat,
  target: typeof batchInput | typeof batchVendor,
  // Measured in the originals' bytes: only a UTF-8 file's lines are the same bytes DuckDB reads.
  longLines: (file: string) => readonly LongLine[] = () => [],
): Promise<StagedInput> {
  const columns = `{${header.map((name) => `${literal(name)}: 'VARCHAR'`).join(', ')}}`;
  const reader = `read_csv([${files.map((file) => literal(file)).join(', ')}], header = true, auto_detect = false, columns = ${columns}, delim = ${literal(format.delimiter)},
    quote = ${literal(format.quote ?? '')}, escape = ${literal(format.quote ?? '')}, compression = ${literal(format.gzip ? 'gzip' : 'none')},
    max_line_size = ${maxLineBytes}, store_rejects = true, rejects_table = ${literal(batchRejectErrors.name)}, rejects_scan = ${literal(batchRejectScans.name)})`;
  const fileList = files.map((file, index) => `(${index}, ${literal(file)})`).join(', ');
  await connection.run(`${dropStagingTables(batchRejectErrors, batchRejectScans)};
    create or replace temp table ${batchFiles.text} as select * from (values ${fileList}) f(${Object.keys(batchFiles.columns).join(', ')})`);
  const label = originals.length === 1 ? path.basename(originals[0]) : `${originals.length} files (${path.basename(originals[0])} ...)`;
  try {
    // row_number() over () is computed by DuckDB's streaming window, in the order of the files and
    // of each file's records; file_index is the file's position in the list read.
    await connection.run(`create or replace temp table ${target.text} as select file_index::integer as __batch, row_number() over () as __row, * from ${reader}`);
  } catch (error) {
    // Running out of memory (or temp space) says nothing about the file: the batch fails and is
    // retried, it is not rejected for good.
    const resources = /^(Out of Memory Error|IO Error: Could not (write|read) (to )?(file|temporary))/i.test(causeMessage(error));
    throw new IngestError(`${label} cannot be read: ${causeMessage(error)}`, { file: originals[0], transient: resources }, { cause: error });
  }
  const [e, s, f] = [batchRejectErrors.as('e'), batchRejectScans.as('s'), batchFiles.as('f')];
  await connection.run(sql`
    insert into ${batchReadRejects.ident} (__batch, line, "column", reason, raw_line)
    select distinct on (${f.__batch}, ${e.line}) ${f.__batch}, ${e.line}, ${e.column_name}, lower(${e.error_type}) || ': ' || ${e.error_message}, regexp_replace(${e.csv_line}, '^[\\r\\n]+|[\\r\\n]+$', '', 'g')
    from ${e.from} join ${s.from} using (scan_id, file_id) join ${f.from} on ${f.__file} = ${s.file_path}
    order by ${f.__batch}, ${e.line}`);
  await quarantineLongLines(connection, originals, longLines);
  const refused = await connection.rows<{ __batch: number; line: number }>(sql`select ${batchReadRejects.column('__batch')}, ${batchReadRejects.column('line')} from ${batchReadRejects.ident}`);
  await connection.run(`${dropStagingTables(batchRejectErrors, batchRejectScans)}; drop table ${batchFiles.text}`);
  const refusedLines = new Map<number, Set<number>>();
  for (const row of refused) {
    const lines = refusedLines.get(Number(row.__batch)) ?? new Set<number>();
    lines.add(Number(row.line));
    refusedLines.set(Number(row.__batch), lines);
  }
  // Each file's first record number turns a record number into the file's own (1-based) one.
  const firsts = new Map(
    (await connection.rows<{ __batch: number; first: number }>(`select __batch, min(__row) as first from ${target.text} group by __batch`)).map((row) => [Number(row.__batch), Number(row.first)]),
  );
  return {
    locate: async (batch, rows) => {
      const offset = (firsts.get(batch) ?? 1) - 1;
      // Looked up in the file the listing admitted, through an open descriptor, as it was read.
      const original = await pinFiles([originals[batch]]);
      try {
        const found = await locateRecords(original.paths[0], rows.map((row) => row - offset), { gzip: format.gzip, quote: format.quote, encoding: format.encoding, refusedLines: refusedLines.get(batch) ?? new Set() });
        return new Map([...found].map(([record, located]) => [record + offset, located]));
      } finally {
        await original.release();
      }
    },
  };
}

/**
 * A line longer than DuckDB's read buffer (32 MB) vanishes from its CSV scan without a reject, and
 * the lines after it are numbered one short. The inspection measured every line: a long line the
 * reader reported (it names the line's size) is matched by size, every other one was dropped. The
 * reader's line numbers are moved past the dropped lines, and each dropped line is added to the
 * rejects with its length: no row leaves a file without a quarantine entry at its own line.
 */
async function quarantineLongLines(connection: Connection, files: readonly string[], longLines: (file: string) => readonly LongLine[]): Promise<void> {
  for (const [index, file] of files.entries()) {
    const long = longLines(file);
    if (long.length === 0) continue;
    const rejects = await connection.rows<{ line: number; reason: string }>(`select line::bigint as line, reason from ${batchReadRejects.text} where __batch = ${index} order by line`);
    const reportedSizes = rejects.map((reject) => /^line size over maximum: .*Actual Size:\s*(\d+)/i.exec(reject.reason)?.[1]).filter((size) => size !== undefined).map(Number);
    const dropped = long.filter((line) => {
      const at = reportedSizes.indexOf(line.bytes);
      if (at < 0) return true;
      reportedSizes.splice(at, 1);
      return false;
    });
    if (dropped.length === 0) continue;
    const moved = new Map<number, number>();
    for (const { line } of rejects) {
      let physical = Number(line);
      for (const { line: gone } of dropped) if (gone <= physical) physical += 1;
      if (physical !== Number(line)) moved.set(Number(line), physical);
    }
    await createStagingTable(connection, batchLineFixes);
    await appendStaging(connection, batchLineFixes, {
      line: [...[...moved.keys()].map(BigInt), ...dropped.map(() => null)],
      physical: [...[...moved.values()].map(BigInt), ...dropped.map((line) => BigInt(line.line))],
      bytes: [...[...moved.keys()].map(() => null), ...dropped.map((line) => BigInt(line.bytes))],
      head: [...[...moved.keys()].map(() => null), ...dropped.map((line) => line.head)],
    });
    await connection.run(`
      update ${batchReadRejects.text} r set line = f.physical from ${batchLineFixes.text} f where r.__batch = ${index} and r.line = f.line;
      insert into ${batchReadRejects.text} (__batch, line, "column", reason, raw_line)
      select ${index}, physical, null, 'line size over maximum: the line is ' || bytes || ' bytes, over the ${maxLineBytes} bytes a line may have (its first bytes are kept)', head
      from ${batchLineFixes.text} where line is null;
      drop table ${batchLineFixes.text}`);
  }
}
