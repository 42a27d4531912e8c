import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngest } from '../../../ingest/run-ingest.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';
import { openSetup, twoWarehouses } from '../helpers/ingest-setup.ts';
import { createOdooDatabase, odooLocations, type ProductRow, type QuantRow } from './odoo-database.ts';

const tempDir = useTempDir();

const products: ProductRow[] = [
  { id: 1, name: 'Tee S', default_code: 'TEE-S' },
  { id: 2, name: 'Flour', default_code: 'FLOUR' },
  // Internal Reference is optional: products without one must each stay their own SKU.
  { id: 3, name: 'Gift card', default_code: null, barcode: '5901234123457' },
  { id: 4, name: 'Sample pack', default_code: null },
  { id: 5, name: 'Another sample', default_code: null },
];

// Location ids: 11 WH/Stock, 12 WH/Stock/Shelf 1, 13 WH/Stock/Damaged (scrap), 21 WW/Stock, 31 ZZ/Stock,
// 4 Partners/Customers, 5 Virtual Locations/Inventory adjustment, 6 Physical Locations/Inter-company transit.
const quants: QuantRow[] = [
  { product: 1, location: 11, quantity: 10, reserved_quantity: 2, write_date: '2026-11-01 05:00:00' },
  { product: 1, location: 12, quantity: 5, reserved_quantity: 1, lot_id: 7, write_date: '2026-11-01 06:00:00' },
  { product: 1, location: 12, quantity: 3, lot_id: 8, write_date: '2026-11-01 04:00:00' },
  { product: 1, location: 13, quantity: 2, write_date: '2026-11-01 04:00:00' },
  { product: 1, location: 4, quantity: -15, write_date: '2026-11-01 06:30:00' },
  { product: 1, location: 5, quantity: -3, write_date: '2026-11-01 06:30:00' },
  { product: 1, location: 6, quantity: 4, write_date: '2026-11-01 03:00:00' },
  // A supplier's consigned goods on our shelf.
  { product: 1, location: 11, quantity: 6, reserved_quantity: 1, owner_id: 42, write_date: '2026-11-01 05:30:00' },
  { product: 1, location: 31, quantity: 9, write_date: '2026-11-01 05:00:00' },
  { product: 2, location: 21, quantity: 12.5, reserved_quantity: 0.25, write_date: '2026-11-01 02:00:00' },
  // A delivery validated without stock leaves a negative quant.
  { product: 2, location: 11, quantity: -1.5, write_date: '2026-11-01 02:00:00' },
  { product: 3, location: 11, quantity: 7, write_date: '2026-11-01 02:00:00' },
  { product: 4, location: 11, quantity: 1, write_date: '2026-11-01 02:00:00' },
  { product: 5, location: 11, quantity: 2, write_date: '2026-11-01 02:00:00' },
];

let admin: pg.Client;
const schema = `stocklens_${randomBytes(5).toString('hex')}`;

beforeAll(async () => {
  admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.query(`set search_path = ${schema}`);
  await createOdooDatabase(admin, { locations: odooLocations, products, quants });
});
afterAll(async () => {
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
});

async function ingest(settings = '') {
  const { config, db } = await openSetup(
    tempDir(),
    `sources:
  - name: odoo
    system: erp
    connector: odoo
    database: { host: 127.0.0.1, port: 5432, user: postgres, database: test, schema: ${schema} }
    location_map: { "WH/Stock": WH-EAST, "WW/Stock": WH-WEST, "Physical Locations/Inter-company transit": WH-EAST }
${settings}
${twoWarehouses}`,
  );
  const [summary] = await runIngest(config, db);
  const rows = await db.rows('select location_id, sku, on_hand, committed, reserved_other, damaged, in_transit, source_updated_at from raw.stock_snapshot order by location_id, sku');
  const quantsPerRow = await db.rows("select sku, json_array_length(raw->'quants') as quants from raw.stock_snapshot where location_id = 'WH-EAST' and sku = 'TEE-S'");
  db.closeSync();
  return { summary, rows, quantsPerRow };
}

const zero = { committed: 0, reserved_other: 0, damaged: 0, in_transit: 0 };

describe('the odoo connector against the real PostgreSQL', () => {
  it('sums quants per location and SKU, with transit, scrap, consigned and negative stock, products without a reference apart, write_date as UTC', async () => {
    // The connector's own process runs in a zone far from UTC: write_date must not move with it.
    const zone = process.env.TZ;
    process.env.TZ = 'America/Los_Angeles';
    let result: Awaited<ReturnType<typeof ingest>>;
    try {
      result = await ingest();
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    const { summary, rows, quantsPerRow } = result;
    expect(summary).toMatchObject({ status: 'succeeded', batches: 1, rows: 6, rejected: 0 });
    expect(rows).toEqual([
      { location_id: 'WH-EAST', sku: '5901234123457', on_hand: 7, ...zero, source_updated_at: '2026-11-01T02:00:00.000Z' },
      { location_id: 'WH-EAST', sku: 'FLOUR', on_hand: -1.5, ...zero, source_updated_at: '2026-11-01T02:00:00.000Z' },
      // Stock 10 + shelf 5 + 3 (two lots) + scrap 2 + consigned 6; the consigned 6 less its 1 reserved is not ours to sell.
      { location_id: 'WH-EAST', sku: 'TEE-S', on_hand: 26, committed: 4, reserved_other: 5, damaged: 2, in_transit: 4, source_updated_at: '2026-11-01T06:00:00.000Z' },
      { location_id: 'WH-EAST', sku: 'odoo-product-4', on_hand: 1, ...zero, source_updated_at: '2026-11-01T02:00:00.000Z' },
      { location_id: 'WH-EAST', sku: 'odoo-product-5', on_hand: 2, ...zero, source_updated_at: '2026-11-01T02:00:00.000Z' },
      { location_id: 'WH-WEST', sku: 'FLOUR', on_hand: 12.5, ...zero, committed: 0.25, source_updated_at: '2026-11-01T02:00:00.000Z' },
    ]);
    // Five summed rows of quants: Stock, Shelf 1 (both lots in one), Damaged, the consigned one, transit.
    expect(quantsPerRow).toEqual([{ sku: 'TEE-S', quants: 5 }]);
    expect(summary.warnings).toEqual([
      '1 Odoo location with stock maps to no location, so its stock is left out: "ZZ/Stock". Map it (or a location above, by its complete_name) in the source\'s location_map',
      '3 Odoo products have no Internal Reference (default_code) and landed as 5901234123457, odoo-product-4, odoo-product-5: set their Internal Reference in Odoo to land them under your SKUs',
    ]);
  });

  it('counts consigned stock as owned or leaves it out when the source says so, and names reference-less products by id', async () => {
    const own = await ingest('    consigned: own\n    missing_sku: product_id');
    expect(own.rows.find((row) => row.sku === 'TEE-S')).toMatchObject({ on_hand: 26, committed: 4, reserved_other: 0 });
    expect(own.rows.map((row) => row.sku)).toEqual(['FLOUR', 'TEE-S', 'odoo-product-3', 'odoo-product-4', 'odoo-product-5', 'FLOUR']);
    const excluded = await ingest('    consigned: exclude');
    expect(excluded.rows.find((row) => row.sku === 'TEE-S')).toMatchObject({ on_hand: 20, committed: 3, reserved_other: 0 });
  });
});
