import { open } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { SourceConfig } from '../../core/config-schema.ts';

/** What a file's header says it is: which connector reads it (none when Stocklens reads it another way or not at all), its system and entity. */
export interface RecognisedExport {
  kind: string;
  connector?: SourceConfig['connector'];
  system?: SourceConfig['system'];
  entity?: 'stock' | 'orders' | 'events';
  delimiter: string;
  header: string[];
  /** For a recognised export no file connector reads: what to do instead. */
  advice?: string;
  /** An ERP export: the connector that reads the ERP's database instead, and the header's warehouse or location column. */
  database?: { connector: 'erpnext' | 'odoo'; locationColumn: string };
}

/**
 * Recognises an export by its header line. The shapes: our csv-drop (canonical column names);
 * Shopify's inventory export (Products → Inventory → Export: `Handle, Title, …, SKU, Location,
 * Incoming, Unavailable, Committed, Available, On hand`) and its older per-location layout (one
 * quantity column per location name, no `Location` column); Amazon's FBA inventory report
 * (`GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA`: tab-separated `sku, fnsku, asin, …,
 * afn-warehouse-quantity, afn-fulfillable-quantity, …`) and its merchant listings report
 * (`seller-sku, quantity`). ERP exports, which Stocklens reads from the ERP's database instead:
 * ERPNext's Bin by field name (`item_code, warehouse, actual_qty, …`, a query on tabBin) or by label
 * as its report view exports it (`Item Code, Warehouse, Actual Quantity, Reserved Quantity, …`,
 * bin.json), its Stock Balance report (`Item, Item Name, Item Group, Warehouse, Stock UOM, Balance
 * Qty, …`, stock_balance.py), and Odoo's stock.quant list export by label (`Product, Location,
 * Quantity, Reserved Quantity, …`, stock_quant.py) or by field name (`product_id, location_id,
 * quantity`, its import-compatible export).
 */
export function recogniseHeader(firstLine: string): RecognisedExport {
  const delimiter = ['\t', ';', ','].map((d) => [d, firstLine.split(d).length] as const).sort((a, b) => b[1] - a[1])[0][0];
  const header = firstLine.replace(/^\uFEFF/, '').split(delimiter).map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
  const has = (...names: string[]) => names.every((name) => header.some((column) => column.toLowerCase() === name.toLowerCase()));
  const base = { delimiter, header };
  if (has('location_id', 'sku') && (has('on_hand') || has('available_reported'))) return { ...base, kind: 'csv-drop stock', connector: 'csv-drop', entity: 'stock' };
  if (has('order_id', 'line_id', 'placed_at')) return { ...base, kind: 'csv-drop orders', connector: 'csv-drop', entity: 'orders' };
  if (has('event_id', 'occurred_at', 'delta')) return { ...base, kind: 'csv-drop events', connector: 'csv-drop', entity: 'events' };
  if (has('Handle', 'SKU', 'Location', 'On hand')) return { ...base, kind: 'Shopify inventory export', connector: 'shopify-csv', system: 'ecommerce', entity: 'stock' };
  if (has('Handle', 'SKU')) {
    return {
      ...base,
      kind: "Shopify's older inventory export (one column per location)",
      system: 'ecommerce',
      entity: 'stock',
      advice: 'export it again in the current layout (Products → Inventory → Export: one row per SKU and location, with Location and On hand columns)',
    };
  }
  if (has('sku', 'afn-warehouse-quantity')) return { ...base, kind: 'Amazon FBA inventory report', connector: 'amazon-fba-report', system: 'marketplace', entity: 'stock' };
  if (has('seller-sku', 'quantity')) {
    return { ...base, kind: 'Amazon merchant listings report', system: 'marketplace', entity: 'stock', advice: 'request the FBA inventory report (Manage FBA Inventory) instead: Stocklens reads fba_inventory_<YYYYMMDDTHHMMSSZ>.tsv' };
  }
  const erp = (kind: string, connector: 'erpnext' | 'odoo', locationColumn: string): RecognisedExport => {
    const [vendor, store] = connector === 'erpnext' ? ['ERPNext', 'MariaDB'] : ['Odoo', 'PostgreSQL'];
    const advice = `Stocklens reads ${vendor} from its ${store} database, not from exports: fill in the commented ${connector} source in the config (database host, user, password and database name) and uncomment it; or export location_id, sku, on_hand columns for a csv-drop source`;
    return { ...base, kind, system: 'erp', entity: 'stock', advice, database: { connector, locationColumn: header.find((column) => column.toLowerCase() === locationColumn.toLowerCase())! } };
  };
  if (has('item_code', 'warehouse', 'actual_qty')) return erp('ERPNext Bin extract', 'erpnext', 'warehouse');
  if (has('Item Code', 'Warehouse', 'Actual Quantity')) return erp('ERPNext Bin export', 'erpnext', 'Warehouse');
  if (has('Item', 'Warehouse', 'Balance Qty')) return erp('ERPNext Stock Balance report', 'erpnext', 'Warehouse');
  if (has('product_id', 'location_id', 'quantity')) return erp('Odoo stock.quant export', 'odoo', 'location_id');
  if (has('Product', 'Location', 'Quantity')) return erp('Odoo stock.quant export', 'odoo', 'Location');
  return { ...base, kind: 'unrecognised', advice: `the header (${header.slice(0, 8).join(', ')}) matches no export Stocklens knows: write it with the canonical columns location_id, sku, on_hand (README: Point it at your own files)` };
}

/** The first line of a file (of a gzip file, its first line uncompressed), at most 64 KB read. */
export async function firstLineOf(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    let bytes = buffer.subarray(0, bytesRead);
    if (file.endsWith('.gz')) {
      try {
        bytes = gunzipSync(bytes, { finishFlush: 2 });
      } catch {
        return '';
      }
    }
    return bytes.toString('utf8').split(/\r?\n/)[0] ?? '';
  } finally {
    await handle.close();
  }
}
