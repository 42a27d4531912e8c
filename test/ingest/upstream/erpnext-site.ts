import type * as mariadb from 'mariadb';

/**
 * An ERPNext site's stock tables in MariaDB, as Frappe creates them from ERPNext's doctypes:
 * - `tabBin` from erpnext/stock/doctype/bin/bin.json (version-15 field list, "modified"
 *   2024-01-10: actual_qty … reserved_qty_for_production_plan, reserved_stock),
 * - `tabWarehouse` from erpnext/stock/doctype/warehouse/warehouse.json (develop, "modified"
 *   2026-02-05: parent_warehouse, lft/rgt, warehouse_type, is_rejected_warehouse,
 *   default_in_transit_warehouse),
 * - `tabItem` from erpnext/stock/doctype/item/item.json (the fields around the item's identity
 *   and stock settings; a real table has ~100 more columns, none read here).
 * Column types follow Frappe's MariaDB type map: Data/Link/Select varchar(140), Check int(1),
 * Int int(11), Float and Currency decimal(21,9), Datetime datetime(6), Text text; every table
 * carries Frappe's standard columns (name, creation, modified, modified_by, owner, docstatus, idx)
 * and the list-view text columns (_user_tags, _comments, _assign, _liked_by).
 */
const standard = `
  name varchar(140) not null primary key,
  creation datetime(6), modified datetime(6), modified_by varchar(140), owner varchar(140),
  docstatus int(1) not null default 0, idx int(8) not null default 0`;
const listView = '_user_tags text, _comments text, _assign text, _liked_by text';
const float = (name: string) => `${name} decimal(21,9) not null default 0`;

export const erpnextV15Tables = {
  tabWarehouse: `create table \`tabWarehouse\` (${standard},
    disabled int(1) not null default 0, warehouse_name varchar(140), company varchar(140), is_rejected_warehouse int(1) not null default 0,
    account varchar(140), parent_warehouse varchar(140), is_group int(1) not null default 0, customer varchar(140),
    email_id varchar(140), phone_no varchar(140), mobile_no varchar(140), address_line_1 varchar(140), address_line_2 varchar(140),
    city varchar(140), state varchar(140), pin varchar(140), warehouse_type varchar(140), default_in_transit_warehouse varchar(140),
    lft int(11) not null default 0, rgt int(11) not null default 0, old_parent varchar(140), ${listView},
    key parent_warehouse (parent_warehouse), key company (company), key lft (lft), key rgt (rgt)) engine=InnoDB`,
  tabItem: `create table \`tabItem\` (${standard},
    naming_series varchar(140), item_code varchar(140) unique, variant_of varchar(140), item_name varchar(140), item_group varchar(140),
    stock_uom varchar(140), disabled int(1) not null default 0, allow_alternative_item int(1) not null default 0,
    is_stock_item int(1) not null default 1, has_variants int(1) not null default 0, ${float('opening_stock')},
    valuation_rate decimal(21,9) not null default 0, standard_rate decimal(21,9) not null default 0, is_fixed_asset int(1) not null default 0,
    description longtext, brand varchar(140), ${float('weight_per_unit')}, weight_uom varchar(140), allow_negative_stock int(1) not null default 0,
    has_batch_no int(1) not null default 0, has_serial_no int(1) not null default 0, ${float('safety_stock')}, ${float('min_order_qty')},
    ${listView}) engine=InnoDB`,
  tabBin: `create table \`tabBin\` (${standard},
    item_code varchar(140), warehouse varchar(140),
    ${['actual_qty', 'planned_qty', 'indented_qty', 'ordered_qty', 'projected_qty', 'reserved_qty', 'reserved_qty_for_production',
      'reserved_qty_for_sub_contract', 'reserved_qty_for_production_plan', 'reserved_stock'].map(float).join(', ')},
    stock_uom varchar(140), ${float('valuation_rate')}, ${float('stock_value')}, ${listView},
    unique key unique_item_warehouse (item_code, warehouse), key item_code (item_code), key warehouse (warehouse)) engine=InnoDB`,
};

