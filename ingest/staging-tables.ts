import { quotedIdentifier, sql, type AppendColumn, type Connection, type SQLQuery } from '../db/database.ts';

/**
 * The staging protocol: the temporary tables a landing fills on its connection, shared by the
 * stages that read an input (files, vendor exports, fetched rows), the landing and the ledger.
 * Each table's name and columns are declared here once; every statement names them through these
 * declarations, so a renamed or missing column fails the typecheck instead of a landing. Temporary
 * tables belong to one connection: two landings never see each other's.
 */

/** The DuckDB types staging columns have. */
export type StagingType = 'integer' | 'bigint' | 'double' | 'varchar' | 'json' | 'timestamptz';

type Columns = Record<string, StagingType>;

export interface StagingTable<C extends Columns> {
  readonly name: string;
  /** The declared columns, in table order. Tables of an open shape carry more (see each one). */
  readonly columns: Readonly<C>;
  /** Column defaults, as DuckDB literals. */
  readonly defaults: Readonly<Partial<Record<keyof C, number>>>;
  /** The quoted name, for `sql` templates. */
  readonly ident: SQLQuery;
  /** The quoted name as text, for statements that are trusted text (readers with file names inlined). */
  readonly text: string;
  /** A column's quoted name, for definitions and unqualified references. */
  column(name: keyof C & string): SQLQuery;
  /** The table under an alias: each column qualified by it, and `from` (`"batch_map" as "m"`). */
  as(alias: string): Aliased<C>;
}

export type Aliased<C extends Columns> = { readonly [K in keyof C]: SQLQuery } & { readonly from: SQLQuery };

export function stagingTable<const C extends Columns>(name: string, columns: C, defaults: Partial<Record<keyof C, number>> = {}): StagingTable<C> {
  return Object.freeze({
    name,
    columns: Object.freeze(columns),
    defaults: Object.freeze(defaults),
    ident: sql.ident(name),
    text: quotedIdentifier(name),
    column: (column: keyof C & string) => sql.ident(column),
    as(alias: string): Aliased<C> {
      const qualified = Object.fromEntries(Object.keys(columns).map((column) => [column, sql.ident(alias, column)]));
      return { ...qualified, from: sql`${sql.ident(name)} as ${sql.ident(alias)}` } as Aliased<C>;
    },
  });
}

/** `create or replace temp table` with the declared columns, their types and defaults. */
export async function createStagingTable(connection: Connection, table: StagingTable<Columns>): Promise<void> {
  const definitions = Object.entries(table.columns).map(([column, type]) => {
    const fallback = table.defaults[column];
    return sql`${sql.ident(column)} ${sql.__dangerous__rawValue(type)}${fallback === undefined ? sql`` : sql.__dangerous__rawValue(` default ${Number(fallback)}`)}`;
  });
  await connection.run(sql`create or replace temp table ${table.ident} (${sql.join(definitions, ', ')})`);
}

type AppendValues<T extends StagingType> = T extends 'varchar' ? Extract<AppendColumn, { type: 'varchar' }>['values'] : T extends 'integer' | 'double' ? Extract<AppendColumn, { type: 'integer' | 'double' }>['values'] : T extends 'bigint' ? Extract<AppendColumn, { type: 'bigint' }>['values'] : never;

/** Appends columns of values to a staging table: one entry per declared column, typed by it. */
export async function appendStaging<C extends Columns>(connection: Connection, table: StagingTable<C>, values: { [K in keyof C]: AppendValues<C[K]> }): Promise<void> {
  const columns = Object.entries(table.columns).map(([column, type]) => ({ type, values: values[column] }) as AppendColumn);
  await connection.appendColumns({ catalog: 'temp', schema: 'main', table: table.name }, columns);
}

/** `drop table if exists` of each table, as one script. */
export function dropStagingTables(...tables: StagingTable<Columns>[]): string {
  return tables.map((table) => `drop table if exists ${table.text}`).join('; ');
}

