import { IngestError } from '../../core/errors.ts';
import { sql, type Connection, type SQLQuery } from '../../db/database.ts';
import type { StagedInput } from '../batch-contract.ts';
import { batchInput, batchVendor } from '../staging-tables.ts';
import type { FileInspection, LongLine } from './inspect-file.ts';
import { headerOf, readDelimited, type DelimitedFormat } from './read-delimited.ts';

export interface VendorMapping {
  /** Vendor columns a file must have, or it is rejected whole. */
  required: string[];
  /** Canonical column → SQL over the vendor row `v`, given the vendor columns present. */
  columns: (present: ReadonlySet<string>) => Record<string, SQLQuery>;
  /** Vendor rows that carry no reading (Shopify's `not stocked`). */
  skip?: (present: ReadonlySet<string>) => SQLQuery | undefined;
  /**
   * A report that splits one reading over several rows (Amazon's per-condition rows): rows with
   * the same `by` columns become one, whose `columns` are the sums of theirs. A sum over a blank
   * cell is blank, and over a cell that is not a plain number keeps the parts (`3 + lots`), so the
   * landing quarantines it as it would the cell. The row keeps the first vendor row's number and
   * all of their raw rows.
   */
  sum?: { by: string[]; columns: string[] };
}

/**
 * Reads vendor exports sharing one header (one or many files, see `readDelimited`) with DuckDB into `batch_vendor`, then maps it onto canonical text columns
 * in `batch_input`, keeping the vendor's own row as `__raw`: the landing then validates and casts
 * it like any other file, and a quarantined row points at the vendor file's line.
 */
export async function stageVendorFile(
  connection: Connection,
  files: readonly string[],
  inspection: FileInspection,
  format: DelimitedFormat,
  mapping: VendorMapping,
  longLines?: (file: string) => readonly LongLine[],
): Promise<StagedInput> {
  const header = headerOf(inspection, format);
  const present = new Set(header);
  const missing = mapping.required.filter((name) => !present.has(name));
  if (missing.length > 0) {
    throw new IngestError(`missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the export needs ${mapping.required.join(', ')})`);
  }
  const staged = await readDelimited(connection, files, header, format, batchVendor, longLines);
  const mapped = Object.entries(mapping.columns(present)).map(([name, value]) => sql`${value} as ${sql.ident(name)}`);
  const vendorRow = sql`to_json(struct_pack(${sql.join(header.map((name) => sql`${sql.ident(name)} := ${sql.ident('v', name)}`), ', ')}))::varchar`;
  const skip = mapping.skip?.(present);
  const v = batchVendor.as('v');
  const rows = sql`select ${v.__batch}, ${v.__row}, ${sql.join(mapped, ', ')}, ${vendorRow} as __raw from ${v.from} ${skip ? sql`where not (${skip})` : sql``}`;
  await connection.run(sql`create or replace temp table ${batchInput.ident} as ${mapping.sum ? summed(rows, Object.keys(mapping.columns(present)), mapping.sum) : rows}`);
  await connection.run(sql`drop table ${batchVendor.ident}`);
  return staged;
}

function summed(rows: SQLQuery, columns: string[], sum: { by: string[]; columns: string[] }): SQLQuery {
  const cells = columns.map((name) => {
    const cell = sql.ident(name);
    if (sum.by.includes(name)) return cell;
    if (!sum.columns.includes(name)) return sql`any_value(${cell}) as ${cell}`;
    return sql`case when bool_or(nullif(trim(${cell}), '') is null) then null
      when bool_and(regexp_full_match(trim(${cell}), '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)')) then sum(trim(${cell})::decimal(38, 4))::varchar
      else string_agg(${cell}, ' + ' order by __row) end as ${cell}`;
  });
  return sql`select __batch, min(__row) as __row, ${sql.join(cells, ', ')}, to_json(list(__raw::json order by __row))::varchar as __raw
    from (${rows}) group by __batch, ${sql.join(sum.by.map((name) => sql.ident(name)), ', ')}`;
}

/** `case` over vendor location names: the source's location_map first, then config location names. */
export function locationCase(value: SQLQuery, names: ReadonlyMap<string, string>): SQLQuery {
  if (names.size === 0) return value;
  return sql`case ${value} ${sql.join([...names].map(([name, id]) => sql`when ${name} then ${id}`), sql` `)} else ${value} end`;
}
