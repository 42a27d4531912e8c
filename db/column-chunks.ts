import bindings from '@duckdb/node-bindings';
import { BIGINT, DOUBLE, DuckDBDataChunk, INTEGER, VARCHAR, type DuckDBAppender } from '@duckdb/node-api';

/**
 * One column for `appendColumns`: its DuckDB type and its values (null or undefined for NULL), as
 * an array or as one field of each row of rows fetched by JS, read in place without a copy.
 * Numbers bound for text are written as their decimal text.
 */
export type AppendColumn =
  | { type: 'varchar'; values: ColumnValues<string | number> }
  | { type: 'integer' | 'double'; values: ColumnValues<number> }
  | { type: 'bigint'; values: ColumnValues<bigint> };

export type ColumnValues<T> = ArrayLike<T | null | undefined> | RowField;

/** Field `field` of every row: a column of row-shaped data. */
export interface RowField {
  rows: readonly (readonly unknown[])[];
  field: number;
}

/** The i-th value of a column, whichever its shape. */
function reader(values: ColumnValues<unknown>): { length: number; at: (index: number) => unknown } {
  if ('rows' in values && 'field' in values && !Array.isArray(values)) {
    const { rows, field } = values;
    return { length: rows.length, at: (index) => rows[index][field] };
  }
  const array = values as ArrayLike<unknown>;
  return { length: array.length, at: (index) => array[index] };
}

const duckTypes = { varchar: VARCHAR, integer: INTEGER, double: DOUBLE, bigint: BIGINT } as const;

/** DuckDB's vector size: the most rows a data chunk holds. */
const chunkRows = 2048;

/**
 * DuckDB's string_t (public in duckdb.h as duckdb_string_t): 16 bytes, a uint32 length and, for
 * strings of at most 12 bytes, the bytes themselves inline. Writing those straight into the
 * vector's memory skips a native call per cell, which is most of what appending text costs.
 */
const stringBytes = 16;
const maxInlined = 12;

/**
 * The DuckDB library whose string_t layout the inline writer was checked against
 * (test/db/append-columns.test.ts lands every kind of text through it and reads it back). Any
 * other version writes every string through DuckDB's own call, slower but layout-proof, and the
 * test that pins this version fails until someone checks the layout again and updates it.
 */
export const stringLayoutVerifiedFor = 'v1.5.6';
const inlineStrings = duckdbLibraryVersion() === stringLayoutVerifiedFor;

/** The DuckDB library this process runs (`v1.5.6`). */
export function duckdbLibraryVersion(): string {
  return bindings.library_version();
}

/**
 * Appends columns to `appender` a data chunk at a time, writing each vector's memory in one copy
 * (typed arrays for numbers, inline string_t for short ASCII text; longer text one native call per
 * cell). Every column has the same length. One chunk and one set of buffers serve every chunk.
 */
export function appendColumnChunks(appender: DuckDBAppender, columns: readonly AppendColumn[]): void {
  const rowCount = columns.length > 0 ? reader(columns[0].values).length : 0;
  if (columns.some((column) => reader(column.values).length !== rowCount)) throw new Error('appendColumns: every column needs the same number of values');
  if (rowCount === 0) return;
  const chunk = DuckDBDataChunk.create(columns.map((column) => duckTypes[column.type]));
  const writers = columns.map((column) => columnWriter(column));
  for (let start = 0; start < rowCount; start += chunkRows) {
    const size = Math.min(chunkRows, rowCount - start);
    chunk.reset();
    bindings.data_chunk_set_size(chunk.chunk, size);
    writers.forEach((write, index) => {
      write(bindings.data_chunk_get_vector(chunk.chunk, index), start, size);
    });
    appender.appendDataChunk(chunk);
  }
}

type VectorWriter = (vector: bindings.Vector, start: number, size: number) => void;

/** Nulls: validity bits cleared (1 = valid), copied only when a chunk has any. */
class Validity {
  readonly bytes = new Uint8Array(chunkRows / 8);
  private nulls = 0;

