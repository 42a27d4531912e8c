import type { ColumnarResult, JsonValue } from '../../db/database.ts';

const numericType = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/i;

/**
 * A text cell that a spreadsheet would run as a formula (= + - @, or a leading tab or CR) gets a
 * leading apostrophe (OWASP "CSV injection"). Numbers from numeric columns are data, not formulas,
 * and are written as they are, so `-5` stays a number.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function quote(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV with a header row, written chunk by chunk; cells neutralised against formula injection. */
export class CsvEncoder {
  private readonly numeric: boolean[];

  constructor(
    private readonly names: string[],
    types: string[],
    private readonly options: { neutralise: boolean } = { neutralise: true },
  ) {
    this.numeric = types.map((type) => numericType.test(type));
  }

  header(): string {
    return `${this.names.map((name) => quote(this.cell(name))).join(',')}\n`;
  }

  rows(chunk: ColumnarResult): string {
    let text = '';
    for (let row = 0; row < chunk.rowCount; row += 1) {
      text += `${chunk.columns.map((column, index) => this.value(column[row], this.numeric[index])).join(',')}\n`;
    }
    return text;
  }

  private value(value: JsonValue, numeric: boolean): string {
    if (value === null) return '';
    if (numeric) return String(value);
    return quote(this.cell(typeof value === 'object' ? JSON.stringify(value) : String(value)));
  }

  private cell(text: string): string {
    return this.options.neutralise ? neutraliseFormula(text) : text;
  }
}
