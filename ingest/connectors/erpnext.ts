import * as mariadb from 'mariadb';
import type { SourceConfig } from '../../core/config-schema.ts';
import { parseDurationMs } from '../../core/duration.ts';
import type { Config } from '../../core/load-config.ts';
import { utcFromWallClock } from '../../core/zoned-time.ts';
import type { FetchedRows } from '../stage-rows.ts';
import type { Connector } from './connector.ts';
import { mapWarehouses, type Warehouse } from './erpnext-warehouses.ts';
import { StockTotals } from './stock-totals.ts';
import { vendorDatabaseSnapshot, type DatabaseSettings } from './vendor-database.ts';
import { vendorLocationNames } from './vendor-locations.ts';

/**
 * ERPNext's stock summary, `tabBin` (doctype Bin): one row per item and leaf warehouse, quantities
 * in the item's stock UOM (Float fields, decimal(21,9) in MariaDB). How each field lands:
 * - actual_qty: on_hand (a Transit warehouse's: in_transit; a rejected warehouse's: on_hand and damaged)
 * - reserved_qty (sales orders): committed
 * - reserved_qty_for_production, reserved_qty_for_sub_contract, reserved_qty_for_production_plan:
 *   reserved_other (units in the warehouse held for work orders, subcontracting, production plans)
 * - ordered_qty (purchase orders) and planned_qty (work orders to produce): incoming
 * - indented_qty (material requests), projected_qty (ERPNext's planning figure) and reserved_stock
 *   (stock reservation entries, a part of reserved_qty) are kept in `raw` only.
 * Columns a version lacks (reserved_qty_for_production_plan before 14) read as 0.
 */
const binColumns = [
  'item_code', 'warehouse', 'actual_qty', 'reserved_qty', 'ordered_qty', 'planned_qty', 'indented_qty', 'projected_qty',
  'reserved_qty_for_production', 'reserved_qty_for_sub_contract', 'reserved_qty_for_production_plan', 'reserved_stock', 'stock_uom', 'modified',
];
const warehouseColumns = [
  'name', 'warehouse_name', 'company', 'parent_warehouse', 'lft', 'rgt', 'warehouse_type', 'is_rejected_warehouse', 'default_in_transit_warehouse',
];
const reservedOther = ['reserved_qty_for_production', 'reserved_qty_for_sub_contract', 'reserved_qty_for_production_plan'];
const incoming = ['ordered_qty', 'planned_qty'];

interface ErpnextRead {
  bins: Record<string, unknown>[];
  warehouses: Warehouse[];
}

export function erpnextConnector(source: SourceConfig, config: Config): Connector {
  const locations = vendorLocationNames(source, config);
  const read = async (settings: DatabaseSettings): Promise<ErpnextRead> => {
    let connection: mariadb.Connection | undefined;
    try {
      connection = await mariadb.createConnection({
        host: settings.host,
        port: settings.port ?? 3306,
        user: settings.user ?? 'root',
        password: settings.password ?? '',
        database: settings.database,
        connectTimeout: parseDurationMs(source.request_timeout),
        queryTimeout: parseDurationMs(source.request_timeout),
        // DECIMAL as text (exact), datetimes as the wall-clock text Frappe wrote.
        dateStrings: true,
        decimalAsNumber: false,
        bigIntAsNumber: true,
      });
      const present = await presentColumns(connection, ['tabBin', 'tabWarehouse']);
      const select = (table: string, wanted: string[], alias: string) =>
        wanted.filter((column) => present.get(table)?.has(column)).map((column) => `${alias}.\`${column}\``);
      const bins = (await connection.query(`
        select ${[...select('tabBin', binColumns, 'b'), 'i.item_name'].join(', ')}
        from \`tabBin\` b left join \`tabItem\` i on i.name = b.item_code
        order by b.warehouse, b.item_code`)) as Record<string, unknown>[];
      const warehouses = (await connection.query(`select ${select('tabWarehouse', warehouseColumns, 'w').join(', ')} from \`tabWarehouse\` w`)) as Record<string, unknown>[];
      return { bins, warehouses: warehouses.map(toWarehouse) };
    } finally {
      await connection?.end().catch(() => {});
    }
  };
  const toRows = ({ bins, warehouses }: ErpnextRead): FetchedRows => {
    const mapping = mapWarehouses(warehouses, locations);
    const totals = new StockTotals();
    for (const bin of bins) {
      const target = mapping.targetOf(String(bin.warehouse));
      if (!target) continue;
      const actual = quantity(bin.actual_qty);
      const modified = bin.modified ? utcFromWallClock(String(bin.modified), source.timezone) : null;
      totals.add(target.location, String(bin.item_code), {
        on_hand: target.role === 'transit' ? 0 : actual,
        damaged: target.role === 'rejected' ? actual : 0,
        in_transit: target.role === 'transit' ? actual : 0,
        committed: quantity(bin.reserved_qty),
        reserved_other: reservedOther.reduce((sum, column) => sum + quantity(bin[column]), 0),
        incoming: incoming.reduce((sum, column) => sum + quantity(bin[column]), 0),
      }, modified, textRecord(bin));
    }
    const warning = mapping.unmappedWarning(bins.filter((bin) => hasStock(bin)).map((bin) => String(bin.warehouse)));
    return { ...totals.rows('bins'), warnings: warning ? [warning] : undefined };
  };
  return { listBatches: () => vendorDatabaseSnapshot(source, 'ERPNext', read, toRows) };
}

/** The columns each table has in this site's database: doctypes gain fields from version to version. */
async function presentColumns(connection: mariadb.Connection, tables: string[]): Promise<Map<string, Set<string>>> {
  const rows = (await connection.query(
    `select table_name as t, column_name as c from information_schema.columns where table_schema = database() and table_name in (${tables.map(() => '?').join(', ')})`,
    tables,
  )) as { t: string; c: string }[];
  const present = new Map<string, Set<string>>();
  for (const row of rows) present.set(row.t, (present.get(row.t) ?? new Set()).add(row.c));
  return present;
}

function toWarehouse(record: Record<string, unknown>): Warehouse {
  const text = (value: unknown) => (value === null || value === undefined || value === '' ? null : String(value));
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    name: String(record.name),
    warehouse_name: text(record.warehouse_name),
    company: text(record.company),
    parent_warehouse: text(record.parent_warehouse),
    lft: number(record.lft),
    rgt: number(record.rgt),
    warehouse_type: text(record.warehouse_type),
    is_rejected_warehouse: number(record.is_rejected_warehouse),
    default_in_transit_warehouse: text(record.default_in_transit_warehouse),
  };
}

/** A bin that holds or expects something: a warehouse whose bins are all zero is not worth a warning. */
function hasStock(bin: Record<string, unknown>): boolean {
  return ['actual_qty', 'reserved_qty', ...reservedOther, ...incoming].some((column) => quantity(bin[column]) !== 0);
}

/** MariaDB hands DECIMAL back as exact text (12.500000000). */
function quantity(value: unknown): number {
  if (value === null || value === undefined || value === '') return 0;
  const number = Number(value);
  return Number.isFinite(number) ? number : 0;
}

function textRecord(record: Record<string, unknown>): Record<string, string | null> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, value === null || value === undefined ? null : String(value)]));
}