export interface WarehouseRow {
  name: string;
  warehouse_name: string;
  company: string;
  parent_warehouse?: string | null;
  is_group?: 0 | 1;
  lft: number;
  rgt: number;
  warehouse_type?: string | null;
  is_rejected_warehouse?: 0 | 1;
  default_in_transit_warehouse?: string | null;
}

/**
 * Two companies as ERPNext's setup wizard makes them (Acme Retail, abbreviation ACME; Acme
 * Rentals, AR): under each company's `All Warehouses` group, Stores, Finished Goods, Work In
 * Progress and Goods In Transit (warehouse_type Transit). ACME also has a rejected warehouse, a
 * `West Region` group with two shelves linked by parent_warehouse, and a `North` group whose
 * children an import left with only the nested set (lft/rgt, no parent_warehouse).
 */
export const twoCompanies: WarehouseRow[] = [
  { name: 'All Warehouses - ACME', warehouse_name: 'All Warehouses', company: 'Acme Retail', is_group: 1, lft: 1, rgt: 26 },
  { name: 'Stores - ACME', warehouse_name: 'Stores', company: 'Acme Retail', parent_warehouse: 'All Warehouses - ACME', lft: 2, rgt: 3, default_in_transit_warehouse: 'Goods In Transit - ACME' },
  { name: 'Finished Goods - ACME', warehouse_name: 'Finished Goods', company: 'Acme Retail', parent_warehouse: 'All Warehouses - ACME', lft: 4, rgt: 5 },
  { name: 'Work In Progress - ACME', warehouse_name: 'Work In Progress', company: 'Acme Retail', parent_warehouse: 'All Warehouses - ACME', lft: 6, rgt: 7 },
  { name: 'Goods In Transit - ACME', warehouse_name: 'Goods In Transit', company: 'Acme Retail', parent_warehouse: 'All Warehouses - ACME', lft: 8, rgt: 9, warehouse_type: 'Transit' },
  { name: 'Rejected - ACME', warehouse_name: 'Rejected', company: 'Acme Retail', parent_warehouse: 'All Warehouses - ACME', lft: 10, rgt: 11, is_rejected_warehouse: 1 },
  { name: 'West Region - ACME', warehouse_name: 'West Region', company: 'Acme Retail', parent_warehouse: 'All Warehouses - ACME', is_group: 1, lft: 12, rgt: 17 },
  { name: 'West Shelf A - ACME', warehouse_name: 'West Shelf A', company: 'Acme Retail', parent_warehouse: 'West Region - ACME', lft: 13, rgt: 14 },
  { name: 'West Shelf B - ACME', warehouse_name: 'West Shelf B', company: 'Acme Retail', parent_warehouse: 'West Region - ACME', lft: 15, rgt: 16 },
  { name: 'North - ACME', warehouse_name: 'North', company: 'Acme Retail', parent_warehouse: 'All Warehouses - ACME', is_group: 1, lft: 18, rgt: 25 },
  { name: 'North Bay 1 - ACME', warehouse_name: 'North Bay 1', company: 'Acme Retail', parent_warehouse: null, lft: 19, rgt: 20 },
  { name: 'North Bay 2 - ACME', warehouse_name: 'North Bay 2', company: 'Acme Retail', parent_warehouse: null, lft: 21, rgt: 22 },
  { name: 'North Cold - ACME', warehouse_name: 'North Cold', company: 'Acme Retail', parent_warehouse: null, lft: 23, rgt: 24 },
  { name: 'All Warehouses - AR', warehouse_name: 'All Warehouses', company: 'Acme Rentals', is_group: 1, lft: 27, rgt: 36 },
  { name: 'Stores - AR', warehouse_name: 'Stores', company: 'Acme Rentals', parent_warehouse: 'All Warehouses - AR', lft: 28, rgt: 29, default_in_transit_warehouse: 'Goods In Transit - AR' },
  { name: 'Finished Goods - AR', warehouse_name: 'Finished Goods', company: 'Acme Rentals', parent_warehouse: 'All Warehouses - AR', lft: 30, rgt: 31 },
  { name: 'Work In Progress - AR', warehouse_name: 'Work In Progress', company: 'Acme Rentals', parent_warehouse: 'All Warehouses - AR', lft: 32, rgt: 33 },
  { name: 'Goods In Transit - AR', warehouse_name: 'Goods In Transit', company: 'Acme Rentals', parent_warehouse: 'All Warehouses - AR', lft: 34, rgt: 35, warehouse_type: 'Transit' },
];