  start(): void {
    this.bytes.fill(0xff);
    this.nulls = 0;
  }

  setNull(row: number): void {
    this.bytes[row >> 3] &= ~(1 << (row & 7));
    this.nulls++;
  }

  write(vector: bindings.Vector, size: number): void {
    if (this.nulls === 0) return;
    bindings.vector_ensure_validity_writable(vector);
    bindings.copy_data_to_vector_validity(vector, 0, this.bytes.buffer, 0, Math.ceil(size / 64) * 8);
  }
}

function columnWriter(column: AppendColumn): VectorWriter {
  const validity = new Validity();
  const { at } = reader(column.values);
  if (column.type === 'varchar') {
    const bytes = new Uint8Array(chunkRows * stringBytes);
    const view = new DataView(bytes.buffer);
    const long: number[] = [];
    const texts: string[] = [];
    return (vector, start, size) => {
      validity.start();
      bytes.fill(0);
      long.length = 0;
      texts.length = 0;
      for (let row = 0; row < size; row++) {
        const cell = at(start + row);
        if (cell === null || cell === undefined) {
          validity.setNull(row);
          continue;
        }
        const value = typeof cell === 'string' ? cell : textOf(cell);
        if (!inlineStrings || !inlineAscii(value, bytes, view, row * stringBytes)) {
          long.push(row);
          texts.push(value);
        }
      }
      bindings.copy_data_to_vector(vector, 0, bytes.buffer, 0, size * stringBytes);
      long.forEach((row, index) => {
        bindings.vector_assign_string_element(vector, row, texts[index]);
      });
      validity.write(vector, size);
    };
  }
  if (column.type === 'bigint') return numberWriter(new BigInt64Array(chunkRows), at, 0n, (value) => typeof value === 'bigint', 'a bigint', validity);
  if (column.type === 'double') return numberWriter(new Float64Array(chunkRows), at, 0, (value) => typeof value === 'number', 'a number', validity);
  return numberWriter(new Int32Array(chunkRows), at, 0, (value) => Number.isInteger(value) && (value as number) >= -0x80000000 && (value as number) <= 0x7fffffff, 'a 32-bit integer', validity);
}

function textOf(cell: unknown): string {
  if (typeof cell === 'number' || typeof cell === 'bigint' || typeof cell === 'boolean') return String(cell);
  throw new Error(`appendColumns: ${String(cell)} is not text`);
}

/** A numeric column: its values into a typed array per chunk, copied in one call. */
function numberWriter<T extends number | bigint>(
  array: { [row: number]: T; buffer: ArrayBufferLike; BYTES_PER_ELEMENT: number },
  at: (index: number) => unknown,
  zero: T,
  fits: (value: unknown) => boolean,
  kind: string,
  validity: Validity,
): VectorWriter {
  return (vector, start, size) => {
    validity.start();
    for (let row = 0; row < size; row++) {
      const value = at(start + row);
      if (value === null || value === undefined) {
        validity.setNull(row);
        array[row] = zero;
        continue;
      }
      if (!fits(value)) throw new Error(`appendColumns: ${String(value)} is not ${kind}`);
      array[row] = value as T;
    }
    bindings.copy_data_to_vector(vector, 0, array.buffer as ArrayBuffer, 0, size * array.BYTES_PER_ELEMENT);
    validity.write(vector, size);
  };
}

/** Writes `value` as an inlined string_t at `offset` when it is ASCII of at most 12 bytes; false otherwise. */
function inlineAscii(value: string, bytes: Uint8Array, view: DataView, offset: number): boolean {
  const length = value.length;
  if (length > maxInlined) return false;
  for (let index = 0; index < length; index++) {
    const code = value.charCodeAt(index);
    if (code > 0x7f) {
      bytes.fill(0, offset + 4, offset + 4 + index);
      return false;
    }
    bytes[offset + 4 + index] = code;
  }
  view.setUint32(offset, length, true);
  return true;
}
