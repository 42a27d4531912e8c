import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openSetup, writeFiles } from './helpers/ingest-setup.ts';
import { fbaReport, shopifyExport, vendorConfig } from './helpers/vendor-fixtures.ts';

const tempDir = useTempDir();
let db: Database | undefined;
afterEach(() => db?.closeSync());

describe('vendor exports', () => {
  it('maps a Shopify inventory export onto salable stock rows of the channel', async () => {
    const dir = tempDir();
    writeFiles(dir, 'inbox/shopify', { 'inventory_export_20261101T060000Z_full.csv': shopifyExport });
    writeFiles(dir, 'inbox/amazon-fba', {});
    const setup = await openSetup(dir, vendorConfig);
    db = setup.db;
    const [summary] = await runIngest(setup.config, db, { sources: ['shopify'] });
    expect(summary).toMatchObject({ status: 'succeeded', batches: 1, rows: 2, rejected: 1 });
    expect(
      await db.rows('select location_id, sku, on_hand, committed, damaged, incoming, available_reported, quantity_semantics, channel, captured_at from raw.stock_snapshot order by sku'),
    ).toEqual([
      { location_id: 'WH-WEST', sku: 'TEE-M', on_hand: 0, committed: 1, damaged: 0, incoming: 0, available_reported: -1, quantity_semantics: 'salable', channel: 'web', captured_at: '2026-11-01T06:00:00.000Z' },
      { location_id: 'WH-EAST', sku: 'TEE-S', on_hand: 15, committed: 3, damaged: 2, incoming: 5, available_reported: 10, quantity_semantics: 'salable', channel: 'web', captured_at: '2026-11-01T06:00:00.000Z' },
    ]);
    expect(await db.rows('select line, reason, raw_line from ingest.quarantine')).toEqual([{ line: 5, reason: 'unknown location "Moon Base": add it to `locations:` in the config, or map it in the source\'s `location_map`', raw_line: 'mug,Mug,,MUG,Moon Base,0,0,0,4,4' }]);
    expect(await db.one("select raw->>'Title' as title from raw.stock_snapshot where sku = 'TEE-S'")).toEqual({ title: 'Tee, organic' });
  });

  it('maps an FBA inventory report onto physical stock at the FBA centre', async () => {
    const dir = tempDir();
    writeFiles(dir, 'inbox/amazon-fba', { 'fba_inventory_20261101T070000Z.tsv': fbaReport });
    const setup = await openSetup(dir, vendorConfig);
    db = setup.db;
    const [summary] = await runIngest(setup.config, db, { sources: ['amazon-fba'] });
    expect(summary).toMatchObject({ status: 'succeeded', batches: 1, rows: 1, rejected: 1 });
    expect(await db.rows('select location_id, sku, on_hand, available_reported, damaged, committed, incoming, quantity_semantics, channel from raw.stock_snapshot')).toEqual([
      { location_id: 'FBA-US', sku: 'TEE-S', on_hand: 20, available_reported: 15, damaged: 3, committed: 2, incoming: 5, quantity_semantics: 'physical', channel: 'amazon-fba' },
    ]);
    expect(await db.rows('select line, "column", reason from ingest.quarantine')).toEqual([{ line: 3, column: 'on_hand', reason: 'on_hand: "lots" is not a number' }]);
  });

  it('rejects an FBA report without afn-warehouse-quantity and names the column', async () => {
    const dir = tempDir();
    writeFiles(dir, 'inbox/amazon-fba', { 'fba_inventory_20261101T070000Z.tsv': 'sku\tafn-fulfillable-quantity\nTEE-S\t4\n' });
    const setup = await openSetup(dir, vendorConfig);
    db = setup.db;
    await runIngest(setup.config, db, { sources: ['amazon-fba'] });
    expect(await db.one('select status, error from ingest.batches')).toEqual({
      status: 'rejected',
      error: 'missing required column afn-warehouse-quantity (the export needs sku, afn-warehouse-quantity)',
    });
  });
});
