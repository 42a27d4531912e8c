import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
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
}

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
export async function inspectFile(file: string, options: { gzip?: boolean } = {}): Promise<FileInspection> {
  // Most files are small (hourly deltas): one read and one pass in memory cost far less than a stream.
  const small = await stat(file).then((stats) => stats.size <= smallFileBytes, () => false);
  if (small) return inspectContent(file, options);
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
      }
      done();
    },
  });
  try {
    if (options.gzip) {
      const gunzip = createGunzip();
      const decompressed = new Writable({
        write(chunk: Buffer, _encoding, done) {
          collectHead(chunk);
          quotes += countQuotes(chunk);
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
    throw readError(file, error);
  }
  return { sha256: hash.digest('hex'), sizeBytes, firstLine: headerLine(Buffer.concat(head)), unbalancedQuotes: quotes % 2 === 1 };
}

/** Files up to this size are inspected from one read into memory. */
const smallFileBytes = 8 << 20;

async function inspectContent(file: string, options: { gzip?: boolean }): Promise<FileInspection> {
  let content: Buffer;
  let text: Buffer;
  try {
    content = await readFile(file);
    text = options.gzip ? gunzipSync(content) : content;
  } catch (error) {
    throw readError(file, error);
  }
  const newline = text.indexOf(0x0a);
  const head = text.subarray(0, Math.min(newline >= 0 ? newline : text.length, maxHeaderBytes));
  return {
    sha256: createHash('sha256').update(content).digest('hex'),
    sizeBytes: content.length,
    firstLine: headerLine(head),
    unbalancedQuotes: countQuotes(text) % 2 === 1,
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
