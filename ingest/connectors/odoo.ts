import pg from 'pg';
import type { SourceConfig } from '../../core/config-schema.ts';
import { parseDurationMs } from '../../core/duration.ts';
import type { Config } from '../../core/load-config.ts';
import type { FetchedRows } from '../stage-rows.ts';
import type { Connector } from './connector.ts';
import { StockTotals } from './stock-totals.ts';
import { vendorDatabaseSnapshot, type DatabaseSettings } from './vendor-database.ts';
import { vendorLocationNames } from './vendor-locations.ts';

/**
 * Odoo's `stock.quant` (table stock_quant): quantities per product, location, lot, package and
 * owner, in the product's UoM (numeric). Internal locations (usage 'internal') hold stock on
 * hand, transit locations (usage 'transit', inter-warehouse and inter-company) stock in transit;
 * vendor, customer, inventory-loss, production and view locations are bookkeeping. How each field lands:
 * - quantity: on_hand (a transit location's: in_transit; an internal scrap location's: on_hand and damaged)
 * - reserved_quantity (what pickings hold): committed
 * - a quant with owner_id (consigned, another partner's goods): per the source's `consigned`
 * Quants are summed in PostgreSQL per location, product and whether an owner is set; write_date
 * is a UTC timestamp without zone, read as text so the client's TZ never shifts it.
 */
const quantQuery = `
  select q.location_id, q.product_id, q.owner_id is not null as consigned, count(*)::int as quants,
         sum(q.quantity)::text as quantity, sum(q.reserved_quantity)::text as reserved_quantity,
         to_char(max(q.write_date), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as write_date
  from stock_quant q
  join stock_location l on l.id = q.location_id
  where l.usage in ('internal', 'transit')
  group by q.location_id, q.product_id, q.owner_id is not null
  order by q.location_id, q.product_id, consigned`;

/** scrap_location exists up to Odoo 17; later versions mark scrap by usage alone. */
const locationQuery = (hasScrap: boolean) => `
  select id, name, complete_name, usage, ${hasScrap ? 'coalesce(scrap_location, false)' : 'false'} as scrap_location
  from stock_location where usage in ('internal', 'transit')`;

const productQuery = `
  select p.id, nullif(trim(p.default_code), '') as default_code, nullif(trim(p.barcode), '') as barcode, t.name::text as template_name
  from product_product p left join product_template t on t.id = p.product_tmpl_id
  where p.id in (select distinct product_id from stock_quant)`;

interface OdooProduct {
  default_code: string | null;
  barcode: string | null;
  template_name: string | null;
}

interface OdooRead {
  quants: Record<string, unknown>[];
  locations: Map<number, { name: string; complete_name: string; usage: string; scrap_location: boolean }>;
  products: Map<number, OdooProduct>;
}

export function odooConnector(source: SourceConfig, config: Config): Connector {
  const locations = vendorLocationNames(source, config);
  const timeoutMs = parseDurationMs(source.request_timeout)!;
  const read = async (settings: DatabaseSettings): Promise<OdooRead> => {
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
      const hasScrap = (await client.query("select 1 from information_schema.columns where table_schema = current_schema() and table_name = 'stock_location' and column_name = 'scrap_location'")).rowCount! > 0;
      const quants = (await client.query(quantQuery)).rows as Record<string, unknown>[];
      const locationRows = (await client.query(locationQuery(hasScrap))).rows;
      const productRows = (await client.query(productQuery)).rows;
      return {
        quants,
        locations: new Map(locationRows.map((row) => [Number(row.id), row])),
        products: new Map(productRows.map((row) => [Number(row.id), row])),
      };
    } finally {
      await client.end().catch(() => {});
    }
  };
  // Sub-locations (WH/Stock/Shelf 1) belong to the mapped location above them.
  const locationOf = (completeName: string, name: string): string | undefined => {
    for (let prefix = completeName; prefix; prefix = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '') {
      const id = locations.get(prefix);
      if (id) return id;
    }
    return locations.get(name);
  };
  const toRows = (read: OdooRead): FetchedRows => {
    const totals = new StockTotals();
    const unmapped = new Set<string>();
    const withoutCode = new Map<number, string>();
    for (const quant of read.quants) {
      const place = read.locations.get(Number(quant.location_id));
      const product = read.products.get(Number(quant.product_id));
      if (!place) continue;
      const location = locationOf(place.complete_name ?? '', place.name ?? '');
      const quantity = Number(quant.quantity);
      if (!location) {
        if (quantity !== 0) unmapped.add(place.complete_name);
        continue;
      }
      const consigned = quant.consigned === true;
      if (consigned && source.consigned === 'exclude') continue;
      const sku = skuOf(Number(quant.product_id), product, source.missing_sku);
      if (!product?.default_code) withoutCode.set(Number(quant.product_id), sku);
      const reserved = Number(quant.reserved_quantity);
      const transit = place.usage === 'transit';
      totals.add(
        location,
        sku,
        {
          on_hand: transit ? 0 : quantity,
          in_transit: transit ? quantity : 0,
          damaged: !transit && place.scrap_location ? quantity : 0,
          committed: transit ? 0 : reserved,
          // Another partner's goods are on the shelf but not the business's to sell.
          reserved_other: consigned && !transit && source.consigned === 'separate' ? quantity - reserved : 0,
        },
        typeof quant.write_date === 'string' ? quant.write_date : null,
        { ...quant, location: place.complete_name, default_code: product?.default_code ?? null, barcode: product?.barcode ?? null, product: product?.template_name ?? null },
      );
    }
    const warnings: string[] = [];
    if (unmapped.size > 0) {
      const names = [...unmapped].sort();
      warnings.push(
        `${names.length} Odoo location${names.length > 1 ? 's' : ''} with stock map${names.length > 1 ? '' : 's'} to no location, so ${names.length > 1 ? 'their' : 'its'} stock is left out: ` +
          `${names.map((name) => JSON.stringify(name)).join(', ')}. Map ${names.length > 1 ? 'them' : 'it'} (or a location above, by its complete_name) in the source's location_map`,
      );
    }
    if (withoutCode.size > 0) {
      const skus = [...withoutCode.values()].sort();
      warnings.push(
        `${skus.length} Odoo product${skus.length > 1 ? 's have' : ' has'} no Internal Reference (default_code) and landed as ${skus.slice(0, 10).join(', ')}${skus.length > 10 ? ', …' : ''}: ` +
          'set their Internal Reference in Odoo to land them under your SKUs',
      );
    }
    return { ...totals.rows('quants'), warnings };
  };
  return { listBatches: () => vendorDatabaseSnapshot(source, 'Odoo', read, toRows) };
}

/**
 * default_code (Internal Reference) is optional in Odoo: a product without one lands under its
 * barcode (missing_sku: barcode, when it has one) or `odoo-product-<id>`, never merged with
 * another product.
 */
function skuOf(productId: number, product: OdooProduct | undefined, fallback: SourceConfig['missing_sku']): string {
  if (product?.default_code) return product.default_code;
  if (fallback === 'barcode' && product?.barcode) return product.barcode;
  return `odoo-product-${productId}`;
}
