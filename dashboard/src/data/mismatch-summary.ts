import type { Row } from './api-client.ts';

export interface MismatchSummary extends Record<string, unknown> {
  sku: string;
  source: string;
  location_id: string;
  buckets: number;
  over: number;
  under: number;
  units: number;
  top_cause: string;
}

/** fct_mismatch rows (one per mismatched bucket) summed per SKU, system and location, worst first. */
export function summarizeMismatches(rows: Row[]): MismatchSummary[] {
  const groups = new Map<string, MismatchSummary & { causes: Map<string, number> }>();
  for (const row of rows) {
    const key = `${row.sku}|${row.source}|${row.location_id}`;
    let group = groups.get(key);
    if (!group) {
      group = { sku: String(row.sku), source: String(row.source), location_id: String(row.location_id), buckets: 0, over: 0, under: 0, units: 0, top_cause: '', causes: new Map() };
      groups.set(key, group);
    }
    group.buckets++;
    if (row.direction === 'over') group.over++;
    if (row.direction === 'under') group.under++;
    group.units = Math.max(group.units, Math.abs(Number(row.diff_units ?? 0)));
    const cause = String(row.probable_cause ?? 'unknown');
    group.causes.set(cause, (group.causes.get(cause) ?? 0) + 1);
  }
  return [...groups.values()]
    .map(({ causes, ...summary }) => ({ ...summary, top_cause: [...causes.entries()].sort((a, b) => b[1] - a[1])[0][0] }))
    .sort((a, b) => b.buckets - a.buckets);
}
