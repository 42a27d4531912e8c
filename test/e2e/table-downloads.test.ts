import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { neutraliseFormula } from '../../core/csv-writer.ts';
import { sql } from '../../db/database.ts';
import { dashboardSuite } from '../helpers/dashboard-suite.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openTestDb } from '../helpers/test-db.ts';

const { withTab } = dashboardSuite('downloads');
const tempDir = useTempDir('stocklens-downloaded-');

/** A cell as the table holds it, made JSON-safe in the page: a date carries its instant. */
type Cell = string | number | boolean | null | { instant: number };

interface TableContent {
  name: string;
  /** The keys of the columns the table shows. */
  keys: string[];
  rows: Record<string, Cell>[];
}

async function tableContent(table: Locator): Promise<TableContent> {
  return table.evaluate((element) => {
    const holder = element as unknown as { columns: { key: string }[]; rows: Record<string, unknown>[] };
    const cell = (value: unknown) => (value instanceof Date ? { instant: value.getTime() } : typeof value === 'bigint' ? Number(value) : value === undefined ? null : value);
    return {
      name: element.getAttribute('data-table') ?? '',
      keys: holder.columns.map((column) => column.key),
      rows: holder.rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, cell(value)]))) as Record<string, never>[],
    };
  });
}

/** Clicks the table's CSV link or button and reads the file it downloads with DuckDB's CSV reader, every cell as text. */
async function downloadedRows(page: Page, table: Locator, name: string): Promise<{ header: string[]; rows: Record<string, string | null>[] }> {
  const [download] = await Promise.all([page.waitForEvent('download'), table.locator('[data-download="csv"]').click()]);
  const dir = tempDir();
  const file = path.join(dir, `${name}.csv`);
  await download.saveAs(file);
  const db = await openTestDb(path.join(dir, 'read.duckdb'));
  const header = (await db.rows<{ column_name: string }>(sql`describe select * from read_csv(${file}, header = true, all_varchar = true, quote = '"', escape = '"')`)).map((r) => r.column_name);
  const rows = await db.rows<Record<string, string | null>>(sql`select * from read_csv(${file}, header = true, all_varchar = true, quote = '"', escape = '"')`);
  return { header, rows };
}

/** A timestamp as DuckDB writes it (`2026-12-05 03:00:00+00`) or as the browser does (ISO). */
const instantOf = (text: string) => Date.parse(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));

/** One row's shown cells as comparable text: numbers by value, dates by instant, text as the CSV writer defuses it. */
function tableKey(row: Record<string, Cell>, keys: string[]): string {
  return JSON.stringify(
    keys.map((key) => {
      const value = row[key];
      if (value === null || value === '') return '';
      if (typeof value === 'object') return `@${value.instant}`;
      if (typeof value === 'number') return `#${value}`;
      return neutraliseFormula(String(value));
    }),
  );
}

function csvKey(row: Record<string, string | null>, keys: string[], sample: Record<string, Cell> | undefined): string {
  return JSON.stringify(
    keys.map((key) => {
      const text = row[key];
      if (text === null || text === '') return '';
      const like = sample?.[key];
      if (like !== null && typeof like === 'object') return `@${instantOf(text)}`;
      if (typeof like === 'number') return `#${Number(text)}`;
      return text;
    }),
  );
}

/** The downloaded file holds the table's rows: as many, with every shown column, cell for cell (in any order). */
async function expectDownloadHoldsTable(page: Page, table: Locator): Promise<TableContent> {
  const content = await tableContent(table);
  const csv = await downloadedRows(page, table, content.name);
  expect(content.rows.length, `${content.name}: rows in the table`).toBeGreaterThan(0);
  expect(csv.header, `${content.name}: the CSV's columns`).toEqual(expect.arrayContaining(content.keys));
  expect(csv.rows.length, `${content.name}: rows in the CSV`).toBe(content.rows.length);
  // A column's type is read off a row that has a value in it.
  const typed = (key: string) => content.rows.find((row) => row[key] !== null && row[key] !== '');
  const sample = Object.fromEntries(content.keys.map((key) => [key, typed(key)?.[key] ?? null]));
  const shown = content.rows.map((row) => tableKey(row, content.keys)).sort();
  const written = csv.rows.map((row) => csvKey(row, content.keys, sample)).sort();
  expect(written, content.name).toEqual(shown);
  return content;
}

describe('tables download the rows they show as CSV', () => {
  it('on Sync priority: the flagged SKUs, and every SKU once the filter is off', () =>
    withTab(async ({ page, open, drawn }) => {
      await open('sync', 'sl-sync-priority-page');
      const table = page.locator('sl-sync-priority-page sl-data-table[data-table="sync-priority"]');
      const flagged = await expectDownloadHoldsTable(page, table);
      expect(flagged.rows.every((row) => row.needs_faster_sync === true)).toBe(true);
      await page.locator('sl-sync-priority-page .toggle input').uncheck();
      await drawn('sl-sync-priority-page');
      await expect.poll(async () => (await tableContent(table)).rows.length).toBeGreaterThan(flagged.rows.length);
      const all = await expectDownloadHoldsTable(page, table);
      expect(all.rows.some((row) => row.needs_faster_sync === false)).toBe(true);
    }));

  it('on Data health: every table, those the page works out itself (ages as of now, the latest run) too', () =>
    withTab(async ({ page, open }) => {
      await open('data-health', 'sl-data-health-page');
      const tables = page.locator('sl-data-health-page sl-data-table');
      const names: string[] = [];
      for (let index = 0; index < (await tables.count()); index += 1) {
        names.push((await expectDownloadHoldsTable(page, tables.nth(index))).name);
      }
      // The demo has held ERP batches, a build with its tests and ingest runs; files that never landed and quarantined rows only sometimes.
      expect(names).toEqual(expect.arrayContaining(['freshness', 'held', 'setup-checks', 'ingest-runs', 'model-runs', 'model-tests']));
    }));
});
