import { sql, type SQLQuery } from '../db/database.ts';
import type { ColumnSpec } from './entities.ts';
import type { LandOptions } from './land-batch.ts';

/**
 * How one cell of a landed row is read: trimmed text, a strict cast to the canonical type, the
 * default when the file lacks the column, and the checks whose first failure quarantines the row.
 */
// The ::varchar is free on text and lets typed staging (integers from an API) share every check.
export const textOf = (column: ColumnSpec) => sql`nullif(trim(${sql.ident('i', column.name)}::varchar), '')`;
const text = (column: ColumnSpec) => sql.ident(`t:${column.name}`);
const value = (column: ColumnSpec) => sql.ident(`v:${column.name}`);

/** A batch's captured_at default (the time in its file name), from `batch_map`. */
const capturedDefault = sql.ident('__captured_at');

export function typedValue(column: ColumnSpec, present: Set<string>): SQLQuery {
  if (!present.has(column.name)) {
    if (column.whenAbsent === 'captured_at') return capturedDefault;
    return sql.__dangerous__rawValue(`${column.whenAbsent ?? 'null'}::${column.type}`);
  }
  if (column.whenAbsent === 'captured_at') return sql`coalesce(${value(column)}, ${capturedDefault})`;
  if (column.whenAbsent !== undefined) return sql`coalesce(${value(column)}, ${sql.__dangerous__rawValue(column.whenAbsent)})`;
  return value(column);
}

/**
 * DuckDB's cast to integer accepts 2.5 (rounding it), 1e3, 0x1F and 1_000: a quantity must be
 * written as plain digits, anything else is quarantined rather than silently reinterpreted.
 */
export function strictCast(cellText: SQLQuery, column: ColumnSpec): SQLQuery {
  const cast = sql`try_cast(${cellText} as ${sql.__dangerous__rawValue(column.type)})`;
  return column.type === 'integer' ? sql`case when regexp_full_match(${cellText}, '[+-]?[0-9]+') then ${cast} end` : cast;
}

export interface Check {
  column: string | null;
  failed: SQLQuery;
  reason: SQLQuery;
}

/** The checks of one present column, over its trimmed text and cast value, in the order they are reported. */
export function columnChecks(column: ColumnSpec, present: Set<string>, options: LandOptions): Check[] {
  if (!present.has(column.name)) return [];
  const [cellText, cast] = [text(column), value(column)];
  const checks: Check[] = [];
  if (column.required || column.notEmpty) checks.push({ column: column.name, failed: sql`${cellText} is null`, reason: sql`${`${column.name} is empty`}` });
  const kind = column.type === 'integer' ? 'an integer' : column.type === 'timestamptz' ? 'a timestamp' : column.type.startsWith('decimal') ? 'a number' : undefined;
  if (kind) {
    checks.push({ column: column.name, failed: sql`${cellText} is not null and ${cast} is null`, reason: sql`${`${column.name}: `} || to_json(${cellText})::varchar || ${` is not ${kind}`}` });
  }
  if (column.nonNegative) checks.push({ column: column.name, failed: sql`${cast} < 0`, reason: sql`${`${column.name} is negative: `} || ${cellText}` });
  if (column.name === 'location_id' && options.knownLocations.length > 0) {
    checks.push({ column: column.name, failed: sql`${cellText} is not null and ${cellText} not in (${sql.join(options.knownLocations.map((id) => sql`${id}`), ', ')})`, reason: sql`${'unknown location '} || to_json(${cellText})::varchar` });
  }
  if (column.type === 'timestamptz' && ['captured_at', 'placed_at', 'occurred_at'].includes(column.name)) {
    // A capture from the future is a clock or time-zone error upstream; landing it would poison as-of joins.
    const limit = new Date((options.now ?? new Date()).getTime() + 5 * 60_000).toISOString();
    checks.push({ column: column.name, failed: sql`${cast} > ${limit}::timestamptz`, reason: sql`${`${column.name} is in the future: `} || ${cellText}` });
  }
  return checks;
}

