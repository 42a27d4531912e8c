/**
 * The canonical entities a file can carry: their columns, types and which are
 * required. Landing casts every column from text and quarantines the rows that do not fit.
 */
export type Entity = 'stock' | 'orders' | 'events';

export interface ColumnSpec {
  name: string;
  type: 'varchar' | 'integer' | 'timestamptz' | 'decimal(18, 4)';
  /** A file without this column is rejected whole. */
  required?: boolean;
  /** When the file has the column, an empty cell is quarantined (even if an absent column has a default). */
  notEmpty?: boolean;
  /** SQL used when the file lacks the column (quantities are 0, optional fields NULL). */
  whenAbsent?: string;
  /**
   * A stock state a delta file may leave out: there it keeps the SKU-location's previous value
   * (it lands NULL, which the stock intervals fill from the last landed state; whenAbsent applies
   * to full snapshots only), and an empty cell in a delta is quarantined rather than read as 0.
   */
  keptInDelta?: boolean;
  /** Quantities that can never be negative. */
  nonNegative?: boolean;
}

export interface EntitySpec {
  entity: Entity;
  table: string;
  columns: ColumnSpec[];
  /** Columns that identify a row within one batch (a duplicate is quarantined). */
  key: string[];
  /** Groups of columns of which a file must carry at least one. */
  oneOf?: string[][];
}

/**
 * Quantities are decimal: ERPs keep stock in kg, litres and metres (12.5, 3.75), and sell and move
 * it the same way (an order line of 2.5 kg, a count adjustment of -0.75 l). Four places hold a
 * gram of a kilogram; an integer such as 12 (or 12.0) stays exactly 12.
 */
export const quantityType = 'decimal(18, 4)';

const quantity = (name: string, nonNegative = true): ColumnSpec => ({ name, type: quantityType, whenAbsent: '0', keptInDelta: true, nonNegative });

export const entitySpecs: Record<Entity, EntitySpec> = {
  stock: {
    entity: 'stock',
    table: 'stock_snapshot',
    key: ['location_id', 'sku', 'channel'],
    // A channel feed (Amazon's merchant-fulfilled figures) carries only the sellable figure; absent
    // quantity columns are 0 (kept, in a delta), but a file with neither figure says nothing.
    oneOf: [['on_hand', 'available_reported']],
    columns: [
      // captured_at defaults to the time in the file name.
      { name: 'captured_at', type: 'timestamptz', whenAbsent: 'captured_at' },
      { name: 'source_updated_at', type: 'timestamptz' },
      { name: 'location_id', type: 'varchar', required: true },
      { name: 'sku', type: 'varchar', required: true },
      // Negative on-hand (ERPNext's "Allow Negative Stock", Odoo's negative quants) is a real state
      // and an error signal upstream: it lands, counts 0 sellable and is flagged by the models.
      { name: 'on_hand', type: quantityType, whenAbsent: '0', keptInDelta: true, notEmpty: true },
      quantity('committed'),
      quantity('reserved_other'),
      quantity('damaged'),
      quantity('quality_control'),
      quantity('safety_stock'),
      quantity('in_transit'),
      quantity('incoming'),
      // A system's own sellable figure may be negative: that is an oversell, not bad data.
      { name: 'available_reported', type: quantityType },
      { name: 'quantity_semantics', type: 'varchar', whenAbsent: "'physical'" },
      { name: 'channel', type: 'varchar' },
    ],
  },
  orders: {
    entity: 'orders',
    table: 'order_line',
    key: ['order_id', 'line_id'],
    columns: [
      { name: 'captured_at', type: 'timestamptz', whenAbsent: 'captured_at' },
      { name: 'order_id', type: 'varchar', required: true },
      { name: 'line_id', type: 'varchar', required: true },
      { name: 'channel', type: 'varchar' },
      { name: 'placed_at', type: 'timestamptz', required: true },
      { name: 'sku', type: 'varchar', required: true },
      { name: 'quantity', type: quantityType, required: true, nonNegative: true },
      { name: 'unit_price', type: 'decimal(18, 4)' },
      { name: 'currency', type: 'varchar' },
      { name: 'location_id', type: 'varchar' },
      { name: 'status', type: 'varchar', required: true },
      { name: 'cancelled_at', type: 'timestamptz' },
      { name: 'cancel_reason_raw', type: 'varchar' },
      { name: 'cancel_reason', type: 'varchar' },
      { name: 'shipped_at', type: 'timestamptz' },
    ],
  },
  events: {
    entity: 'events',
    table: 'inventory_event',
    key: ['event_id'],
    columns: [
      { name: 'event_id', type: 'varchar', required: true },
      { name: 'occurred_at', type: 'timestamptz', required: true },
      { name: 'location_id', type: 'varchar', required: true },
      { name: 'sku', type: 'varchar', required: true },
      { name: 'delta', type: quantityType, required: true },
      { name: 'reason', type: 'varchar', required: true },
      { name: 'reference', type: 'varchar' },
    ],
  },
};