/**
 * The group's batch ids, to find their earlier outcomes in the ledger with one join (a statement
 * binding hundreds of values costs more to plan than the landing's work on small files).
 */
export const batchIds = stagingTable('batch_ids', { batch_id: 'varchar' });

/** Each batch of the group by its index `__batch`, with what its rows and ledger row need. */
export const batchMap = stagingTable('batch_map', {
  __batch: 'integer',
  batch_id: 'varchar',
  captured_at: 'timestamptz',
  source: 'varchar',
  entity: 'varchar',
  file: 'varchar',
  mode: 'varchar',
  content_sha256: 'varchar',
  file_size_bytes: 'bigint',
  file_mtime_ms: 'double',
});

/** `batchMap` as the appender fills it: the capture time as ISO text and the size as a double, cast once into `batchMap`. */
export const batchMapInput = stagingTable('batch_map_input', { ...batchMap.columns, captured_at: 'varchar', file_size_bytes: 'double' });

/** The current size and modification time of files found again with content the ledger already holds. */
export const batchStamps = stagingTable('batch_stamps', { batch_id: 'varchar', file: 'varchar', file_size_bytes: 'double', file_mtime_ms: 'double' });

/**
 * The rows a stage read, of an open shape: `__batch` (the index of the row's batch in the group;
 * a stage of one batch may leave it out), `__row` (the record number in reading order, increasing
 * within each batch; 1-based for one batch), every canonical column present as text (an API stage
 * may stage whole-number columns as integers), any extra columns the input carries (kept in `raw`),
 * and optionally `__raw` (the vendor's row as JSON, for connectors that map vendor columns).
 */
export const batchInput = stagingTable('batch_input', { __batch: 'integer', __row: 'bigint', __raw: 'varchar' });

/** A vendor export as read, of an open shape: `__batch`, `__row` and the vendor's header as text; mapped into `batchInput`. */
export const batchVendor = stagingTable('batch_vendor', { __batch: 'integer', __row: 'bigint' });

/** Lines the reader itself refused (field count, quoting, line size), with DuckDB's reason; exists, empty, when a stage starts. */
export const batchReadRejects = stagingTable('batch_read_rejects', { __batch: 'integer', line: 'bigint', column: 'varchar', reason: 'varchar', raw_line: 'varchar' }, { __batch: 0 });

/** The files of one read by their index, to turn the reader's file paths into batch indexes. */
export const batchFiles = stagingTable('batch_files', { __batch: 'integer', __file: 'varchar' });

/** DuckDB's own rejects tables of a CSV read (`store_rejects`): their columns are DuckDB's. */
export const batchRejectErrors = stagingTable('batch_reject_errors', { scan_id: 'bigint', file_id: 'bigint', line: 'bigint', column_name: 'varchar', error_type: 'varchar', error_message: 'varchar', csv_line: 'varchar' });
export const batchRejectScans = stagingTable('batch_reject_scans', { scan_id: 'bigint', file_id: 'bigint', file_path: 'varchar' });

/** Corrections to the reader's line numbers past lines it dropped unseen (`line` null: a dropped line to add, with its size and head). */
export const batchLineFixes = stagingTable('batch_line_fixes', { line: 'bigint', physical: 'bigint', bytes: 'bigint', head: 'varchar' });

/**
 * Every input row cast and checked, of an open shape: `__batch`, `__row`, every canonical column
 * cast to its type, `raw`, and the first failed check's column and reason (null when it lands).
 */
export const batchChecked = stagingTable('batch_checked', { __batch: 'integer', __row: 'bigint', raw: 'json', __column: 'varchar', __reason: 'varchar' });

/** The physical line and original text of quarantined rows a stage could locate in its file. */
export const batchLines = stagingTable('batch_lines', { __batch: 'integer', __row: 'bigint', line: 'bigint', text: 'varchar' });

/** Each landed batch's counts and status by index, for the ledger rows. */
export const batchOutcomes = stagingTable('batch_outcomes', { __batch: 'integer', rows: 'double', rejected: 'double', status: 'varchar', error: 'varchar' });
