import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
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
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
      throw new IngestError(`gzip stream is truncated or corrupt (${causeMessage(error)}): resend the file`, { file }, { cause: error });
    }
    throw new IngestError(`cannot read ${file}: ${causeMessage(error)}`, { file, transient: code === 'EBUSY' || code === 'EAGAIN' }, { cause: error });
  }
  const firstLine = Buffer.concat(head).toString('utf8').replace(/^\uFEFF/, '').replace(/\r$/, '');
  return { sha256: hash.digest('hex'), sizeBytes, firstLine: firstLine.length > 0 ? firstLine : undefined, unbalancedQuotes: quotes % 2 === 1 };
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
