import {
  DuckDBTypeId,
  JSDuckDBValueConverter,
  type DuckDBType,
  type DuckDBValue,
  type DuckDBValueConverter,
} from '@duckdb/node-api';

/** A value that JSON.stringify can write and a client can read back without loss of meaning. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function safeInteger(value: bigint): number | string {
  // BIGINT sums stay exact: a number when it fits in a double, a decimal string when it does not.
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

const jsConverter = JSDuckDBValueConverter as DuckDBValueConverter<unknown>;
const overrides: Partial<Record<DuckDBTypeId, (value: DuckDBValue, type: DuckDBType, converter: DuckDBValueConverter<JsonValue>) => JsonValue>> = {
  [DuckDBTypeId.BIGINT]: (value) => safeInteger(value as bigint),
  [DuckDBTypeId.UBIGINT]: (value) => safeInteger(value as bigint),
  [DuckDBTypeId.HUGEINT]: (value) => safeInteger(value as bigint),
  [DuckDBTypeId.UHUGEINT]: (value) => safeInteger(value as bigint),
  [DuckDBTypeId.DATE]: (value) => String(value),
  [DuckDBTypeId.TIMESTAMP]: (value, type) => isoFrom(jsConverter(value, type, jsConverter)),
  [DuckDBTypeId.TIMESTAMP_TZ]: (value, type) => isoFrom(jsConverter(value, type, jsConverter)),
  [DuckDBTypeId.TIMESTAMP_MS]: (value, type) => isoFrom(jsConverter(value, type, jsConverter)),
  [DuckDBTypeId.TIMESTAMP_S]: (value, type) => isoFrom(jsConverter(value, type, jsConverter)),
  [DuckDBTypeId.TIMESTAMP_NS]: (value, type) => isoFrom(jsConverter(value, type, jsConverter)),
  [DuckDBTypeId.TIME]: (value) => String(value),
  [DuckDBTypeId.INTERVAL]: (value) => String(value),
  [DuckDBTypeId.UUID]: (value) => String(value),
  [DuckDBTypeId.BLOB]: (value) => String(value),
};

function isoFrom(date: unknown): JsonValue {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : String(date);
}

/**
 * DuckDB values to JSON-safe JS: BIGINT/HUGEINT as numbers (strings past 2^53), DECIMAL as numbers,
 * timestamps as ISO-8601 UTC strings, dates as `YYYY-MM-DD`, nested types recursively.
 */
export const jsonValueConverter: DuckDBValueConverter<JsonValue> = (value, type, converter) => {
  if (value === null) return null;
  const override = overrides[type.typeId];
  if (override) return override(value, type, converter);
  return jsConverter(value, type, converter as DuckDBValueConverter<unknown>) as JsonValue;
};
