import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { LocatedLine } from '../land-batch.ts';
import { decodingTransform, type TextEncoding } from './text-encoding.ts';

export interface LineWalkOptions {
  gzip?: boolean;
  /** The quote character, so that a quoted field spanning lines stays one record. */
  quote?: string;
  /** Physical lines the reader refused: they produced no record. */
  refusedLines: ReadonlySet<number>;
  /** The file's encoding when it is not UTF-8. */
  encoding?: TextEncoding;
}

/**
 * Maps record numbers to physical lines by walking the file the way DuckDB's reader counts it:
 * the header is line 1, blank lines and refused lines yield no record, a quoted field may span
 * lines. Only run for batches with quarantined rows, so a clean file is read once, by DuckDB.
 */
export async function locateRecords(file: string, rows: readonly number[], options: LineWalkOptions): Promise<Map<number, LocatedLine>> {
  const wanted = new Set(rows);
  const found = new Map<number, LocatedLine>();
  if (wanted.size === 0) return found;
  let stream: Readable = createReadStream(file);
  if (options.gzip) stream = stream.pipe(createGunzip());
  if (options.encoding && options.encoding !== 'utf-8') stream = stream.pipe(decodingTransform(options.encoding));
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  let record = 0;
  let open: { line: number; text: string } | undefined;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (open) {
        open.text += `\n${line}`;
        if (oddQuotes(line, options.quote)) close(open);
        continue;
      }
      if (lineNumber === 1 || line.trim() === '') continue;
      if (options.quote && oddQuotes(line, options.quote)) {
        open = { line: lineNumber, text: line };
        continue;
      }
      emit(lineNumber, line);
      if (found.size === wanted.size) break;
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  return found;

  function close(spanning: { line: number; text: string }) {
    open = undefined;
    emit(spanning.line, spanning.text);
  }
  function emit(line: number, text: string) {
    if (options.refusedLines.has(line)) return;
    record++;
    if (wanted.has(record)) found.set(record, { line, text });
  }
}

function oddQuotes(line: string, quote: string | undefined): boolean {
  if (!quote) return false;
  let count = 0;
  for (let index = line.indexOf(quote); index >= 0; index = line.indexOf(quote, index + 1)) count++;
  return count % 2 === 1;
}
