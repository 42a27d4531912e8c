import { randomBytes } from 'node:crypto';
import * as mariadb from 'mariadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngest } from '../../../ingest/run-ingest.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';
import { openSetup } from '../helpers/ingest-setup.ts';
import { createErpnextSite, items, twoCompanies, type BinRow } from './erpnext-site.ts';

const tempDir = useTempDir();
const locations = `locations:
  - { id: WH-EAST, name: East DC }
  - { id: WH-WEST, name: West DC }
  - { id: WH-NORTH, name: North DC }
`;

// Times are the site's wall clock (Europe/Berlin, CET on 1 November 2026).
const bins: BinRow[] = [
  { item_code: 'TEE-S', warehouse: 'Stores - ACME', actual_qty: 40, reserved_qty: 5, ordered_qty: 10, modified: '2026-11-01 07:00:00.000000' },
  { item_code: 'TEE-S', warehouse: 'Finished Goods - ACME', actual_qty: 12, modified: '2026-11-01 08:30:00.000000' },
  {
    item_code: 'TEE-S', warehouse: 'Work In Progress - ACME', actual_qty: 3,
    reserved_qty_for_production: 2, reserved_qty_for_sub_contract: 1, reserved_qty_for_production_plan: 1, modified: '2026-11-01 08:00:00.000000',
  },
  { item_code: 'TEE-S', warehouse: 'Goods In Transit - ACME', actual_qty: 6, modified: '2026-11-01 09:15:00.000000' },
  { item_code: 'TEE-S', warehouse: 'Rejected - ACME', actual_qty: 2, modified: '2026-11-01 06:00:00.000000' },
  { item_code: 'TEE-S', warehouse: 'West Shelf A - ACME', actual_qty: 7, modified: '2026-11-01 06:00:00.000000' },
  { item_code: 'TEE-S', warehouse: 'West Shelf B - ACME', actual_qty: 4, reserved_qty: 1, modified: '2026-11-01 06:30:00.000000' },
  { item_code: 'TEE-S', warehouse: 'Stores - AR', actual_qty: 100, modified: '2026-11-01 06:00:00.000000' },
  { item_code: 'FLOUR', warehouse: 'Stores - ACME', actual_qty: 12.5, reserved_qty: 2.25, planned_qty: 5, modified: '2026-11-01 07:00:00.000000' },
  { item_code: 'FLOUR', warehouse: 'Finished Goods - ACME', actual_qty: 0.75, modified: '2026-11-01 07:00:00.000000' },
  { item_code: 'FLOUR', warehouse: 'North Bay 1 - ACME', actual_qty: 3.75, modified: '2026-11-01 07:00:00.000000' },
  { item_code: 'FLOUR', warehouse: 'North Bay 2 - ACME', actual_qty: 1.25, modified: '2026-11-01 07:00:00.000000' },
  // "Allow Negative Stock": more rope issued than received.
  { item_code: 'ROPE', warehouse: 'Stores - ACME', actual_qty: -3, modified: '2026-11-01 07:00:00.000000' },
  { item_code: 'ROPE', warehouse: 'Goods In Transit - AR', actual_qty: 8, modified: '2026-11-01 07:00:00.000000' },
  { item_code: 'ROPE', warehouse: 'Finished Goods - AR', actual_qty: 0, modified: '2026-11-01 07:00:00.000000' },
];

let admin: mariadb.Connection;
const databases: string[] = [];

/** A site of its own per case, so parallel runs and other cases never share tables. */
async function site(alter?: string[]): Promise<string> {
  const database = `stocklens_${randomBytes(5).toString('hex')}`;
  await admin.query(`create database ${database}`);
  databases.push(database);
  await admin.query(`use ${database}`);
  await createErpnextSite(admin, { warehouses: twoCompanies, items, bins });
  for (const statement of alter ?? []) await admin.query(statement);
  return database;
}

beforeAll(async () => {
  admin = await mariadb.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' });
});
afterAll(async () => {
  for (const database of databases) await admin.query(`drop database if exists ${database}`);
  await admin.end();
});

async function ingest(database: string, settings: string) {
  const { config, db } = await openSetup(
    tempDir(),
    `sources:
  - name: erp
    system: erp
    connector: erpnext
    database: { host: 127.0.0.1, port: 3306, user: root, password: "", database: ${database} }
${settings}
${locations}`,
  );
  const [summary] = await runIngest(config, db);
  const rows = await db.rows(
    'select location_id, sku, on_hand, committed, reserved_other, damaged, in_transit, incoming, source_updated_at from raw.stock_snapshot order by location_id, sku',
  );
  const quarantined = await db.rows('select reason from ingest.quarantine');
  const raw = await db.rows("select location_id, sku, json_array_length(raw->'bins') as bins from raw.stock_snapshot order by location_id, sku");
  db.closeSync();
  return { summary, rows, quarantined, raw };
}

const zero = { committed: 0, reserved_other: 0, damaged: 0, in_transit: 0, incoming: 0 };

