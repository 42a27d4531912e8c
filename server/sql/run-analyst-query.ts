import type { ColumnarResult, Connection, JsonValue } from '../../db/database.ts';
import { HttpError } from '../http-error.ts';

/** DuckDB's message for a failed analyst query, without the internal stack some errors carry. */
export function queryFailed(error: unknown): HttpError {
  const message = error instanceof Error ? error.message : String(error);
  return new HttpError(400, message.split('\n\nStack Trace')[0]);
}

/**
 * Streams an analyst query's chunks with a budget of DuckDB time: each fetch gets what is left of
 * `timeoutMs`, and when it runs out `connection.interrupt()` stops DuckDB mid-query. Time the
 * client spends reading a download does not count.
 */
export async function* analystChunks(connection: Connection, text: string, timeoutMs: number): AsyncGenerator<ColumnarResult> {
  let spentMs = 0;
  let timedOut = false;
  const iterator = connection.stream(text)[Symbol.asyncIterator]();
  try {
    for (;;) {
      const started = Date.now();
      const timer = setTimeout(() => {
        timedOut = true;
        connection.interrupt();
      }, Math.max(0, timeoutMs - spentMs));
      let next: IteratorResult<ColumnarResult>;
      try {
        next = await iterator.next();
      } catch (error) {
        if (timedOut) throw new HttpError(400, `query stopped after ${Math.round(timeoutMs / 1000)} s (server.sql_timeout): narrow it down or download it in parts`);
        throw queryFailed(error);
      } finally {
        clearTimeout(timer);
        spentMs += Date.now() - started;
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.(undefined);
  }
}

export interface Preview {
  names: string[];
  types: string[];
  rows: JsonValue[][];
  truncated: boolean;
}

/** The first `rowCap` rows for the SQL console; `truncated` says there were more. */
export async function previewQuery(connection: Connection, text: string, timeoutMs: number, rowCap: number): Promise<Preview> {
  const preview: Preview = { names: [], types: [], rows: [], truncated: false };
  for await (const chunk of analystChunks(connection, text, timeoutMs)) {
    preview.names = chunk.names;
    preview.types = chunk.types;
    for (let row = 0; row < chunk.rowCount; row += 1) {
      if (preview.rows.length === rowCap) {
        preview.truncated = true;
        return preview;
      }
      preview.rows.push(chunk.columns.map((column) => column[row]));
    }
  }
  return preview;
}
