import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { openSetup, twoWarehouses, writeFiles } from './helpers/ingest-setup.ts';

const tempDir = useTempDir();

async function setup(files: Record<string, string>) {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'inbox'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, 'inbox', name), text);
  const config = parseConfig(
    'sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox }\nlocations:\n  - { id: WH-EAST, name: East }\n',
    path.join(dir, 'stocklens.config.yaml'),
  );
  const db = await Database.open(config.databaseFile);
  return { config, db };
}

describe('csv-drop landing', () => {
  it('lands a stock file with its ledger row and defaults absent quantities to 0', async () => {
    const { config, db } = await setup({ 'stock_20261101T060000Z_full.csv': 'location_id,sku,on_hand,committed\nWH-EAST,A,10,2\nWH-EAST,B,4,0\n' });
    const [summary] = await runIngest(config, db);
    expect(summary).toMatchObject({ source: 'wms', status: 'succeeded', batches: 1, rows: 2, rejected: 0 });
    expect(await db.rows('select sku, on_hand, committed, damaged, captured_at, quantity_semantics from raw.stock_snapshot order by sku')).toEqual([
      { sku: 'A', on_hand: 10, committed: 2, damaged: 0, captured_at: '2026-11-01T06:00:00.000Z', quantity_semantics: 'physical' },
      { sku: 'B', on_hand: 4, committed: 0, damaged: 0, captured_at: '2026-11-01T06:00:00.000Z', quantity_semantics: 'physical' },
    ]);
    expect(await db.rows('select source, entity, mode, rows, rejected, status from ingest.batches')).toEqual([
      { source: 'wms', entity: 'stock', mode: 'full', rows: 2, rejected: 0, status: 'landed' },
    ]);
    db.closeSync();
  });

  it('skips a file it already landed, so a rerun changes nothing', async () => {
    const { config, db } = await setup({ 'stock_20261101T060000Z_full.csv': 'location_id,sku,on_hand\nWH-EAST,A,10\n' });
    await runIngest(config, db);
    const [again] = await runIngest(config, db);
    expect(again).toMatchObject({ batches: 0, skipped: 1, rows: 0 });
    expect(await db.one('select count(*) as n from raw.stock_snapshot')).toEqual({ n: 1 });
    expect(await db.one('select count(*) as n from ingest.batches')).toEqual({ n: 1 });
    db.closeSync();
  });

  it('quarantines bad rows with their line and reason and lands the rest', async () => {
    const { config, db } = await setup({
      'stock_20261101T060000Z_full.csv': 'location_id,sku,on_hand\nWH-EAST,A,10\nWH-EAST,B,ten\nWH-MARS,C,1\nWH-EAST,D,-3\nWH-EAST,,2\nWH-EAST,A,11\n',
    });
    const [summary] = await runIngest(config, db);
    expect(summary).toMatchObject({ rows: 2, rejected: 4 });
    expect(await db.rows('select line, "column", reason from ingest.quarantine order by line')).toEqual([
      { line: 3, column: 'on_hand', reason: 'on_hand: "ten" is not a number' },
      { line: 4, column: 'location_id', reason: 'unknown location "WH-MARS": add it to `locations:` in the config, or map it in the source\'s `location_map`' },
      { line: 6, column: 'sku', reason: 'sku is empty' },
      { line: 7, column: null, reason: 'duplicate key (location_id, sku) within the batch' },
    ]);
    // Negative on-hand lands (the models count it 0 sellable and flag it).
    expect(await db.rows('select sku, on_hand from raw.stock_snapshot order by sku')).toEqual([
      { sku: 'A', on_hand: 10 },
      { sku: 'D', on_hand: -3 },
    ]);
    db.closeSync();
  });

  it('widens the quantity columns of a database made when quantities were integers, keeping its rows', async () => {
    const dir = tempDir();
    writeFiles(dir, 'inbox/wms', {
      'stock_20261101T060000Z_full.csv': 'location_id,sku,on_hand\nWH-EAST,FLOUR,12.5\n',
      'orders_20261101T060000Z.csv': 'order_id,line_id,placed_at,sku,quantity,status\nO-2,1,2026-11-01T05:00:00Z,FLOUR,2.5,open\n',
      'events_20261101T060000Z.csv': 'event_id,occurred_at,location_id,sku,delta,reason\nE-2,2026-11-01T05:30:00Z,WH-EAST,FLOUR,-0.75,cycle_count\n',
    });
    const { config, db } = await openSetup(dir, `sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox/wms }\n${twoWarehouses}`);
    await db.run(`
      create schema raw;
      create table raw.stock_snapshot (batch_id varchar not null, source varchar not null, captured_at timestamptz not null, source_updated_at timestamptz,
        location_id varchar not null, sku varchar not null, on_hand integer not null, committed integer not null default 0, reserved_other integer not null default 0,
        damaged integer not null default 0, quality_control integer not null default 0, safety_stock integer not null default 0, in_transit integer not null default 0,
        incoming integer not null default 0, available_reported integer, quantity_semantics varchar not null default 'physical', channel varchar, raw json);
      insert into raw.stock_snapshot (batch_id, source, captured_at, location_id, sku, on_hand) values ('old', 'wms', '2026-10-01T00:00:00Z', 'WH-EAST', 'TEE', 7);
      create table raw.order_line (batch_id varchar not null, source varchar not null, captured_at timestamptz not null, order_id varchar not null, line_id varchar not null,
        channel varchar, placed_at timestamptz not null, sku varchar not null, quantity integer not null, unit_price decimal(18, 4), currency varchar, location_id varchar,
        status varchar not null, cancelled_at timestamptz, cancel_reason_raw varchar, cancel_reason varchar, shipped_at timestamptz, raw json);
      insert into raw.order_line (batch_id, source, captured_at, order_id, line_id, placed_at, sku, quantity, status) values ('old', 'wms', '2026-10-01T00:00:00Z', 'O-1', '1', '2026-10-01T00:00:00Z', 'TEE', 3, 'open');
      create table raw.inventory_event (batch_id varchar not null, source varchar not null, event_id varchar not null, occurred_at timestamptz not null, location_id varchar not null,
        sku varchar not null, delta integer not null, reason varchar not null, reference varchar, raw json);
      insert into raw.inventory_event (batch_id, source, event_id, occurred_at, location_id, sku, delta, reason) values ('old', 'wms', 'E-1', '2026-10-01T00:00:00Z', 'WH-EAST', 'TEE', -2, 'cycle_count')`);
    await runIngest(config, db);
    expect(await db.rows('select sku, on_hand, typeof(on_hand) as type, typeof(available_reported) as reported from raw.stock_snapshot order by sku')).toEqual([
      { sku: 'FLOUR', on_hand: 12.5, type: 'DECIMAL(18,4)', reported: 'DECIMAL(18,4)' },
      { sku: 'TEE', on_hand: 7, type: 'DECIMAL(18,4)', reported: 'DECIMAL(18,4)' },
    ]);
    expect(await db.rows('select order_id, quantity, typeof(quantity) as type from raw.order_line order by order_id')).toEqual([
      { order_id: 'O-1', quantity: 3, type: 'DECIMAL(18,4)' },
      { order_id: 'O-2', quantity: 2.5, type: 'DECIMAL(18,4)' },
    ]);
    expect(await db.rows('select event_id, delta, typeof(delta) as type from raw.inventory_event order by event_id')).toEqual([
      { event_id: 'E-1', delta: -2, type: 'DECIMAL(18,4)' },
      { event_id: 'E-2', delta: -0.75, type: 'DECIMAL(18,4)' },
    ]);
    db.closeSync();
  });

  it('lands decimal quantities, 12.0 as the integer 12, and numbers in the locale format the source declares', async () => {
    const dir = tempDir();
    writeFiles(dir, 'inbox/wms', { 'stock_20261101T060000Z_full.csv': 'location_id,sku,on_hand,committed\nWH-EAST,FLOUR,12.5,0.25\nWH-EAST,ROPE,12.0,3.75\n' });
    writeFiles(dir, 'inbox/erp', {
      'stock_20261101T060000Z_full.csv': 'location_id,sku,on_hand,committed\nWH-EAST,FLOUR,"1.200,5","0,25"\nWH-EAST,ROPE,12,1.000\nWH-EAST,TAPE,"1,200.5",0\n',
    });
    const { config, db } = await openSetup(
      dir,
      `sources:
  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox/wms }
  - { name: erp, system: erp, connector: csv-drop, quiet_period: 0s, path: ./inbox/erp, decimal: ",", thousands: "." }
${twoWarehouses}`,
    );
    const summaries = await runIngest(config, db);
    expect(summaries.map((summary) => [summary.source, summary.rows, summary.rejected])).toEqual([
      ['wms', 2, 0],
      ['erp', 2, 1],
    ]);
    expect(await db.rows('select source, sku, on_hand, committed, typeof(on_hand) as type from raw.stock_snapshot order by source, sku')).toEqual([
      { source: 'erp', sku: 'FLOUR', on_hand: 1200.5, committed: 0.25, type: 'DECIMAL(18,4)' },
      { source: 'erp', sku: 'ROPE', on_hand: 12, committed: 1000, type: 'DECIMAL(18,4)' },
      { source: 'wms', sku: 'FLOUR', on_hand: 12.5, committed: 0.25, type: 'DECIMAL(18,4)' },
      { source: 'wms', sku: 'ROPE', on_hand: 12, committed: 3.75, type: 'DECIMAL(18,4)' },
    ]);
    expect(await db.rows('select reason from ingest.quarantine')).toEqual([{ reason: 'on_hand: "1,200.5" is not a number (the source declares decimal: ",", thousands: ".")' }]);
    db.closeSync();
  });

  it('lands a channel feed that carries only the sellable figure, on_hand absent from its delta left unstated (the previous value, 0 with none)', async () => {
    const { config, db } = await setup({
      'stock_20261101T060000Z_delta.csv': 'captured_at,location_id,sku,available_reported,quantity_semantics,channel\n2026-11-01T06:00:00Z,WH-EAST,A,-2,salable,amazon\n',
    });
    const [summary] = await runIngest(config, db);
    expect(summary).toMatchObject({ batches: 1, rows: 1, rejected: 0 });
    expect(await db.one('select on_hand, available_reported, quantity_semantics, channel from raw.stock_snapshot')).toEqual({ on_hand: null, available_reported: -2, quantity_semantics: 'salable', channel: 'amazon' });
    db.closeSync();
  });

  it('rejects a file without a required column and names the column', async () => {
    const { config, db } = await setup({ 'stock_20261101T060000Z_full.csv': 'location_id,on_hand\nWH-EAST,10\n' });
    const [summary] = await runIngest(config, db);
    expect(summary.failedBatches).toBe(1);
    expect(await db.one('select status, error from ingest.batches')).toEqual({
      status: 'rejected',
      error: 'missing required column sku (a stock file needs location_id, sku); the header has location_id, on_hand',
    });
    expect(await db.one('select count(*) as n from raw.stock_snapshot')).toEqual({ n: 0 });
    db.closeSync();
  });

  it('holds a full batch that shrank by more than half against the previous one', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `WH-EAST,S${i},5`).join('\n');
    const { config, db } = await setup({
      'stock_20261101T000000Z_full.csv': `location_id,sku,on_hand\n${rows}\n`,
      'stock_20261102T000000Z_full.csv': 'location_id,sku,on_hand\nWH-EAST,S1,5\n',
    });
    const [summary] = await runIngest(config, db);
    expect(summary.held).toBe(1);
    expect(await db.rows('select captured_at, status from ingest.batches order by captured_at')).toEqual([
      { captured_at: '2026-11-01T00:00:00.000Z', status: 'landed' },
      { captured_at: '2026-11-02T00:00:00.000Z', status: 'held' },
    ]);
    db.closeSync();
  });

  it('lands files read together batch by batch: own captured_at, own duplicate keys, own ledger row and quarantine', async () => {
    const { config, db } = await setup({
      'stock_20261101T010000Z_delta.csv': 'location_id,sku,on_hand\nWH-EAST,A,1\nWH-EAST,A,2\n',
      'stock_20261101T020000Z_delta.csv': 'location_id,sku,on_hand\nWH-EAST,A,3\nWH-EAST,B,x\n',
      'stock_20261101T030000Z_delta.csv': 'location_id,sku,on_hand\n',
    });
    const [summary] = await runIngest(config, db);
    expect(summary).toMatchObject({ batches: 3, rows: 2, rejected: 2 });
    expect(await db.rows('select captured_at, sku, on_hand from raw.stock_snapshot order by captured_at, sku')).toEqual([
      { captured_at: '2026-11-01T01:00:00.000Z', sku: 'A', on_hand: 1 },
      { captured_at: '2026-11-01T02:00:00.000Z', sku: 'A', on_hand: 3 },
    ]);
    expect(await db.rows('select b.captured_at, q.line, q.reason from ingest.quarantine q join ingest.batches b using (batch_id) order by b.captured_at')).toEqual([
      { captured_at: '2026-11-01T01:00:00.000Z', line: 3, reason: 'duplicate key (location_id, sku) within the batch' },
      { captured_at: '2026-11-01T02:00:00.000Z', line: 3, reason: 'on_hand: "x" is not a number' },
    ]);
    expect(await db.rows('select captured_at, rows, rejected, status from ingest.batches order by captured_at')).toEqual([
      { captured_at: '2026-11-01T01:00:00.000Z', rows: 1, rejected: 1, status: 'landed' },
      { captured_at: '2026-11-01T02:00:00.000Z', rows: 1, rejected: 1, status: 'landed' },
      { captured_at: '2026-11-01T03:00:00.000Z', rows: 0, rejected: 0, status: 'landed' },
    ]);
    db.closeSync();
  });

  it('holds a shrunken full batch against an earlier full batch landed by a previous run between the new ones', async () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => `WH-EAST,S${i},5`).join('\n');
    const { config, db } = await setup({ 'stock_20261102T000000Z_full.csv': `location_id,sku,on_hand\n${rows(10)}\n` });
    await runIngest(config, db);
    const inbox = config.sources[0].path!;
    writeFileSync(path.join(inbox, 'stock_20261101T000000Z_full.csv'), `location_id,sku,on_hand\n${rows(2)}\n`);
    writeFileSync(path.join(inbox, 'stock_20261103T000000Z_full.csv'), `location_id,sku,on_hand\n${rows(3)}\n`);
    const [summary] = await runIngest(config, db);
    expect(summary).toMatchObject({ batches: 2, skipped: 1, held: 1 });
    expect(await db.rows('select captured_at, status from ingest.batches order by captured_at')).toEqual([
      { captured_at: '2026-11-01T00:00:00.000Z', status: 'landed' },
      { captured_at: '2026-11-02T00:00:00.000Z', status: 'landed' },
      { captured_at: '2026-11-03T00:00:00.000Z', status: 'held' },
    ]);
    db.closeSync();
  });
});

describe('header-only deltas', () => {
  it('lands each capture of an unchanged source as its own empty batch, so the source stays fresh', async () => {
    const { config, db } = await setup({
      'stock_20261101T000000Z_full.csv': 'location_id,sku,on_hand\nWH-EAST,A,10\n',
      'stock_20261101T010000Z_delta.csv': 'location_id,sku,on_hand\n',
      'stock_20261101T020000Z_delta.csv': 'location_id,sku,on_hand\n',
    });
    const [first] = await runIngest(config, db);
    expect(first).toMatchObject({ batches: 3, skipped: 0, rows: 1 });
    expect(await db.rows('select captured_at, mode, rows, status from ingest.batches order by captured_at')).toEqual([
      { captured_at: '2026-11-01T00:00:00.000Z', mode: 'full', rows: 1, status: 'landed' },
      { captured_at: '2026-11-01T01:00:00.000Z', mode: 'delta', rows: 0, status: 'landed' },
      { captured_at: '2026-11-01T02:00:00.000Z', mode: 'delta', rows: 0, status: 'landed' },
    ]);
    const [again] = await runIngest(config, db);
    expect(again).toMatchObject({ batches: 0, skipped: 3 });
    db.closeSync();
  });
});
