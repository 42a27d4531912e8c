import { CsvWriter } from '../../core/csv-writer.ts';
import type { AlertTable } from '../alert.ts';

/**
 * An alert's rows as the CSV attachment, written by the product's one CSV writer (the exports' and
 * the API's): a header row, text cells that a spreadsheet would run as formulas neutralised, and
 * numbers left numbers. A column is numeric when every value in it is a number.
 */
export function toCsv(table: AlertTable): string {
  const types = table.columns.map((_, index) => (table.rows.every((row) => row[index] === null || typeof row[index] === 'number') ? 'DOUBLE' : 'VARCHAR'));
  const writer = new CsvWriter(table.columns, types);
  const columns = table.columns.map((_, index) => table.rows.map((row) => row[index] ?? null));
  return writer.header() + writer.rows({ columns, rowCount: table.rows.length });
}
