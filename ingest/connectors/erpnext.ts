import * as mariadb from 'mariadb';
import type { SourceConfig } from '../../core/config-schema.ts';
import { parseDurationMs } from '../../core/duration.ts';
import type { Config } from '../../core/load-config.ts';
import type { CellValue, FetchedRows } from '../stage-rows.ts';
import type { Connector } from './connector.ts';
import { vendorDatabaseSnapshot, type DatabaseSettings } from './vendor-database.ts';
import { vendorLocationNames } from './vendor-locations.ts';

/**
 * ERPNext's stock ledger summary, `tabBin`: one row per item and warehouse. actual_qty is the
 * physical quantity, reserved_qty what sales orders hold (committed), ordered_qty what purchase
 * orders bring (incoming). projected_qty is ERPNext's own planning figure, not a sellable count:
 * it is kept in `raw`, not in available_reported.
 */
const binQuery = `
  select b.item_code, b.warehouse, w.warehouse_name, i.item_name, b.actual_qty, b.reserved_qty, b.ordered_qty,
         b.projected_qty, b.indented_qty, b.planned_qty, b.reserved_qty_for_production, b.modified
  from \`tabBin\` b
  left join \`tabItem\` i on i.name = b.item_code
  left join \`tabWarehouse\` w on w.name = b.warehouse
  order by b.warehouse, b.item_code`;

export function erpnextConnector(source: SourceConfig, config: Config): Connector {
  const locations = vendorLocationNames(source, config);
  const read = async (settings: DatabaseSettings) => {
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
        dateStrings: true,
      });
      return (await connection.query({ sql: binQuery, rowsAsArray: false })) as Record<string, unknown>[];
    } finally {
      await connection?.end().catch(() => {});
    }
  };
  const toRows = (records: Record<string, unknown>[]): FetchedRows => ({
    columns: ['location_id', 'sku', 'source_updated_at', 'on_hand', 'committed', 'incoming', 'quantity_semantics'],
    rows: records.map((record) => [
      locations.get(String(record.warehouse)) ?? locations.get(String(record.warehouse_name)) ?? String(record.warehouse),
      record.item_code as string,
      record.modified ? `${String(record.modified)}Z` : null,
      quantity(record.actual_qty),
      quantity(record.reserved_qty),
      quantity(record.ordered_qty),
      'physical',
    ]),
    raws: records.map((record) => Object.fromEntries(Object.entries(record).map(([key, value]) => [key, value === null ? null : String(value)]))),
  });
  return { listBatches: () => vendorDatabaseSnapshot(source, 'ERPNext', read, toRows) };
}

/** MariaDB hands DECIMAL back as text (10.000000000); as a number it lands as 10, a fraction is quarantined. */
function quantity(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : String(value);
}
