import { readdirSync } from 'node:fs';
import path from 'node:path';
import type * as mariadb from 'mariadb';
import { vi } from 'vitest';
import type { Config } from '../../core/load-config.ts';
import type { Database } from '../../db/database.ts';
import { runIngest, type SourceSummary } from '../../ingest/run-ingest.ts';
import { readCsv, stampMs } from '../fixtures/generated-run.ts';
import { createErpnextSite, type ItemRow, type WarehouseRow } from '../ingest/upstream/erpnext-site.ts';

/**
 * The simulator's ERPNext site (fixtures/systems/erpnext-site.ts) replayed as the erpnext
 * connector would have met it: its Warehouse and Item tables loaded into a MariaDB database with
 * the tables ERPNext's doctypes define, then at each sync the Bin table replaced by that sync's
 * and the source ingested with the clock at the sync, since the connector stamps a read with the
 * time it began. Returns each sync's ingest summary.
 */
export async function replayErpnextSite(outDir: string, connection: mariadb.Connection, config: Config, db: Database, source = 'erp'): Promise<SourceSummary[]> {
  const folder = path.join(outDir, 'erpnext');
  const warehouses = readCsv(path.join(folder, 'Warehouse.csv')).map(
    (row): WarehouseRow => ({
      name: row.name!,
      warehouse_name: row.warehouse_name!,
      company: row.company!,
      parent_warehouse: row.parent_warehouse || null,
      is_group: row.is_group === '1' ? 1 : 0,
      lft: Number(row.lft),
      rgt: Number(row.rgt),
      warehouse_type: row.warehouse_type || null,
      default_in_transit_warehouse: row.default_in_transit_warehouse || null,
    }),
  );
  const items = readCsv(path.join(folder, 'Item.csv')).map((row): ItemRow => ({ item_code: row.item_code!, item_name: row.item_name!, stock_uom: row.stock_uom! }));
  await createErpnextSite(connection, { warehouses, items, bins: [] });

  const syncs = readdirSync(folder).filter((name) => name.startsWith('Bin_')).sort();
  const summaries: SourceSummary[] = [];
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    for (const name of syncs) {
      const bins = readCsv(path.join(folder, name));
      await connection.query('delete from `tabBin`');
      if (bins.length > 0) {
        await connection.batch(
          'insert into `tabBin` (name, item_code, warehouse, actual_qty, projected_qty, stock_uom, modified, creation, owner) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          bins.map((bin) => [bin.name, bin.item_code, bin.warehouse, bin.actual_qty, bin.actual_qty, bin.stock_uom, bin.modified, bin.modified, 'Administrator']),
        );
      }
      vi.setSystemTime(stampMs(name));
      summaries.push(...(await runIngest(config, db, { sources: [source] })));
    }
  } finally {
    vi.useRealTimers();
  }
  return summaries;
}
