import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { LocatedLine } from '../batch-contract.ts';
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
  // Decoded to UTF-8 bytes, which the walk below reads.
  if (options.encoding && options.encoding !== 'utf-8') stream = stream.pipe(decodingTransform(options.encoding));
  let lineNumber = 0;
  let record = 0;
  let open: { line: number; text: string } | undefined;
  const quote = options.quote?.charCodeAt(0);
  // The line being read: its first bytes (a line of gigabytes is never held whole) and its quotes.
  let head: Buffer[] = [];
  let headBytes = 0;
  let quotes = 0;
  let blank = true;
  const endLine = (): boolean => {
    lineNumber++;
    const line = Buffer.concat(head).toString('utf8').replace(/\r$/, '');
    const odd = quotes % 2 === 1;
    const empty = blank;
    head = [];
    headBytes = 0;
    quotes = 0;
    blank = true;
    if (open) {
      open.text += `\n${line}`;
      if (odd) close(open);
      return found.size === wanted.size;
    }
    if (lineNumber === 1 || empty) return false;
    if (quote !== undefined && odd) {
      open = { line: lineNumber, text: line };
      return false;
    }
    emit(lineNumber, line);
    return found.size === wanted.size;
  };
  try {
    outer: for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const newline = chunk.indexOf(0x0a, start);
        const end = newline >= 0 ? newline : chunk.length;
        if (end > start) {
          const part = chunk.subarray(start, end);
          if (headBytes < maxLineTextBytes) {
            const kept = part.subarray(0, maxLineTextBytes - headBytes);
            head.push(kept);
            headBytes += kept.length;
          }
          if (quote !== undefined) for (let index = part.indexOf(quote); index >= 0; index = part.indexOf(quote, index + 1)) quotes++;
          if (blank && part.some((byte) => byte > 0x20)) blank = false;
        }
        if (newline < 0) break;
        if (endLine()) break outer;
        start = newline + 1;
      }
    }
    if (headBytes > 0 && found.size < wanted.size) endLine();
  } finally {
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

/** The most of a line kept as its text: a quarantined row keeps its line's first megabyte. */
const maxLineTextBytes = 1 << 20;
