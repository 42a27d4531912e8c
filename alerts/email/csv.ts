import type { AlertTable } from '../alert.ts';

/** RFC 4180 CSV with a header row; cells with a comma, quote or line break are quoted. */
export function toCsv(table: AlertTable): string {
  return `${[table.columns, ...table.rows].map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