export interface ItemRow {
  item_code: string;
  item_name: string;
  stock_uom: string;
}

export const items: ItemRow[] = [
  { item_code: 'TEE-S', item_name: 'Tee S', stock_uom: 'Nos' },
  { item_code: 'FLOUR', item_name: 'Flour', stock_uom: 'Kg' },
  { item_code: 'ROPE', item_name: 'Rope', stock_uom: 'Meter' },
];

export type BinQuantity =
  | 'actual_qty' | 'reserved_qty' | 'ordered_qty' | 'planned_qty' | 'indented_qty' | 'projected_qty'
  | 'reserved_qty_for_production' | 'reserved_qty_for_sub_contract' | 'reserved_qty_for_production_plan' | 'reserved_stock';

export interface BinRow extends Partial<Record<BinQuantity, number>> {
  item_code: string;
  warehouse: string;
  /** Frappe's naive datetime, in the site's time zone. */
  modified: string;
}

/** Creates the three tables (from `tables`, the version-15 shapes by default) and fills them. */
export async function createErpnextSite(
  connection: mariadb.Connection,
  site: { warehouses: WarehouseRow[]; items: ItemRow[]; bins: BinRow[] },
  tables: Record<string, string> = erpnextV15Tables,
): Promise<void> {
  for (const ddl of Object.values(tables)) await connection.query(ddl);
  const columnsOf = async (table: string) =>
    new Set(((await connection.query('select column_name as c from information_schema.columns where table_schema = database() and table_name = ?', [table])) as { c: string }[]).map((row) => row.c));
  const insert = async (table: string, rows: Record<string, unknown>[]) => {
    const present = await columnsOf(table);
    for (const row of rows) {
      const entries = Object.entries(row).filter(([column, value]) => present.has(column) && value !== undefined);
      await connection.query(`insert into \`${table}\` (${entries.map(([column]) => `\`${column}\``).join(', ')}) values (${entries.map(() => '?').join(', ')})`, entries.map(([, value]) => value));
    }
  };
  const stamp = '2026-10-01 09:00:00.000000';
  await insert('tabWarehouse', site.warehouses.map((row) => ({ ...row, creation: stamp, modified: stamp, owner: 'Administrator', modified_by: 'Administrator' })));
  await insert('tabItem', site.items.map((row) => ({ name: row.item_code, ...row, item_group: 'Products', creation: stamp, modified: stamp, owner: 'Administrator' })));
  await insert(
    'tabBin',
    site.bins.map((row, index) => {
      const projected = (row.actual_qty ?? 0) + (row.ordered_qty ?? 0) + (row.indented_qty ?? 0) + (row.planned_qty ?? 0) - (row.reserved_qty ?? 0) -
        (row.reserved_qty_for_production ?? 0) - (row.reserved_qty_for_sub_contract ?? 0) - (row.reserved_qty_for_production_plan ?? 0);
      // Bin names are random hashes since version 14 (autoname "hash").
      return { name: `b${(index + 1).toString(36).padStart(9, '0')}`, projected_qty: projected, stock_uom: site.items.find((item) => item.item_code === row.item_code)?.stock_uom, ...row, creation: stamp, owner: 'Administrator' };
    }),
  );
}
