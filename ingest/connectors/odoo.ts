import pg from 'pg';
import type { SourceConfig } from '../../core/config-schema.ts';
import { parseDurationMs } from '../../core/duration.ts';
import type { Config } from '../../core/load-config.ts';
import type { FetchedRows } from '../stage-rows.ts';
import type { Connector } from './connector.ts';
import { vendorDatabaseSnapshot, type DatabaseSettings } from './vendor-database.ts';
import { vendorLocationNames } from './vendor-locations.ts';

/**
 * Odoo's `stock.quant` (table stock_quant): quantities per product, location, lot and package.
 * Only internal locations hold stock the business owns (usage 'internal'; vendor, customer,
 * transit and inventory-loss locations are bookkeeping). Quants are summed per SKU (product
 * default_code) and Stocklens location; reserved_quantity is what pickings hold (committed).
 */
const quantQuery = `
  select p.default_code as sku, l.complete_name, l.name as location_name,
         sum(q.quantity) as quantity, sum(q.reserved_quantity) as reserved_quantity, max(q.write_date) as write_date
  from stock_quant q
  join product_product p on p.id = q.product_id
  join stock_location l on l.id = q.location_id
  where l.usage = 'internal'
  group by p.default_code, l.complete_name, l.name
  order by l.complete_name, p.default_code`;

export function odooConnector(source: SourceConfig, config: Config): Connector {
  const locations = vendorLocationNames(source, config);
  const timeoutMs = parseDurationMs(source.request_timeout)!;
  const read = async (settings: DatabaseSettings) => {
    const client = new pg.Client({
      host: settings.host,
      port: settings.port ?? 5432,
      user: settings.user ?? 'postgres',
      password: settings.password,
      database: settings.database,
      connectionTimeoutMillis: timeoutMs,
      statement_timeout: timeoutMs,
      options: settings.schema ? `-c search_path=${settings.schema}` : undefined,
    });
    try {
      await client.connect();
      return (await client.query(quantQuery)).rows as Record<string, unknown>[];
    } finally {
      await client.end().catch(() => {});
    }
  };
  // Sub-locations (WH/Stock/Shelf 1) belong to the mapped location above them.
  const locationOf = (completeName: string, name: string): string => {
    for (let prefix = completeName; prefix; prefix = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '') {
      const id = locations.get(prefix);
      if (id) return id;
    }
    return locations.get(name) ?? completeName;
  };
  const toRows = (records: Record<string, unknown>[]): FetchedRows => {
    const totals = new Map<string, { location: string; sku: string | null; onHand: number; committed: number; updatedAt: string | null; quants: unknown[] }>();
    for (const record of records) {
      const location = locationOf(String(record.complete_name ?? ''), String(record.location_name ?? ''));
      const sku = (record.sku as string | null) ?? null;
      const key = JSON.stringify([location, sku]);
      const total = totals.get(key) ?? { location, sku, onHand: 0, committed: 0, updatedAt: null, quants: [] };
      total.onHand += Number(record.quantity);
      total.committed += Number(record.reserved_quantity);
      const written = record.write_date instanceof Date ? record.write_date.toISOString() : null;
      if (written && (!total.updatedAt || written > total.updatedAt)) total.updatedAt = written;
      total.quants.push(record);
      totals.set(key, total);
    }
    return {
      columns: ['location_id', 'sku', 'source_updated_at', 'on_hand', 'committed', 'quantity_semantics'],
      rows: [...totals.values()].map((total) => [total.location, total.sku, total.updatedAt, total.onHand, total.committed, 'physical']),
      raws: [...totals.values()].map((total) => ({ quants: total.quants })),
    };
  };
  return { listBatches: () => vendorDatabaseSnapshot(source, 'Odoo', read, toRows) };
}
