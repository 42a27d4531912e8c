import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { IngestError, causeMessage } from '../../core/errors.ts';

export interface FileInspection {
  sha256: string;
  sizeBytes: number;
  /** The first line of the (decompressed) content without BOM and line ending; undefined when empty. */
  firstLine?: string;
  /**
   * The (decompressed) content holds an odd number of `"`: some quote is never closed. DuckDB's
   * multi-file CSV scan can lose the reject of such a quote at a file's end, so the file is read alone.
   */
  unbalancedQuotes?: boolean;
  /** Lines longer than `maxLineBytes` (DuckDB's CSV reader drops a line past its 32 MB buffer without a reject). */
  longLines?: LongLine[];
}

export interface LongLine {
  /** Physical line number, 1-based, the header being line 1. */
  line: number;
  bytes: number;
  /** The line's first bytes, for the quarantine. */
  head: string;
}

export interface InspectOptions {
  gzip?: boolean;
  /** A gzip file expanding past this many bytes is refused as a decompression bomb, before it fills memory. */
  maxDecompressedBytes?: number;
  /** The file's name in errors, when it is read through another path (an open descriptor's `/dev/fd/N`). */
  name?: string;
}

/** The longest line the readers accept (DuckDB's `max_line_size`); longer ones are quarantined with their length. */
export const maxLineBytes = 2_000_000;
const longLineHeadBytes = 10_000;
const maxLongLines = 1_000;

/**
 * Counts physical lines and keeps the number, length and head of each line longer than
 * `maxLineBytes`. The head is read from the chunk the line starts in (a view, no copy per line).
 */
class LineMeter {
  private line = 1;
  private length = 0;
  private headChunk: Buffer | undefined;
  private headStart = 0;
  readonly long: LongLine[] = [];

  push(chunk: Buffer): void {
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); ; newline = chunk.indexOf(0x0a, start)) {
      const end = newline >= 0 ? newline : chunk.length;
      if (this.headChunk === undefined) {
        this.headChunk = chunk;
        this.headStart = start;
      }
      this.length += end - start;
      if (newline < 0) return;
      this.endLine();
      start = newline + 1;
    }
  }

  finish(): LongLine[] {
    if (this.length > 0) this.endLine();
    return this.long;
  }

  private endLine(): void {
    if (this.length > maxLineBytes && this.long.length < maxLongLines && this.headChunk) {
      const head = this.headChunk.subarray(this.headStart, Math.min(this.headChunk.length, this.headStart + longLineHeadBytes));
      this.long.push({ line: this.line, bytes: this.length, head: head.toString('utf8') });
    }
    this.line += 1;
    this.length = 0;
    this.headChunk = undefined;
  }
}

class DecompressionBomb extends IngestError {}

const quoteByte = 0x22;

function countQuotes(chunk: Buffer): number {
  let count = 0;
  for (let index = chunk.indexOf(quoteByte); index >= 0; index = chunk.indexOf(quoteByte, index + 1)) count++;
  return count;
}

/** Keep at most this much of the first line: a header longer than this is not a header. */
const maxHeaderBytes = 1 << 20;

/**
 * One pass over a file: its SHA-256 (the batch identity), its first line (the header the reader is
 * configured from) and, for gzip, a full decompression, because DuckDB reads a truncated gzip
 * stream as a shorter file without complaint: that would land a silently cut batch.
 */
export async function inspectFile(file: string, options: InspectOptions = {}): Promise<FileInspection> {
  // Most files are small (hourly deltas): one read and one pass in memory cost far less than a
  // stream. A compressed file always streams: its size says nothing about what it expands to.
  const small = !options.gzip && (await stat(file).then((stats) => stats.size <= smallFileBytes, () => false));
  if (small) return inspectContent(file, options.name ?? file);
  const lines = new LineMeter();
  const budget = options.maxDecompressedBytes ?? Number.POSITIVE_INFINITY;
  let expandedBytes = 0;
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const head: Buffer[] = [];
  let headBytes = 0;
  let headDone = false;
  let quotes = 0;
  const collectHead = (chunk: Buffer) => {
    if (headDone) return;
    const newline = chunk.indexOf(0x0a);
    const part = newline >= 0 ? chunk.subarray(0, newline) : chunk;
    head.push(part);
    headBytes += part.length;
    if (newline >= 0 || headBytes >= maxHeaderBytes) headDone = true;
  };
  const hashing = new Writable({
    write(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      if (!options.gzip) {
        collectHead(chunk);
        quotes += countQuotes(chunk);
        lines.push(chunk);
      }
      done();
    },
  });
  try {
    if (options.gzip) {
      const gunzip = createGunzip();
      const decompressed = new Writable({
        write(chunk: Buffer, _encoding, done) {
          expandedBytes += chunk.length;
          if (expandedBytes > budget) {
            return done(new DecompressionBomb(`expands past ${budget} bytes (ingest.max_decompressed_size, or max_compression_ratio times its own size): refused as a decompression bomb; raise the limit if the file is genuine`, { file: options.name ?? file }));
          }
          collectHead(chunk);
          quotes += countQuotes(chunk);
          lines.push(chunk);
          done();
        },
      });
      const source = createReadStream(file);
      source.on('data', (chunk) => {
        hash.update(chunk as Buffer);
        sizeBytes += chunk.length;
      });
      await pipeline(source, gunzip, decompressed);
    } else {
      await pipeline(createReadStream(file), hashing);
    }
  } catch (error) {
    if (error instanceof DecompressionBomb) throw error;
    throw readError(options.name ?? file, error);
  }
  return { sha256: hash.digest('hex'), sizeBytes, firstLine: headerLine(Buffer.concat(head)), unbalancedQuotes: quotes % 2 === 1, longLines: lines.finish() };
}

/** Files up to this size are inspected from one read into memory. */
const smallFileBytes = 8 << 20;

async function inspectContent(file: string, name: string): Promise<FileInspection> {
  let text: Buffer;
  try {
    text = await readFile(file);
  } catch (error) {
    throw readError(name, error);
  }
  const newline = text.indexOf(0x0a);
  const head = text.subarray(0, Math.min(newline >= 0 ? newline : text.length, maxHeaderBytes));
  const lines = new LineMeter();
  lines.push(text);
  return {
    sha256: createHash('sha256').update(text).digest('hex'),
    sizeBytes: text.length,
    firstLine: headerLine(head),
    unbalancedQuotes: countQuotes(text) % 2 === 1,
    longLines: lines.finish(),
  };
}

function headerLine(head: Buffer): string | undefined {
  const firstLine = head.toString('utf8').replace(/^\uFEFF/, '').replace(/\r$/, '');
  return firstLine.length > 0 ? firstLine : undefined;
}

function readError(file: string, error: unknown): IngestError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return new IngestError(`gzip stream is truncated or corrupt (${causeMessage(error)}): resend the file`, { file }, { cause: error });
  }
  return new IngestError(`cannot read ${file}: ${causeMessage(error)}`, { file, transient: code === 'EBUSY' || code === 'EAGAIN' }, { cause: error });
}

/** Splits one header line on the delimiter, honouring double quotes when the format has them. */
export function splitHeader(line: string, delimiter: string, quote: string | undefined): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quote && char === quote) {
      if (quoted && line[index + 1] === quote) {
        field += quote;
        index++;
      } else quoted = !quoted;
    } else if (char === delimiter && !quoted) {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields.map((name) => name.trim());
}
