import {
  Bool,
  DateDay,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimeUnit,
  Timestamp,
  Uint16,
  Uint32,
  Uint8,
  Utf8,
  makeData,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import type { ColumnarResult, JsonValue } from '../../db/database.ts';

type Convert = (value: JsonValue) => unknown;

interface ArrowColumn {
  type: DataType;
  convert: Convert;
}

const same: Convert = (value) => value;
const toBigInt: Convert = (value) => (typeof value === 'number' || typeof value === 'string' ? BigInt(value) : null);
const toMs: Convert = (value) => {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? null : ms; // DuckDB's 'infinity' timestamps have no Arrow value
};
const toDate: Convert = (value) => {
  const ms = toMs(value);
  return ms === null ? null : new Date(ms as number);
};
const toText: Convert = (value) => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The Arrow type for a DuckDB type name (as `db.columns()` reports it). Integers keep their
 * width (BIGINT/HUGEINT as Int64, read back as bigint), DECIMAL and DOUBLE as Float64,
 * timestamps as milliseconds (UTC-zoned for TIMESTAMPTZ), DATE as days, nested and other types as
 * UTF-8 text (JSON for lists and structs).
 */
export function arrowColumnFor(duckdbType: string): ArrowColumn {
  const type = duckdbType.toUpperCase();
  if (type.endsWith(']') || type.startsWith('STRUCT') || type.startsWith('MAP') || type.startsWith('UNION')) return { type: new Utf8(), convert: toText };
  if (type.startsWith('DECIMAL')) return { type: new Float64(), convert: same };
  if (type.startsWith('TIMESTAMP')) {
    const zoned = type === 'TIMESTAMP WITH TIME ZONE' || type === 'TIMESTAMPTZ';
    return { type: new Timestamp(TimeUnit.MILLISECOND, zoned ? 'UTC' : null), convert: toMs };
  }
  switch (type) {
    case 'BOOLEAN':
      return { type: new Bool(), convert: same };
    case 'TINYINT':
      return { type: new Int8(), convert: same };
    case 'SMALLINT':
      return { type: new Int16(), convert: same };
    case 'INTEGER':
      return { type: new Int32(), convert: same };
    case 'UTINYINT':
      return { type: new Uint8(), convert: same };
    case 'USMALLINT':
      return { type: new Uint16(), convert: same };
    case 'UINTEGER':
      return { type: new Uint32(), convert: same };
    case 'BIGINT':
    case 'UBIGINT':
    case 'HUGEINT':
    case 'UHUGEINT':
      return { type: new Int64(), convert: toBigInt };
    case 'FLOAT':
      return { type: new Float32(), convert: same };
    case 'DOUBLE':
      return { type: new Float64(), convert: same };
    case 'DATE':
      return { type: new DateDay(), convert: toDate };
    default:
      return { type: new Utf8(), convert: toText };
  }
}

/** Encodes a result as Arrow IPC batches, one per chunk, with one schema fixed at the first. */
export class ArrowEncoder {
  private readonly columns: ArrowColumn[];
  readonly schema: Schema;

  constructor(names: string[], types: string[]) {
    this.columns = types.map(arrowColumnFor);
    this.schema = new Schema(names.map((name, index) => new Field(name, this.columns[index].type, true)));
  }

  batch(chunk: ColumnarResult): RecordBatch {
    const children = this.columns.map(({ type, convert }, index) =>
      vectorFromArray(chunk.columns[index].map((value) => (value === null ? null : convert(value))) as never[], type).data[0],
    );
    return new RecordBatch(this.schema, makeData({ type: new Struct(this.schema.fields), length: chunk.rowCount, nullCount: 0, children }));
  }
}

/** An Arrow IPC stream writer: write batches as they come, `finish()` at the end. */
export function arrowStreamWriter(): RecordBatchStreamWriter {
  return new RecordBatchStreamWriter();
}
