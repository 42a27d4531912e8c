import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { buildModels } from '../../models/runner/build.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { runModelTests } from './model-tests.ts';
import { skuOrder } from './sku-order.ts';

/**
 * A small hand-made world with one SKU per probable cause, landed through csv-drop:
 * the WMS is the truth at WH-A, "shop" publishes the web channel there, the ERP mirrors on_hand.
 * Every figure below can be checked by hand against docs/metrics.md.
 */
const config = `
compare_every: 1h
sources:
  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./wms, max_staleness: 2h }
  - { name: shop, system: ecommerce, connector: csv-drop, quiet_period: 0s, path: ./shop, max_staleness: 90m }
  - { name: erp, system: erp, connector: csv-drop, quiet_period: 0s, path: ./erp, max_staleness: 8h }
locations:
  - { id: WH-A, name: Warehouse A, truth_source: wms }
channels:
  - { name: web, kind: web, source: shop, locations: [WH-A], share: 1 }
`;

const wmsHeader = 'location_id,sku,on_hand,committed,quality_control,in_transit';
const shopHeader = 'location_id,sku,on_hand,available_reported,quantity_semantics';
/** [file, rows]: the WMS's truth per hour. S-GONE leaves the 03:00 full snapshot: it is 0 from then on. */
const wms: [string, string[]][] = [
  ['stock_20260105T000000Z_full.csv', ['WH-A,S-ADJ,10,0,0,0', 'WH-A,S-TRF,10,0,0,0', 'WH-A,S-QC,10,0,0,0', 'WH-A,S-RES,10,0,0,0', 'WH-A,S-DBL,10,0,0,0', 'WH-A,S-LAG,10,0,0,0', 'WH-A,S-OK,10,0,0,0', 'WH-A,S-GONE,5,0,0,0']],
  // 00:30 a cycle count takes 2 units of S-ADJ; S-TRF ships 3 on a transfer; 2 units of S-QC come
  // back into QC; S-RES ships 1 and takes 2 new orders; S-DBL takes 3 orders; S-LAG sells 2.
  ['stock_20260105T010000Z_delta.csv', ['WH-A,S-ADJ,8,0,0,0', 'WH-A,S-TRF,7,0,0,3', 'WH-A,S-QC,12,0,2,0', 'WH-A,S-RES,9,2,0,0', 'WH-A,S-DBL,10,3,0,0', 'WH-A,S-LAG,8,0,0,0']],
  ['stock_20260105T020000Z_delta.csv', ['WH-A,S-LAG,6,0,0,0']],
  ['stock_20260105T030000Z_full.csv', ['WH-A,S-ADJ,8,0,0,0', 'WH-A,S-TRF,7,0,0,3', 'WH-A,S-QC,12,0,2,0', 'WH-A,S-RES,9,2,0,0', 'WH-A,S-DBL,10,3,0,0', 'WH-A,S-LAG,6,0,0,0', 'WH-A,S-OK,10,0,0,0']],
  ['stock_20260105T040000Z_delta.csv', []],
  ['stock_20260105T050000Z_delta.csv', []],
  ['stock_20260105T060000Z_delta.csv', []],
];
/** The storefront: each SKU shows the figure its cause predicts; after 02:00 it goes silent until 06:00. */
const shop: [string, string[]][] = [
  ['stock_20260105T000000Z_full.csv', ['WH-A,S-ADJ,10,10,salable', 'WH-A,S-TRF,10,10,salable', 'WH-A,S-QC,10,10,salable', 'WH-A,S-RES,10,10,salable', 'WH-A,S-DBL,10,10,salable', 'WH-A,S-LAG,10,10,salable', 'WH-A,S-OK,10,10,salable', 'WH-A,S-GONE,5,5,salable']],
  ['stock_20260105T010000Z_delta.csv', ['WH-A,S-QC,12,12,salable', 'WH-A,S-RES,9,9,salable', 'WH-A,S-DBL,10,4,salable']],
  ['stock_20260105T020000Z_delta.csv', ['WH-A,S-LAG,8,8,salable']],
  ['stock_20260105T060000Z_full.csv', ['WH-A,S-ADJ,8,8,salable', 'WH-A,S-TRF,7,7,salable', 'WH-A,S-QC,12,10,salable', 'WH-A,S-RES,9,7,salable', 'WH-A,S-DBL,10,7,salable', 'WH-A,S-LAG,6,6,salable', 'WH-A,S-OK,10,10,salable']],
];
/** The ERP syncs at 00:00 and 02:00; at 02:00 it missed S-ADJ's cycle count. */
const erp: [string, string[]][] = [
  ['stock_20260105T000000Z_full.csv', ['WH-A,S-ADJ,10', 'WH-A,S-TRF,10', 'WH-A,S-QC,10', 'WH-A,S-RES,10', 'WH-A,S-DBL,10', 'WH-A,S-LAG,10', 'WH-A,S-OK,10', 'WH-A,S-GONE,5']],
  ['stock_20260105T020000Z_full.csv', ['WH-A,S-ADJ,10', 'WH-A,S-TRF,7', 'WH-A,S-QC,12', 'WH-A,S-RES,9', 'WH-A,S-DBL,10', 'WH-A,S-LAG,6', 'WH-A,S-OK,10', 'WH-A,S-GONE,5']],
];

