import type { FetchedRows } from '../stage-rows.ts';

export const stockStates = ['on_hand', 'committed', 'reserved_other', 'damaged', 'in_transit', 'incoming'] as const;
export type StockState = (typeof stockStates)[number];

interface Total {
  location: string;
  sku: string;
  quantities: Record<StockState, number>;
  updatedAt: string | null;
  records: unknown[];
}

/**
 * An ERP's stock rows (bins, quants) summed per Stocklens location and SKU: several vendor
 * warehouses or locations mapped to one location are one figure, not duplicate keys. Each row
 * keeps the vendor records it sums in `raw`, and the newest of their update times.
 */
export class StockTotals {
  private readonly totals = new Map<string, Total>();

  add(location: string, sku: string, quantities: Partial<Record<StockState, number>>, updatedAt: string | null, record: unknown): void {
    const key = JSON.stringify([location, sku]);
    let total = this.totals.get(key);
    if (!total) {
      total = { location, sku, quantities: { on_hand: 0, committed: 0, reserved_other: 0, damaged: 0, in_transit: 0, incoming: 0 }, updatedAt: null, records: [] };
      this.totals.set(key, total);
    }
    for (const state of stockStates) total.quantities[state] += quantities[state] ?? 0;
    if (updatedAt && (!total.updatedAt || updatedAt > total.updatedAt)) total.updatedAt = updatedAt;
    total.records.push(record);
  }

  /** Canonical stock rows; `recordsKey` names the vendor's records in `raw` ({bins: [...]}). */
  rows(recordsKey: string): FetchedRows {
    const totals = [...this.totals.values()];
    return {
      columns: ['location_id', 'sku', 'source_updated_at', ...stockStates, 'quantity_semantics'],
      rows: totals.map((total) => [total.location, total.sku, total.updatedAt, ...stockStates.map((state) => fourPlaces(total.quantities[state])), 'physical']),
      raws: totals.map((total) => ({ [recordsKey]: total.records })),
    };
  }
}

/** Sums of decimal quantities in doubles carry float noise (0.1 + 0.2); the landing keeps four places. */
function fourPlaces(value: number): number {
  return Math.round(value * 10_000) / 10_000 + 0;
}
