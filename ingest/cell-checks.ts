import { sql, type SQLQuery } from '../db/database.ts';
import type { ColumnSpec } from './entities.ts';
import type { LandOptions } from './land-batch.ts';

/**
 * How one cell of a landed row is read: trimmed text, a strict cast to the canonical type, the
 * default when the file lacks the column, and the checks whose first failure quarantines the row.
 */
// The ::varchar is free on text and lets typed staging (integers from an API) share every check.
export const textOf = (column: ColumnSpec) => sql`nullif(${trimmed(sql`${sql.ident('i', column.name)}::varchar`)}, '')`;

/**
 * DuckDB's trim(): the Unicode space separators (category Zs) cut from both ends. trim() decodes
 * every character of every cell; a cell of ASCII only (as many bytes as characters) can hold no
 * other Zs than ' ', so it is trimmed only when it starts or ends with one. Same result, a fraction
 * of the work on the cells of a large file, which rarely need it.
 */
function trimmed(cell: SQLQuery): SQLQuery {
  return sql`case when strlen(${cell}) <> length(${cell}) or prefix(${cell}, ' ') or suffix(${cell}, ' ') then trim(${cell}) else ${cell} end`;
}
const text = (column: ColumnSpec) => sql.ident(`t:${column.name}`);
const value = (column: ColumnSpec) => sql.ident(`v:${column.name}`);

/** A batch's captured_at default (the time in its file name), from `batch_map`. */
const capturedDefault = sql.ident('__captured_at');
/** Whether the row's batch is a delta, from `batch_map`. */
const inDelta = sql.ident('__delta');

export function typedValue(column: ColumnSpec, present: Set<string>): SQLQuery {
  if (!present.has(column.name)) {
    if (column.whenAbsent === 'captured_at') return capturedDefault;
    const absent = sql.__dangerous__rawValue(`${column.whenAbsent ?? 'null'}::${column.type}`);
    // NULL is "not stated": the stock intervals keep the previous value.
    if (column.keptInDelta) return sql`case when ${inDelta} then null else ${absent} end`;
    return absent;
  }
  if (column.whenAbsent === 'captured_at') return sql`coalesce(${value(column)}, ${capturedDefault})`;
  if (column.whenAbsent !== undefined) return sql`coalesce(${value(column)}, ${sql.__dangerous__rawValue(column.whenAbsent)})`;
  return value(column);
}

/**
 * DuckDB's casts accept 2.5 as an integer (rounding it), 1e3, 0x1F and 1_000: a number must be
 * written as plain digits (a decimal with its point, or the source's declared separators),
 * anything else is quarantined rather than silently reinterpreted.
 */
export function strictCast(cellText: SQLQuery, column: ColumnSpec, format: NumberFormat = plainNumbers): SQLQuery {
  const cast = sql`try_cast(${cellText} as ${sql.__dangerous__rawValue(column.type)})`;
  if (column.type === 'integer') return sql`case when regexp_full_match(${cellText}, '[+-]?[0-9]+') then ${cast} end`;
  if (!column.type.startsWith('decimal')) return cast;
  const plain = sql`try_cast(${format.thousands ? sql`replace(${cellText}, ${format.thousands}, '')` : cellText} as ${sql.__dangerous__rawValue(column.type)})`;
  const normalized = format.decimal === '.' ? plain : sql`try_cast(replace(${format.thousands ? sql`replace(${cellText}, ${format.thousands}, '')` : cellText}, ',', '.') as ${sql.__dangerous__rawValue(column.type)})`;
  return sql`case when regexp_full_match(${cellText}, ${numberPattern(format)}) then ${normalized} end`;
}

/** How a source writes numbers: its decimal mark and, when it groups thousands, their separator. */
export interface NumberFormat {
  decimal: '.' | ',';
  thousands?: ',' | '.' | ' ' | "'";
}

export const plainNumbers: NumberFormat = { decimal: '.' };

/** Digits, optionally grouped in threes by the thousands separator, optionally a fraction after the decimal mark. */
function numberPattern(format: NumberFormat): string {
  const escapeMark = (mark: string) => mark.replace(/[.]/g, '\\.');
  const decimal = escapeMark(format.decimal);
  const whole = format.thousands ? `([0-9]{1,3}(${escapeMark(format.thousands)}[0-9]{3})+|[0-9]+)` : '[0-9]+';
  return `[+-]?(${whole}(${decimal}[0-9]*)?|${decimal}[0-9]+)`;
}

/** What to do about a row naming a location the config does not list. */
const unknownLocationFix = ': add it to `locations:` in the config, or map it in the source\'s `location_map`';

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
  else if (column.keptInDelta) {
    const reason = `${column.name} is empty in a delta file, where it is no value: write 0, or leave the ${column.name} column out of the file to keep the previous value`;
    checks.push({ column: column.name, failed: sql`${inDelta} and ${cellText} is null`, reason: sql`${reason}` });
  }
  const kind = column.type === 'integer' ? 'an integer' : column.type === 'timestamptz' ? 'a timestamp' : column.type.startsWith('decimal') ? 'a number' : undefined;
  if (kind) {
    const notKind = sql`${`${column.name}: `} || to_json(${cellText})::varchar || ${` is not ${kind}`}`;
    // 1,200 or 1.200,5 read as one number only once the source says what its marks mean.
    const reason = kind === 'a number' ? sql`${notKind} || case when regexp_full_match(${cellText}, ${groupedDigits}) then ${separatorHint(options.numberFormat ?? plainNumbers)} else '' end` : notKind;
    checks.push({ column: column.name, failed: sql`${cellText} is not null and ${cast} is null`, reason });
  }
  if (column.nonNegative) checks.push({ column: column.name, failed: sql`${cast} < 0`, reason: sql`${`${column.name} is negative: `} || ${cellText}` });
  if (column.name === 'location_id' && options.knownLocations.length > 0) {
    checks.push({ column: column.name, failed: sql`${cellText} is not null and ${cellText} not in (${sql.join(options.knownLocations.map((id) => sql`${id}`), ', ')})`, reason: sql`${'unknown location '} || to_json(${cellText})::varchar || ${unknownLocationFix}` });
  }
  if (column.type === 'timestamptz' && ['captured_at', 'placed_at', 'occurred_at'].includes(column.name)) {
    // A capture from the future is a clock or time-zone error upstream; landing it would poison as-of joins.
    const limit = new Date((options.now ?? new Date()).getTime() + 5 * 60_000).toISOString();
    checks.push({ column: column.name, failed: sql`${cast} > ${limit}::timestamptz`, reason: sql`${`${column.name} is in the future: `} || ${cellText}` });
  }
  return checks;
}


/** Digits broken by marks (1,200 · 1.200,5 · 1'200): a number in a format the source has not declared. */
const groupedDigits = "[+-]?[0-9]+([.,' ][0-9]+)+";

function separatorHint(format: NumberFormat): string {
  if (format === plainNumbers) return ' (plain numbers such as 1200.5 expected: for 1,200.5 set the source\'s thousands: ",", for 1.200,5 its decimal: "," and thousands: ".")';
  return ` (the source declares decimal: "${format.decimal}"${format.thousands ? `, thousands: "${format.thousands}"` : ', no thousands separator'})`;
}
