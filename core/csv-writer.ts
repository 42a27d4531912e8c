/**
 * The one CSV writer of Stocklens: API downloads, analyst exports, alert email attachments, the
 * CLI and the simulator's files all write CSV through it. RFC 4180 quoting (a cell with a comma,
 * quote or line break is quoted, quotes doubled). Unless told otherwise (the simulator writes
 * vendor files as vendors would), a text cell that a spreadsheet would run as a formula (starting
 * with = + - @, a tab or a carriage return) gets a leading apostrophe (OWASP "CSV injection"):
 * a SKU `=HYPERLINK(...)` reaches Excel as text. Numbers are data, not formulas: a JS number, or
 * any value of a numeric column, is written as it is, so `-5` stays a number.
 */

export interface CsvOptions {
  /** Prefix formula-looking text cells with `'` (default true). */
  neutralise?: boolean;
  /** `\n` (default) or `\r\n` (email attachments, as RFC 4180 writes it). */
  lineEnding?: '\n' | '\r\n';
}

const formulaStart = /^[=+\-@\t\r]/;
const needsQuotes = /[",\r\n]/;
const numericType = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/i;

export function neutraliseFormula(text: string): string {
  return formulaStart.test(text) ? `'${text}` : text;
}

/** One cell: null and undefined are empty, objects their JSON, numbers and bigints as written. */
export function csvCell(value: unknown, options: CsvOptions = {}, numeric = false): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint' || (numeric && typeof value !== 'object')) return String(value);
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  const safe = options.neutralise === false ? text : neutraliseFormula(text);
  return needsQuotes.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One line of cells, with its line ending. */
export function csvLine(values: readonly unknown[], options: CsvOptions = {}): string {
  return `${values.map((value) => csvCell(value, options)).join(',')}${options.lineEnding ?? '\n'}`;
}

/** A whole table: the header, then each row. */
export function toCsv(columns: readonly string[], rows: readonly (readonly unknown[])[], options: CsvOptions = {}): string {
  return [columns, ...rows].map((row) => csvLine(row, options)).join('');
}

/** A result read by columns (one array per column), as the database returns it in chunks. */
export interface ColumnChunk {
  rowCount: number;
  columns: readonly (readonly unknown[])[];
}

/** CSV written chunk by chunk from columns with their DuckDB types (numeric columns are never neutralised). */
export class CsvWriter {
  private readonly numeric: boolean[];

  constructor(
    private readonly names: readonly string[],
    types: readonly string[],
    private readonly options: CsvOptions = {},
  ) {
    this.numeric = types.map((type) => numericType.test(type));
  }

  header(): string {
    return csvLine(this.names, this.options);
  }

  rows(chunk: ColumnChunk): string {
    const end = this.options.lineEnding ?? '\n';
    let text = '';
    for (let row = 0; row < chunk.rowCount; row += 1) {
      text += `${chunk.columns.map((column, index) => csvCell(column[row], this.options, this.numeric[index])).join(',')}${end}`;
    }
    return text;
  }
}