describe('the erpnext connector against a version-15 site in the real MariaDB', () => {
  it('sums the warehouses a group rolls up per location and SKU, splits their states, and warns once about unmapped ones', async () => {
    const database = await site();
    const { summary, rows, quarantined, raw } = await ingest(
      database,
      `    timezone: Europe/Berlin
    location_map: { "All Warehouses - ACME": WH-EAST, "West Region - ACME": WH-WEST, "North - ACME": WH-NORTH }`,
    );
    expect(summary).toMatchObject({ status: 'succeeded', batches: 1, rows: 5, rejected: 0 });
    expect(rows).toEqual([
      // Stores 12.5 + Finished Goods 0.75 (kg); reserved 2.25; planned production 5 is incoming.
      { location_id: 'WH-EAST', sku: 'FLOUR', on_hand: 13.25, ...zero, committed: 2.25, incoming: 5, source_updated_at: '2026-11-01T06:00:00.000Z' },
      // Negative stock lands as it is.
      { location_id: 'WH-EAST', sku: 'ROPE', on_hand: -3, ...zero, source_updated_at: '2026-11-01T06:00:00.000Z' },
      // Stores 40 + Finished Goods 12 + Work In Progress 3 + Rejected 2 on hand (2 damaged); Goods In Transit 6;
      // production 2 + subcontracting 1 + production plan 1 reserved.
      { location_id: 'WH-EAST', sku: 'TEE-S', on_hand: 57, committed: 5, reserved_other: 4, damaged: 2, in_transit: 6, incoming: 10, source_updated_at: '2026-11-01T08:15:00.000Z' },
      // The North group's bays are found by the nested set alone (no parent_warehouse).
      { location_id: 'WH-NORTH', sku: 'FLOUR', on_hand: 5, ...zero, source_updated_at: '2026-11-01T06:00:00.000Z' },
      { location_id: 'WH-WEST', sku: 'TEE-S', on_hand: 11, ...zero, committed: 1, source_updated_at: '2026-11-01T05:30:00.000Z' },
    ]);
    expect(raw.find((row) => row.location_id === 'WH-EAST' && row.sku === 'TEE-S')).toEqual({ location_id: 'WH-EAST', sku: 'TEE-S', bins: 5 });
    expect(quarantined).toEqual([]);
    // Acme Rentals is not mapped: one warning naming its warehouses that hold stock (not the empty Finished Goods - AR).
    expect(summary.warnings).toEqual([
      '2 ERPNext warehouses with stock map to no location, so their stock is left out: "Goods In Transit - AR", "Stores - AR". ' +
        "Map them (or a group warehouse above) in the source's location_map",
    ]);
  });

  it('maps a short warehouse name only when one company has it', async () => {
    const database = await site();
    const { summary, rows } = await ingest(database, '    location_map: { "Stores": WH-EAST, "Rejected": WH-WEST }');
    // Rejected is Acme Retail's alone; Stores is both companies', so neither Stores is taken for WH-EAST.
    expect(rows).toEqual([{ location_id: 'WH-WEST', sku: 'TEE-S', on_hand: 2, ...zero, damaged: 2, source_updated_at: '2026-11-01T06:00:00.000Z' }]);
    expect(summary.warnings).toHaveLength(1);
    expect(summary.warnings![0]).toMatch(/^10 ERPNext warehouses with stock map to no location, so their stock is left out: "Finished Goods - ACME", "Goods In Transit - ACME", "Goods In Transit - AR", /);
    expect(summary.warnings![0]).toContain('"Stores - ACME", "Stores - AR"');
    expect(summary.warnings![0]).toMatch(/; "Stores" names a warehouse in 2 companies, so it maps none of them: map each by its full name$/);
  });

  it('feeds a transit warehouse into the location whose warehouses ship through it, in UTC when no timezone is set', async () => {
    const database = await site();
    const { rows } = await ingest(database, '    location_map: { "Stores - ACME": WH-EAST }');
    expect(rows.filter((row) => row.sku === 'TEE-S')).toEqual([
      { location_id: 'WH-EAST', sku: 'TEE-S', on_hand: 40, ...zero, committed: 5, in_transit: 6, incoming: 10, source_updated_at: '2026-11-01T09:15:00.000Z' },
    ]);
  });

  it('lands a site from before warehouse types and production-plan reservations', async () => {
    // ERPNext 12: Bin without reserved_qty_for_production_plan and reserved_stock, Warehouse without warehouse_type.
    const database = await site([
      'alter table `tabBin` drop column reserved_qty_for_production_plan, drop column reserved_stock',
      'alter table `tabWarehouse` drop column warehouse_type, drop column is_rejected_warehouse, drop column default_in_transit_warehouse',
    ]);
    const { summary, rows } = await ingest(database, '    location_map: { "All Warehouses - ACME": WH-EAST }');
    expect(summary).toMatchObject({ status: 'succeeded', rejected: 0 });
    // Without a type, Goods In Transit is one more warehouse on hand (with the West shelves below the group: 74); Rejected is not told apart.
    expect(rows.find((row) => row.sku === 'TEE-S' && row.location_id === 'WH-EAST')).toMatchObject({ on_hand: 74, reserved_other: 3, damaged: 0, in_transit: 0 });
  });
});
