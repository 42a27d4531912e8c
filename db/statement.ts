import { type DuckDBValue, quotedIdentifier, quotedString } from '@duckdb/node-api';
import sqlPackage, { type SQL, type SQLQuery } from '@databases/sql';

/**
 * Statements as Stocklens writes them: `sql` templates (values bound as `$n` parameters,
 * identifiers quoted by DuckDB's rules) or trusted SQL text, and their compilation to DuckDB text.
 */

// @databases/sql is CommonJS; under NodeNext its default import is typed as the module namespace.
export const sql = ((sqlPackage as unknown as { default?: SQL }).default ?? sqlPackage) as SQL;
export type { SQLQuery };
/** DuckDB's own quoting (`"a""b"`), for the few identifiers that cannot go through `sql` templates. */
export { quotedIdentifier };

/** A query as a `sql` template (values bound, identifiers quoted) or as trusted SQL text without input. */
export type Statement = SQLQuery | string;

/** Compiles a `sql` template into DuckDB text with `$n` placeholders and its values. */
export function compile(statement: Statement): { text: string; values: DuckDBValue[] } {
  if (typeof statement === 'string') return { text: statement, values: [] };
  return statement.format({
    escapeIdentifier: quotedIdentifier,
    formatValue: (value, index) => ({ placeholder: `$${index + 1}`, value }),
  }) as { text: string; values: DuckDBValue[] };
}

/**
 * DuckDB text for a statement with its values inlined as literals. Only for the places where DuckDB
 * refuses parameters (view definitions, COPY targets); values are escaped, never concatenated raw.
 */
export function inline(statement: SQLQuery): string {
  return statement.format({
    escapeIdentifier: quotedIdentifier,
    formatValue: (value) => ({ placeholder: literal(value), value: undefined }),
  }).text;
}

export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`invalid literal: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return `TIMESTAMPTZ '${value.toISOString()}'`;
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  return quotedString(String(value));
}
