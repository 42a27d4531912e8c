import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inline, sql } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openSetup, writeFiles } from './helpers/ingest-setup.ts';
import { fbaReport, shopifyExport, vendorConfig } from './helpers/vendor-fixtures.ts';

const tempDir = useTempDir();

describe('landing the same folders twice', () => {
  it('changes nothing: the same row counts and the same checksum of raw', async () => {
    const dir = tempDir();
    const stock = 'location_id,sku,on_hand\nWH-EAST,A,1\nWH-EAST,B,x\nWH-WEST,A,3\n';
    writeFiles(dir, 'inbox/wms', {
      'stock_20261101T000000Z_full.csv': stock,
      'stock_20261101T010000Z_delta.csv.gz': gzipSync('location_id,sku,on_hand\nWH-EAST,A,2\n'),
      'stock_20261101T020000Z_delta.json': '[{"location_id": "WH-WEST", "sku": "C", "on_hand": 9}]',
      'orders_20261101T010000Z.csv': 'order_id,line_id,placed_at,sku,quantity,status\nO1,1,2026-11-01T00:30:00Z,A,1,open\n',
      'events_20261101T010000Z.csv': 'event_id,occurred_at,location_id,sku,delta,reason\nE1,2026-11-01T00:40:00Z,WH-EAST,A,-1,correction\n',
    });
    writeFiles(dir, 'inbox/shopify', { 'inventory_export_20261101T060000Z_full.csv': shopifyExport });
    writeFiles(dir, 'inbox/amazon-fba', { 'fba_inventory_20261101T070000Z.tsv': fbaReport });
    const setup = await openSetup(dir, vendorConfig.replace('sources:\n', 'sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox/wms }\n'));
    const { config, db } = setup;
    await db.run(inline(sql`copy (select 'WH-EAST' as location_id, 'P' || i as sku, i as on_hand from range(3) t(i)) to ${path.join(dir, 'inbox/wms/stock_20261101T030000Z_delta.parquet')} (format parquet)`));
    try {
      const checksum = () =>
        db.one(`select
          (select count(*) from raw.stock_snapshot) as stock_rows,
          (select count(*) from raw.order_line) as order_rows,
          (select count(*) from raw.inventory_event) as event_rows,
          (select md5(string_agg(t::varchar, '|' order by t::varchar)) from raw.stock_snapshot t) as stock_md5,
          (select md5(string_agg(t::varchar, '|' order by t::varchar)) from raw.order_line t) as order_md5,
          (select md5(string_agg(t::varchar, '|' order by t::varchar)) from raw.inventory_event t) as event_md5,
          (select count(*) from ingest.batches) as batches,
          (select count(*) from ingest.quarantine) as quarantined`);
      const first = await runIngest(config, db);
      expect(first.map((summary) => summary.batches)).toEqual([6, 1, 1]);
      const before = await checksum();
      expect(before).toMatchObject({ stock_rows: 2 + 1 + 1 + 3 + 2 + 1, order_rows: 1, event_rows: 1, batches: 8, quarantined: 3 });
      const second = await runIngest(config, db);
      expect(second.map((summary) => [summary.batches, summary.skipped, summary.rows])).toEqual([[0, 6, 0], [0, 1, 0], [0, 1, 0]]);
      expect(await checksum()).toEqual(before);
    } finally {
      db.closeSync();
    }
  });
});
