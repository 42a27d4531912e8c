import { utimesSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openSetup, writeFiles } from './helpers/ingest-setup.ts';
import { availableOnlyExport, currentExport, olderExport } from './upstream/shopify-csv-exports.ts';

const tempDir = useTempDir();
let db: Database | undefined;
afterEach(() => db?.closeSync());

/** Shopify emails the export as inventory_export_1.csv: the source keeps that name. */
async function land(files: Record<string, string>, pattern = 'inventory_export_*.csv') {
  const dir = tempDir();
  const folder = writeFiles(dir, 'inbox/shopify', files);
  for (const name of Object.keys(files)) utimesSync(path.join(folder, name), new Date('2026-11-02T08:00:00Z'), new Date('2026-11-02T08:00:00Z'));
  const setup = await openSetup(
    dir,
    `sources:
  - { name: shopify, system: ecommerce, connector: shopify-csv, quiet_period: 0s, path: ./inbox/shopify, pattern: "${pattern}" }
locations:
  - { id: WH-EAST, name: East DC }
  - { id: WH-WEST, name: West DC }
channels:
  - { name: web, kind: web, source: shopify, locations: [WH-EAST, WH-WEST] }
`,
  );
  db = setup.db;
  const [summary] = await runIngest(setup.config, db);
  return { db, summary };
}

const stock = (database: Database) =>
  database.rows('select location_id, sku, on_hand, committed, damaged, incoming, available_reported, captured_at from raw.stock_snapshot order by sku');

describe('Shopify inventory CSV exports', () => {
  it("lands today's 19-column export under Shopify's own file name, captured at the file's modification time", async () => {
    const { db, summary } = await land({ 'inventory_export_1.csv': currentExport });
    expect(summary).toMatchObject({ status: 'succeeded', batches: 1, rows: 3, rejected: 0 });
    // On hand (current) is the reading; On hand (new) is an edit for a re-import, kept in raw only.
    expect(await stock(db)).toEqual([
      { location_id: 'WH-WEST', sku: 'MUG-01', on_hand: 7, committed: 0, damaged: 1, incoming: 12, available_reported: 6, captured_at: '2026-11-02T08:00:00.000Z' },
      { location_id: 'WH-EAST', sku: 'TEE-M-BLK', on_hand: 0, committed: 1, damaged: 0, incoming: 0, available_reported: -1, captured_at: '2026-11-02T08:00:00.000Z' },
      { location_id: 'WH-EAST', sku: 'TEE-S-BLK', on_hand: 15, committed: 3, damaged: 2, incoming: 5, available_reported: 10, captured_at: '2026-11-02T08:00:00.000Z' },
    ]);
    expect(await db.one(`select raw->>'Bin name' as bin, raw->>'On hand (new)' as edited from raw.stock_snapshot where sku = 'TEE-M-BLK'`)).toEqual({ bin: null, edited: '4' });
  });

  it('lands the older 17-column export the same way', async () => {
    const { db, summary } = await land({ 'inventory_export_1.csv': olderExport });
    expect(summary).toMatchObject({ status: 'succeeded', rows: 2, rejected: 0 });
    expect((await stock(db)).map((row) => [row.sku, row.on_hand, row.damaged, row.available_reported])).toEqual([
      ['MUG-01', 7, 1, 6],
      ['TEE-S-BLK', 15, 2, 10],
    ]);
  });

  it('refuses an export it does not know and names the header it found and the ones it reads', async () => {
    const { db, summary } = await land({ 'inventory_export_2.csv': availableOnlyExport });
    expect(summary).toMatchObject({ batches: 1, rows: 0, failedBatches: 1 });
    expect(await db.one('select status, error from ingest.batches')).toEqual({
      status: 'rejected',
      error:
        'not a Shopify inventory export this version reads: its header is "Handle, Title, Option1 Name, Option1 Value, Option2 Name, Option2 Value, Option3 Name, Option3 Value, SKU, HS Code, COO, Location, Available"; ' +
        'known headers are "SKU, …, Location, Bin name, Incoming (not editable), Unavailable (not editable), Committed (not editable), Available (not editable), On hand (current), On hand (new)" (current) ' +
        'or "SKU, …, Location, Incoming, Unavailable, Committed, Available, On hand" (older). Export again from Products > Inventory > Export with "All quantity types"',
    });
  });

  it('leaves files that do not match the pattern alone', async () => {
    const { summary } = await land({ 'inventory_export_1.csv': olderExport, 'products_export_1.csv': 'Handle,Title\n' });
    expect(summary).toMatchObject({ batches: 1, rows: 2 });
  });
});
