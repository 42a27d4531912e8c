import { randomBytes } from 'node:crypto';
import * as mariadb from 'mariadb';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { runIngest } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openSetup } from './helpers/ingest-setup.ts';

const tempDir = useTempDir();
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const unique = () => `stocklens_${randomBytes(5).toString('hex')}`;
const locations = `locations:
  - { id: WH-EAST, name: East DC }
  - { id: WH-WEST, name: West DC }
`;

describe('the erpnext connector against the real MariaDB', () => {
  it('lands tabBin with item and warehouse names mapped onto locations', async () => {
    // Each run gets its own database so parallel runs never share tables.
    const database = unique();
    const admin = await mariadb.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' });
    cleanups.push(() => admin.end());
    await admin.query(`create database ${database}`);
    cleanups.push(() => admin.query(`drop database if exists ${database}`));
    await admin.query(`use ${database}`);
    await admin.query('create table `tabWarehouse` (name varchar(140) primary key, warehouse_name varchar(140))');
    await admin.query('create table `tabItem` (name varchar(140) primary key, item_name varchar(140))');
    await admin.query(`create table \`tabBin\` (name varchar(140) primary key, item_code varchar(140), warehouse varchar(140),
      actual_qty decimal(21,9) default 0, reserved_qty decimal(21,9) default 0, ordered_qty decimal(21,9) default 0, projected_qty decimal(21,9) default 0,
      indented_qty decimal(21,9) default 0, planned_qty decimal(21,9) default 0, reserved_qty_for_production decimal(21,9) default 0, modified datetime(6))`);
    await admin.query("insert into `tabWarehouse` values ('Stores - EDC', 'Stores'), ('West Hub - WDC', 'West Hub'), ('Lunar - LN', 'Lunar')");
    await admin.query("insert into `tabItem` values ('TEE-S', 'Tee S'), ('MUG', 'Mug')");
    await admin.query(`insert into \`tabBin\` (name, item_code, warehouse, actual_qty, reserved_qty, ordered_qty, projected_qty, modified) values
      ('b1', 'TEE-S', 'Stores - EDC', 40, 5, 10, 45, '2026-11-01 06:00:00'),
      ('b2', 'MUG', 'West Hub - WDC', 7, 0, 0, 7, '2026-11-01 07:00:00'),
      ('b3', 'MUG', 'Stores - EDC', 2.5, 0, 0, 2.5, '2026-11-01 07:00:00'),
      ('b4', 'TEE-S', 'Lunar - LN', 1, 0, 0, 1, '2026-11-01 07:00:00')`);

    const { config, db } = await openSetup(
      tempDir(),
      `sources:
  - name: erp
    system: erp
    connector: erpnext
    database: { host: 127.0.0.1, port: 3306, user: root, password: "", database: ${database} }
    location_map: { "Stores - EDC": WH-EAST, "West Hub": WH-WEST }
${locations}`,
    );
    cleanups.push(() => db.closeSync());
    const [summary] = await runIngest(config, db);
    expect(summary).toMatchObject({ status: 'succeeded', batches: 1, rows: 2, rejected: 2 });
    expect(await db.rows('select location_id, sku, on_hand, committed, incoming, quantity_semantics, source_updated_at from raw.stock_snapshot order by sku')).toEqual([
      { location_id: 'WH-WEST', sku: 'MUG', on_hand: 7, committed: 0, incoming: 0, quantity_semantics: 'physical', source_updated_at: '2026-11-01T07:00:00.000Z' },
      { location_id: 'WH-EAST', sku: 'TEE-S', on_hand: 40, committed: 5, incoming: 10, quantity_semantics: 'physical', source_updated_at: '2026-11-01T06:00:00.000Z' },
    ]);
    expect(await db.rows('select "column", reason from ingest.quarantine order by reason')).toEqual([
      { column: 'on_hand', reason: 'on_hand: "2.5" is not an integer' },
      { column: 'location_id', reason: 'unknown location "Lunar - LN"' },
    ]);
    expect(await db.one("select raw->>'projected_qty' as projected, raw->>'item_name' as item from raw.stock_snapshot where sku = 'TEE-S'")).toEqual({ projected: '45.000000000', item: 'Tee S' });
    expect(await db.one('select mode, status, rows, rejected from ingest.batches')).toEqual({ mode: 'full', status: 'landed', rows: 2, rejected: 2 });
  });

  it('fails the run, without retrying for ever, when the database refuses the login', async () => {
    const { config, db } = await openSetup(
      tempDir(),
      `sources:
  - { name: erp, system: erp, connector: erpnext, database: { host: 127.0.0.1, port: 3306, user: nobody_${randomBytes(3).toString('hex')}, password: x, database: test }, retry: { attempts: 3, base_delay: 10ms, max_delay: 20ms } }
${locations}`,
    );
    cleanups.push(() => db.closeSync());
    const [summary] = await runIngest(config, db);
    expect(summary).toMatchObject({ status: 'failed', transient: false });
    expect(summary.error).toMatch(/^source erp: ERPNext database 127.0.0.1\/test: .*Access denied/);
  });
});

