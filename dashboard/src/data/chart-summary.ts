import { formatCount, formatDay, formatPercent, toDate } from './format.ts';
import { rate, sumBy } from './rollup.ts';

/**
 * One sentence per chart, with its figures: what a reader who cannot see the chart needs first.
 * Each reads the rows the chart is drawn from, so the sentence and the marks never disagree.
 */
type Row = Record<string, unknown>;

const num = (value: unknown) => Number(value ?? 0) || 0;

/** "On Jan 25, 95,210 of 106,840 units on hand (89.1%) could be sold." */
export function stockSummary(rows: Row[]): string {
  const days = sumBy(rows, (row) => String(toDate(row.day)?.toISOString()), ['ats_units', 'total_units'] as const).sort((a, b) => a.key.localeCompare(b.key));
  const last = days.at(-1);
  if (!last) return '';
  return `On ${formatDay(last.first.day)}, ${formatCount(last.ats_units)} of ${formatCount(last.total_units)} units on hand (${formatPercent(rate(last.ats_units, last.total_units))}) could be sold; ${days.length} day${days.length === 1 ? '' : 's'} shown.`;
}

/** Each system's rate over the whole range, worst first. */
export function mismatchRateSummary(rows: Row[]): string {
  const systems = sumBy(rows, (row) => String(row.source), ['compared', 'mismatched'] as const)
    .map((s) => ({ source: s.key, rate: rate(s.mismatched, s.compared) }))
    .filter((s) => s.rate !== null)
    .sort((a, b) => b.rate! - a.rate!);
  if (systems.length === 0) return '';
  return `Over the range, ${systems.map((s) => `${s.source} ${formatPercent(s.rate)}`).join(', ')} of comparisons disagreed with the truth.`;
}

/** The worst location and week. */
export function heatmapSummary(rows: Row[], nameOf: (id: string) => string): string {
  const cells = sumBy(rows, (row) => `${toDate(row.week)?.toISOString()}|${row.location_id}`, ['compared', 'mismatched'] as const)
    .map((c) => ({ week: c.first.week, location: String(c.first.location_id), rate: rate(c.mismatched, c.compared) }))
    .filter((c) => c.rate !== null)
    .sort((a, b) => b.rate! - a.rate!);
  const worst = cells[0];
  return worst ? `${cells.length} location-weeks; the worst is ${nameOf(worst.location)} in the week of ${formatDay(worst.week)} at ${formatPercent(worst.rate)}.` : '';
}

/** The first of the ranking, and how many share its rank. */
export function rankingSummary(rows: Row[], nameOf: (row: Row) => string): string {
  const ranked = rows.filter((row) => row.mismatch_rate !== null && row.mismatch_rate !== undefined);
  if (ranked.length === 0) return 'No location has comparisons in this range.';
  const first = ranked.filter((row) => num(row.rank) === num(ranked[0].rank));
  const names = first.map(nameOf).join(' and ');
  return `${names} ${first.length > 1 ? 'share' : 'has'} the highest mismatch rate (${formatPercent(first[0].mismatch_rate)}), with ${formatCount(first.reduce((sum, row) => sum + num(row.oversell_lines), 0))} oversold lines and ${formatCount(first.reduce((sum, row) => sum + num(row.stock_cancellations), 0))} stock-error cancellations.`;
}

/** The location with the smallest sellable share. */
export function atsByLocationSummary(rows: Row[]): string {
  const shares = rows.map((row) => ({ name: String(row.location_name ?? row.location_id), share: rate(num(row.ats_units), num(row.total_units)) })).filter((s) => s.share !== null).sort((a, b) => a.share! - b.share!);
  return shares.length > 0 ? `${shares[0].name} can sell the smallest share of its stock (${formatPercent(shares[0].share)}); ${shares.at(-1)!.name} the largest (${formatPercent(shares.at(-1)!.share)}).` : '';
}

/** How many cancelled lines stock errors caused. */
export function cancellationSummary(rows: Row[], linesOf: (row: Row) => number): string {
  const all = rows.reduce((sum, row) => sum + linesOf(row), 0);
  const stock = rows.filter((row) => row.stock_cause === 'confirmed' || row.stock_cause === 'inferred').reduce((sum, row) => sum + linesOf(row), 0);
  return all > 0 ? `${formatCount(stock)} of ${formatCount(all)} cancelled lines were stock errors (${formatPercent(stock / all)}).` : '';
}
