import { tableFromIPC, Type, type Field } from 'apache-arrow';

export type Row = Record<string, unknown>;

/**
 * Decodes an Arrow IPC stream into plain row objects. BIGINT arrives as bigint and timestamps as
 * epoch milliseconds; charts and formatters want numbers and Dates, so both are converted here once.
 */
export function rowsFromArrow(bytes: Uint8Array): { columns: string[]; rows: Row[] } {
  const table = tableFromIPC(bytes);
  const fields = table.schema.fields;
  const columns = fields.map((field) => field.name);
  const converters = fields.map(converterFor);
  const vectors = fields.map((_field, index) => table.getChildAt(index)!);
  const rows: Row[] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: Row = {};
    for (let c = 0; c < columns.length; c++) {
      const value = vectors[c].get(r);
      row[columns[c]] = value === null || value === undefined ? null : converters[c](value);
    }
    rows[r] = row;
  }
  return { columns, rows };
}

function converterFor(field: Field): (value: unknown) => unknown {
  switch (field.typeId) {
    case Type.Int:
      return (value) => (typeof value === 'bigint' ? Number(value) : value);
    case Type.Timestamp:
    case Type.Date:
      return (value) => new Date(value as number);
    case Type.Decimal:
      return (value) => Number(String(value));
    default:
      return (value) => value;
  }
}
