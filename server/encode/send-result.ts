import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Response } from 'express';
import { CsvWriter } from '../../core/csv-writer.ts';
import type { ColumnarResult, JsonValue } from '../../db/database.ts';
import { ArrowEncoder, arrowStreamWriter } from './arrow-encoder.ts';

export const formats = ['json', 'csv', 'arrow'] as const;
export type Format = (typeof formats)[number];

export const arrowMediaType = 'application/vnd.apache.arrow.stream';

/** Rows of a columnar result, for the JSON shape `{"columns": [...], "rows": [[...]]}`. */
export function rowsOf(result: ColumnarResult): JsonValue[][] {
  const rows: JsonValue[][] = new Array(result.rowCount);
  for (let row = 0; row < result.rowCount; row += 1) rows[row] = result.columns.map((column) => column[row]);
  return rows;
}

/** A cached page's JSON, encoded once: its bytes and their ETag (express would hash the body on every send). */
const jsonBodies = new WeakMap<ColumnarResult, { bytes: Buffer; etag: string }>();

/** Sends one in-memory result as JSON (with `extra` fields such as `total`), CSV or Arrow IPC. */
export async function sendResult(response: Response, format: Format, result: ColumnarResult, extra: Record<string, JsonValue> = {}, filename = 'result'): Promise<void> {
  if (format === 'json') {
    // Cached pages are sent again and again: their encoded JSON is kept with them.
    let body = jsonBodies.get(result);
    if (body === undefined) {
      const bytes = Buffer.from(JSON.stringify({ columns: result.names, rows: rowsOf(result), ...extra }));
      body = { bytes, etag: `W/"${bytes.length.toString(16)}-${createHash('sha1').update(bytes).digest('base64url')}"` };
      jsonBodies.set(result, body);
    }
    // With the ETag set, express sends the bytes as they are instead of hashing them again.
    response.set('ETag', body.etag).type('application/json').send(body.bytes);
    return;
  }
  for (const [key, value] of Object.entries(extra)) if (typeof value === 'number' || typeof value === 'boolean') response.set(`X-Stocklens-${key}`, String(value));
  await streamResult(response, format, single(result), filename);
}

async function* single(result: ColumnarResult): AsyncGenerator<ColumnarResult> {
  yield result;
}

/**
 * Streams chunks as CSV or Arrow IPC, waiting for the client to drain (backpressure). A client
 * that goes away ends the loop, which closes DuckDB's stream. An error before the first byte is
 * thrown to the caller (a clean 400/500); after it, the body is cut off.
 */
export async function streamResult(response: Response, format: Exclude<Format, 'json'>, chunks: AsyncIterable<ColumnarResult>, filename: string): Promise<void> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new Error('a result stream yielded no chunk');
  const { names, types } = first.value;
  response.status(200);
  if (format === 'csv') {
    response.type('text/csv; charset=utf-8').attachment(`${filename}.csv`);
    const encoder = new CsvWriter(names, types);
    if (!(await write(response, encoder.header() + encoder.rows(first.value)))) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (!(await write(response, encoder.rows(next.value)))) return void (await iterator.return?.(undefined));
    }
    response.end();
    return;
  }
  response.type(arrowMediaType).attachment(`${filename}.arrows`);
  const encoder = new ArrowEncoder(names, types);
  const writer = arrowStreamWriter();
  const bytes = writer.toNodeStream();
  bytes.pipe(response);
  writer.write(encoder.batch(first.value));
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    if (response.destroyed) return void (await iterator.return?.(undefined));
    writer.write(encoder.batch(next.value));
    if (response.writableNeedDrain) await drained(response);
  }
  writer.finish();
  await once(bytes, 'end');
}

/** Writes text, waiting for drain when the socket buffer is full; false when the client is gone. */
async function write(response: Response, text: string): Promise<boolean> {
  if (response.destroyed) return false;
  if (!response.write(text)) await drained(response);
  return !response.destroyed;
}

/** Resolves when the socket takes more data, or is gone; no listener is left behind. */
function drained(response: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
