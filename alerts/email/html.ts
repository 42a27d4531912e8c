import type { JsonValue } from '../../db/database.ts';
import type { AlertTable } from '../alert.ts';

export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

/** An instant as people read it in the config's time zone: `2026-11-23 07:30 UTC`. */
export function formatInstant(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

/**
 * A table as people read it: columns empty in every row dropped, fractions rounded to two places,
 * instants in the config's time zone. The CSV attachment keeps the exact values.
 */
export function displayTable(table: AlertTable, timeZone: string): AlertTable {
  const keep = table.columns.map((_, index) => table.rows.some((row) => row[index] !== null && row[index] !== undefined && row[index] !== ''));
  const cell = (value: unknown): JsonValue => {
    if (typeof value === 'number' && !Number.isInteger(value)) return Math.round(value * 100) / 100;
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return formatInstant(value, timeZone);
    return value as JsonValue;
  };
  return {
    columns: table.columns.filter((_, index) => keep[index]),
    rows: table.rows.map((row) => row.filter((_, index) => keep[index]).map(cell)),
  };
}

const headStyle = 'padding:4px 8px;border-bottom:1px solid #e3e7ee;font-size:13px;white-space:nowrap';
/** Figures and names stay on one line; a sentence (evidence, an action) wraps in a readable column. */
const cellStyle = (value: unknown) => (typeof value === 'string' && value.length > 40 ? 'padding:4px 8px;border-bottom:1px solid #e3e7ee;font-size:13px;min-width:180px;max-width:320px' : headStyle);

/** A table with inline styles: mail clients drop <style> blocks more often than they keep them. */
export function htmlTable(table: AlertTable): string {
  const head = table.columns.map((column) => `<th style="${headStyle};text-align:left;background:#f3f5f9">${escapeHtml(column)}</th>`).join('');
  const body = table.rows
    .map((row) => `<tr>${row.map((value) => `<td style="${cellStyle(value)};text-align:${typeof value === 'number' ? 'right' : 'left'}">${escapeHtml(value)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table style="border-collapse:collapse;margin:8px 0" role="table">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** The same table as aligned plain text, for the text/plain part. */
export function textTable(table: AlertTable): string {
  const cells = [table.columns, ...table.rows].map((row) => row.map((value) => (value === null || value === undefined ? '' : String(value))));
  const widths = table.columns.map((_, index) => Math.max(...cells.map((row) => row[index].length)));
  return cells.map((row) => row.map((value, index) => value.padEnd(widths[index])).join('  ').trimEnd()).join('\n');
}
