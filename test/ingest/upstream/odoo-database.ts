import type pg from 'pg';

/**
 * An Odoo database's stock tables in PostgreSQL, as the ORM creates them from the models:
 * - `stock_quant` from addons/stock/models/stock_quant.py (16.0/17.0 fields: product_id,
 *   location_id, lot_id, package_id, owner_id, quantity, reserved_quantity, in_date, the
 *   inventory-count fields),
 * - `stock_location` from addons/stock/models/stock_location.py (name, complete_name, usage with
 *   its seven values, location_id parent, parent_path, company_id, scrap_location, warehouse_id),
 * - `product_product` from addons/product/models/product_product.py (default_code, the optional
 *   Internal Reference; barcode; product_tmpl_id),
 * - `product_template` from addons/product/models/product_template.py (name, translated, so jsonb
 *   since 16.0; detailed_type, uom_id, tracking).
 * Column types follow the ORM: Many2one int4, Char varchar, Float with digits numeric, Boolean bool,
 * Selection varchar, Datetime `timestamp without time zone` holding UTC, Date date; every table has
 * the ORM's id serial and create_uid/create_date/write_uid/write_date.
 */
const audit = 'create_uid int4, create_date timestamp without time zone, write_uid int4, write_date timestamp without time zone';

export const odooTables = [
  `create table product_template (id serial primary key, name jsonb not null, sequence int4, description jsonb, type varchar not null,
    detailed_type varchar not null, categ_id int4 not null, list_price numeric, volume numeric, weight numeric, sale_ok bool, purchase_ok bool,
    uom_id int4 not null, uom_po_id int4 not null, company_id int4, active bool default true, default_code varchar, tracking varchar not null default 'none', ${audit})`,
  `create table product_product (id serial primary key, product_tmpl_id int4 not null references product_template on delete cascade,
    default_code varchar, barcode varchar, combination_indices varchar, active bool default true, volume numeric, weight numeric, ${audit})`,
  `create unique index product_product_barcode_uniq on product_product (barcode) where barcode is not null`,
  `create table stock_location (id serial primary key, name varchar not null, complete_name varchar, active bool default true, usage varchar not null,
    location_id int4 references stock_location, comment text, posx int4 default 0, posy int4 default 0, posz int4 default 0, parent_path varchar,
    company_id int4, scrap_location bool default false, return_location bool default false, replenish_location bool default false,
    removal_strategy_id int4, barcode varchar, cyclic_inventory_frequency int4 default 0, last_inventory_date date, next_inventory_date date,
    warehouse_id int4, storage_category_id int4, ${audit})`,
  `create table stock_quant (id serial primary key, product_id int4 not null references product_product on delete restrict, company_id int4,
    location_id int4 not null references stock_location on delete restrict, storage_category_id int4, lot_id int4, package_id int4, owner_id int4,
    user_id int4, inventory_date date, quantity numeric, reserved_quantity numeric not null, inventory_quantity numeric, inventory_diff_quantity numeric,
    inventory_quantity_set bool default false, in_date timestamp without time zone not null, accounting_date date, ${audit})`,
];

export interface LocationRow {
  id: number;
  name: string;
  usage: 'supplier' | 'view' | 'internal' | 'customer' | 'inventory' | 'production' | 'transit';
  parent?: number;
  scrap_location?: boolean;
}

export interface ProductRow {
  id: number;
  name: string;
  default_code: string | null;
  barcode?: string | null;
}

export interface QuantRow {
  product: number;
  location: number;
  quantity: number;
  reserved_quantity?: number;
  owner_id?: number | null;
  lot_id?: number | null;
  /** UTC, as Odoo writes it (timestamp without time zone). */
  write_date: string;
}

/**
 * The locations Odoo's stock module creates for two warehouses (WH and WW: a view, its Stock
 * with shelves), the virtual Partners/Customers and Virtual Locations/Inventory adjustment, the
 * inter-company transit location, an internal scrap shelf and an unmapped third warehouse.
 */
export const odooLocations: LocationRow[] = [
  { id: 1, name: 'Physical Locations', usage: 'view' },
  { id: 2, name: 'Partners', usage: 'view' },
  { id: 3, name: 'Virtual Locations', usage: 'view' },
  { id: 4, name: 'Customers', usage: 'customer', parent: 2 },
  { id: 5, name: 'Inventory adjustment', usage: 'inventory', parent: 3 },
  { id: 6, name: 'Inter-company transit', usage: 'transit', parent: 1 },
  { id: 10, name: 'WH', usage: 'view', parent: 1 },
  { id: 11, name: 'Stock', usage: 'internal', parent: 10 },
  { id: 12, name: 'Shelf 1', usage: 'internal', parent: 11 },
  { id: 13, name: 'Damaged', usage: 'internal', parent: 11, scrap_location: true },
  { id: 20, name: 'WW', usage: 'view', parent: 1 },
  { id: 21, name: 'Stock', usage: 'internal', parent: 20 },
  { id: 30, name: 'ZZ', usage: 'view', parent: 1 },
  { id: 31, name: 'Stock', usage: 'internal', parent: 30 },
];

/** complete_name as stock.location computes it: the parent's complete_name and the name, or the name alone for a view or a root. */
function completeNames(rows: LocationRow[]): Map<number, string> {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const names = new Map<number, string>();
  const nameOf = (row: LocationRow): string => {
    const parent = row.parent === undefined ? undefined : byId.get(row.parent);
    return parent && row.usage !== 'view' ? `${nameOf(parent)}/${row.name}` : row.name;
  };
  for (const row of rows) names.set(row.id, nameOf(row));
  return names;
}

export async function createOdooDatabase(client: pg.Client, site: { locations: LocationRow[]; products: ProductRow[]; quants: QuantRow[] }): Promise<void> {
  for (const ddl of odooTables) await client.query(ddl);
  const names = completeNames(site.locations);
  for (const row of site.locations) {
    await client.query('insert into stock_location (id, name, complete_name, usage, location_id, scrap_location, parent_path, company_id) values ($1, $2, $3, $4, $5, $6, $7, 1)', [
      row.id, row.name, names.get(row.id), row.usage, row.parent ?? null, row.scrap_location ?? false, `${row.parent ? `${row.parent}/` : ''}${row.id}/`,
    ]);
  }
  for (const row of site.products) {
    await client.query(
      `insert into product_template (id, name, type, detailed_type, categ_id, uom_id, uom_po_id, default_code, tracking, write_date) values ($1, $2, 'product', 'product', 1, 1, 1, $3, 'none', now() at time zone 'utc')`,
      [row.id, JSON.stringify({ en_US: row.name }), row.default_code],
    );
    await client.query('insert into product_product (id, product_tmpl_id, default_code, barcode, combination_indices) values ($1, $1, $2, $3, $4)', [row.id, row.default_code, row.barcode ?? null, '']);
  }
  for (const row of site.quants) {
    await client.query(
      'insert into stock_quant (product_id, company_id, location_id, owner_id, lot_id, quantity, reserved_quantity, in_date, create_date, write_date) values ($1, 1, $2, $3, $4, $5, $6, $7, $7, $7)',
      [row.product, row.location, row.owner_id ?? null, row.lot_id ?? null, row.quantity, row.reserved_quantity ?? 0, row.write_date],
    );
  }
}