describe('the odoo connector against the real PostgreSQL', () => {
  it('sums stock_quant over internal locations per SKU and mapped location', async () => {
    const schema = unique();
    const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
    await client.connect();
    cleanups.push(() => client.end());
    await client.query(`create schema ${schema}`);
    cleanups.push(() => client.query(`drop schema if exists ${schema} cascade`));
    await client.query(`set search_path = ${schema}`);
    await client.query(`
      create table product_product (id serial primary key, default_code varchar);
      create table stock_location (id serial primary key, name varchar, complete_name varchar, usage varchar);
      create table stock_quant (id serial primary key, product_id int references product_product, location_id int references stock_location,
        quantity numeric not null default 0, reserved_quantity numeric not null default 0, write_date timestamp);
      insert into product_product (default_code) values ('TEE-S'), ('MUG');
      insert into stock_location (name, complete_name, usage) values
        ('Stock', 'WH/Stock', 'internal'), ('Shelf 1', 'WH/Stock/Shelf 1', 'internal'), ('Customers', 'Partners/Customers', 'customer'),
        ('Stock', 'WW/Stock', 'internal');
      insert into stock_quant (product_id, location_id, quantity, reserved_quantity, write_date) values
        (1, 1, 10, 2, '2026-11-01 05:00:00'), (1, 2, 5, 1, '2026-11-01 06:00:00'), (1, 3, -15, 0, '2026-11-01 06:00:00'),
        (2, 4, 8, 0, '2026-11-01 04:00:00');
    `);
    const { config, db } = await openSetup(
      tempDir(),
      `sources:
  - name: odoo
    system: erp
    connector: odoo
    database: { host: 127.0.0.1, port: 5432, user: postgres, database: test, schema: ${schema} }
    location_map: { "WH/Stock": WH-EAST, "WW/Stock": WH-WEST }
${locations}`,
    );
    cleanups.push(() => db.closeSync());
    const [summary] = await runIngest(config, db);
    expect(summary).toMatchObject({ status: 'succeeded', batches: 1, rows: 2, rejected: 0 });
    expect(await db.rows('select location_id, sku, on_hand, committed, quantity_semantics, source_updated_at from raw.stock_snapshot order by sku')).toEqual([
      { location_id: 'WH-WEST', sku: 'MUG', on_hand: 8, committed: 0, quantity_semantics: 'physical', source_updated_at: '2026-11-01T04:00:00.000Z' },
      { location_id: 'WH-EAST', sku: 'TEE-S', on_hand: 15, committed: 3, quantity_semantics: 'physical', source_updated_at: '2026-11-01T06:00:00.000Z' },
    ]);
  });
});