const tempDir = useTempDir();
let db: Database;

function write(dir: string, folder: string, header: string, files: [string, string[]][]): void {
  mkdirSync(path.join(dir, folder), { recursive: true });
  for (const [name, rows] of files) writeFileSync(path.join(dir, folder, name), [header, ...rows].join('\n') + '\n');
}

let parsed: Config;

describe('mismatch and its probable cause on a hand-made world', () => {
  beforeAll(async () => {
    const dir = tempDir();
    write(dir, 'wms', wmsHeader, wms);
    write(dir, 'shop', shopHeader, shop);
    write(dir, 'erp', 'location_id,sku,on_hand', erp);
    write(dir, 'wms', 'event_id,occurred_at,location_id,sku,delta,reason', [['events_20260105T010000Z.csv', ['E1,2026-01-05T00:30:00Z,WH-A,S-ADJ,-2,cycle_count', 'E2,2026-01-05T00:40:00Z,WH-A,S-TRF,-3,transfer_out']]]);
    parsed = parseConfig(config, path.join(dir, 'stocklens.config.yaml'));
    db = await Database.open(parsed.databaseFile);
    await runIngest(parsed, db);
    const summary = await buildModels(parsed, db);
    expect(summary.results.filter((result) => result.status !== 'success')).toEqual([]);
  });

  it('stores fct_mismatch in SKU order, so a SKU drill-down reads it through the zonemaps', async () => {
    const counted = await skuOrder(db, 'marts.fct_mismatch');
    expect(counted.rows).toBeGreaterThan(6);
    expect(counted.outOfOrder).toBe(0);
  });

  it('stores int_compare_segments with its open segments last and the mismatched ones after the others, where builds read them through the zonemaps', async () => {
    const counted = await skuOrder(db, 'intermediate.int_compare_segments', '(segment_to is null)::int * 2 + is_mismatch::int');
    const open = await db.one<{ open: number; closed: number; mismatched: number }>(
      'select count(*) filter (where segment_to is null) as open, count(*) filter (where segment_to is not null) as closed, count(*) filter (where is_mismatch) as mismatched from intermediate.int_compare_segments',
    );
    expect(Number(open!.open)).toBeGreaterThan(0);
    expect(Number(open!.closed)).toBeGreaterThan(0);
    expect(Number(open!.mismatched)).toBeGreaterThan(0);
    expect(counted.regionsOutOfOrder).toBe(0);
  });

  it('names the cause the data shows for each SKU at the first mismatched bucket', async () => {
    const rows = await db.rows(`
      select source, sku, truth_units, system_units, diff_units, direction, probable_cause
      from marts.fct_mismatch where bucket_at = '2026-01-05T01:00:00Z' order by source, sku`);
    expect(rows).toEqual([
      { source: 'shop', sku: 'S-ADJ', truth_units: 8, system_units: 10, diff_units: 2, direction: 'over', probable_cause: 'unsynced_adjustment' },
      { source: 'shop', sku: 'S-DBL', truth_units: 7, system_units: 4, diff_units: -3, direction: 'under', probable_cause: 'double_deduction' },
      { source: 'shop', sku: 'S-LAG', truth_units: 8, system_units: 10, diff_units: 2, direction: 'over', probable_cause: 'sync_lag' },
      { source: 'shop', sku: 'S-QC', truth_units: 10, system_units: 12, diff_units: 2, direction: 'over', probable_cause: 'return_before_qc' },
      { source: 'shop', sku: 'S-RES', truth_units: 7, system_units: 9, diff_units: 2, direction: 'over', probable_cause: 'reservation_ignored' },
      { source: 'shop', sku: 'S-TRF', truth_units: 7, system_units: 10, diff_units: 3, direction: 'over', probable_cause: 'transfer_not_reflected' },
    ]);
  });

  it('judges a slow system on what it could know at its last batch and names the adjustment it missed', async () => {
    // The ERP's 00:00 figures stand until 02:00 without a mismatch: being behind is staleness.
    const rows = await db.rows(`select bucket_at, sku, diff_units, probable_cause from marts.fct_mismatch where source = 'erp' order by bucket_at limit 2`);
    expect(rows).toEqual([
      { bucket_at: '2026-01-05T02:00:00.000Z', sku: 'S-ADJ', diff_units: 2, probable_cause: 'unsynced_adjustment' },
      { bucket_at: '2026-01-05T03:00:00.000Z', sku: 'S-ADJ', diff_units: 2, probable_cause: 'unsynced_adjustment' },
    ]);
  });

  it('reports a silent source as a freshness exception instead of mismatches while it is stale', async () => {
    const freshness = await db.rows(`select bucket_at, staleness_minutes, is_stale from marts.fct_source_freshness where source = 'shop' order by bucket_at`);
    expect(freshness.map((row) => [row.bucket_at, row.is_stale])).toEqual([
      ['2026-01-05T00:00:00.000Z', false],
      ['2026-01-05T01:00:00.000Z', false],
      ['2026-01-05T02:00:00.000Z', false],
      ['2026-01-05T03:00:00.000Z', false],
      ['2026-01-05T04:00:00.000Z', true],
      ['2026-01-05T05:00:00.000Z', true],
      ['2026-01-05T06:00:00.000Z', false],
    ]);
    expect(await db.rows(`select count(*)::int as n from marts.fct_mismatch where source = 'shop' and bucket_at in ('2026-01-05T04:00:00Z', '2026-01-05T05:00:00Z')`)).toEqual([{ n: 0 }]);
    // Compared comparisons skip the stale buckets too: 8 SKUs x (7 buckets - 2 stale).
    const rate = await db.rows(`select compared, mismatched from marts.agg_mismatch_rate where source = 'shop'`);
    expect(rate).toEqual([{ compared: 8 * 5, mismatched: expect.any(Number) }]);
  });

  it('counts a SKU missing from a full snapshot as 0 from that capture on', async () => {
    const rows = await db.rows(`select bucket_at, on_hand from marts.fct_stock_position where source = 'wms' and sku = 'S-GONE' order by bucket_at`);
    expect(rows.map((row) => row.on_hand)).toEqual([5, 5, 5, 0, 0, 0, 0]);
  });

  it("passes every mart's data tests and the singular tests", async () => {
    expect(await runModelTests(parsed, db)).toEqual([]);
  });
});
