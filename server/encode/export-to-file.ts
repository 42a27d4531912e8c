import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { ColumnarResult } from '../../db/database.ts';
import { CsvWriter } from '../../core/csv-writer.ts';
import { HttpError } from '../http-error.ts';
import { ArrowEncoder, arrowStreamWriter } from './arrow-encoder.ts';
import type { Format } from './send-result.ts';

/**
 * Writes a query's chunks as CSV or Arrow IPC to a private file (mode 0600), at most `maxBytes`.
 * A download is exported first and sent from the file afterwards: the query's DuckDB transaction
 * ends as soon as the result is read, however slowly the client reads, so it never holds back a
 * checkpoint, and the time budget covers the whole query.
 */
export async function exportToFile(format: Exclude<Format, 'json'>, chunks: AsyncIterable<ColumnarResult>, file: string, maxBytes: number): Promise<void> {
  const out = createWriteStream(file, { mode: 0o600 });
  // The file's first error (a full disk) fails the export where it is noticed; one from a write
  // still in flight after the export gave up must not become an uncaught exception of the server.
  let failed: Error | undefined;
  out.on('error', (error) => (failed ??= error));
  const tooLarge = () =>
    new HttpError(413, `the result is larger than server.sql_download_max (${maxBytes} bytes): narrow the query (a filter, fewer columns) or download it in parts`);
  try {
    if (format === 'csv') {
      let writer: CsvWriter | undefined;
      for await (const chunk of chunks) {
        const header = writer === undefined;
        writer ??= new CsvWriter(chunk.names, chunk.types);
        const text = (header ? writer.header() : '') + writer.rows(chunk);
        await write(out, text);
        if (out.bytesWritten + out.writableLength > maxBytes) throw tooLarge();
      }
    } else {
      let encoder: ArrowEncoder | undefined;
      const writer = arrowStreamWriter();
      const bytes = writer.toNodeStream();
      bytes.pipe(out, { end: false });
      for await (const chunk of chunks) {
        encoder ??= new ArrowEncoder(chunk.names, chunk.types);
        writer.write(encoder.batch(chunk));
        if (out.writableNeedDrain) await once(out, 'drain');
        if (out.bytesWritten + out.writableLength > maxBytes) throw tooLarge();
      }
      writer.finish();
      await once(bytes, 'end');
    }
    out.end();
    await once(out, 'close');
    if (failed) throw failed;
  } catch (error) {
    out.destroy();
    throw error;
  }
}

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}
