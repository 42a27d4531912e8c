import { css, html, type TemplateResult } from 'lit';
import { drillHref, weekRange } from '../data/drill.ts';
import { formatAverageUnits, formatCompact, formatCount, formatDay, formatMoney, formatPercent, isoDay, toDate } from '../data/format.ts';
import { weekInProgress } from '../data/rollup.ts';
import './kpi-tile.ts';

export const kpiStyles = css`
  .kpis { display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: 0.75rem; margin-bottom: 1rem; }
  @media (max-width: 1100px) { .kpis { grid-template-columns: repeat(3, minmax(0, 1fr)); } }
  /* A phone: two tiles a row, so a value such as "$4.3K" fits its tile at the tile's type size. */
  @media (max-width: 640px) { .kpis { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.5rem; } }
`;

export type WeeklyHealthRow = Record<string, unknown> & { week: unknown; location_id: string };

/**
 * The tiles' figures: the latest whole week of rpt_weekly_health against the one before. A partial
 * week (still in progress, or cut by a date filter) would compare two days with seven and look like
 * a great improvement; it is only shown when there is no whole week at all.
 */
export function latestTwoWeeks(rows: WeeklyHealthRow[], locationId: string, lastDay?: string): { latest?: WeeklyHealthRow; previous?: WeeklyHealthRow; partial?: WeeklyHealthRow } {
  const weeks = rows.filter((row) => row.location_id === locationId).sort((a, b) => toDate(a.week)!.getTime() - toDate(b.week)!.getTime());
  const complete = weeks.filter((row) => !isPartialWeek(row, lastDay));
  if (complete.length === 0) return { latest: weeks.at(-1), previous: weeks.at(-2) };
  const latest = complete.at(-1)!;
  const partial = weeks.at(-1) === latest ? undefined : weeks.at(-1);
  return { latest, previous: complete.at(-2), partial };
}

/**
 * Whether a week of rpt_weekly_health covers only part of the week: the mart says so
 * (`is_partial`, from the hours its buckets cover); a week that runs past the last day shown (a date
 * filter ending mid-week) is partial on the page too.
 */
function isPartialWeek(row: WeeklyHealthRow, lastDay?: string): boolean {
  return row.is_partial === true || weekInProgress(row.week, lastDay);
}

/** The last day with stock figures: what decides whether the latest week is complete. */
export function lastDayOf(atsDaily: Record<string, unknown>[]): string | undefined {
  let last: Date | undefined;
  for (const row of atsDaily) {
    const day = toDate(row.day);
    if (day && (!last || day > last)) last = day;
  }
  return last?.toISOString().slice(0, 10);
}

const num = (row: WeeklyHealthRow | undefined, key: string) => (row && row[key] !== null && row[key] !== undefined ? Number(row[key]) : undefined);

/**
 * The previous week's figure: the mart's own `<key>_prev` when it has one (right even when the
 * date filter starts at the latest week), else the row before.
 */
export function previousValue(latest: WeeklyHealthRow, previous: WeeklyHealthRow | undefined, key: string): number | undefined {
  return `${key}_prev` in latest ? num(latest, `${key}_prev`) : num(previous, key);
}

/** One system's mismatch rate in the tiles' week and the week before, when the page is filtered to it. */
export interface SystemMismatch {
  source: string;
  value?: number;
  previous?: number;
}

/** What the hidden-units average stands for: how many SKU-locations, how many unit-hours. */
function hiddenDetail(latest: WeeklyHealthRow): string {
  const pairs = num(latest, 'hidden_sku_locations');
  const unitHours = num(latest, 'hidden_unit_hours');
  if (pairs === undefined || unitHours === undefined) return 'sellable, but shown as unavailable';
  return `on average, sellable but shown as unavailable: ${formatCompact(unitHours)} unit-hours on ${formatCount(pairs)} SKU-location${pairs === 1 ? '' : 's'}`;
}

/**
 * Where each tile's rows are listed: the order lines, mismatches or SKU stock rows of the tile's
 * week and location that rpt_weekly_health counted for it. Hidden units are an average over the
 * week's hours: their rows are the SKU-locations a channel hid stock of that week, whose
 * unit-hours and count are the tile's detail.
 */
export function tileLinks(latest: WeeklyHealthRow, lastDay: string | undefined, source?: string): Record<string, string> {
  const week = weekRange(latest.week);
  const location = latest.location_id;
  // The stock figures are the week's last day: its Sunday, or the last day of data in a week still in progress.
  const stockDay = lastDay && lastDay < week.to ? lastDay : week.to;
  const stockErrors = { location, ...week, at: 'cancelled', status: 'cancelled', stock_cause: ['confirmed', 'inferred'] };
  return {
    ats_share: drillHref('skus', { location, day: stockDay }),
    mismatch_rate: drillHref('mismatches', { location, source, week: isoDay(latest.week) }),
    oversell_lines: drillHref('order-lines', { location, ...week, oversell: 'true' }),
    stock_cancellations: drillHref('order-lines', stockErrors),
    lost_revenue: drillHref('order-lines', stockErrors),
    hidden_units: drillHref('hidden-units', { location, week: isoDay(latest.week) }),
  };
}

/** Six tiles a CEO reads left to right: can we sell it, are the systems right, what did it cost. */
export function weeklyKpis(latest: WeeklyHealthRow, previous: WeeklyHealthRow | undefined, system?: SystemMismatch, lastDay?: string): TemplateResult {
  const links = tileLinks(latest, lastDay, system?.source);
  const tile = (key: string, label: string, options: { upIsGood?: boolean; format: (v: unknown) => string; points?: boolean; detail?: string; value?: number; previous?: number }) =>
    html`<sl-kpi-tile
      data-kpi=${key}
      label=${label}
      .value=${'value' in options ? options.value : num(latest, key)}
      .previous=${'previous' in options ? options.previous : previousValue(latest, previous, key)}
      ?upIsGood=${options.upIsGood ?? false}
      .format=${options.format}
      changeAs=${options.points ? 'points' : 'difference'}
      detail=${options.detail ?? ''}
      href=${links[key] ?? ''}
    ></sl-kpi-tile>`;
  const lost = num(latest, 'lost_revenue');
  return html`<div class="kpis" role="group" aria-label="Week of ${formatDay(latest.week)}">
    ${tile('ats_share', 'Sellable share of stock', { upIsGood: true, format: formatPercent, points: true, detail: `${formatCompact(latest.ats_units)} of ${formatCompact(latest.total_units)} units on hand` })}
    ${system
      ? tile('mismatch_rate', `Mismatch rate of ${system.source}`, { format: formatPercent, points: true, detail: `${system.source}'s figures that disagree with the truth`, value: system.value, previous: system.previous })
      : tile('mismatch_rate', 'Mismatch rate', { format: formatPercent, points: true, detail: 'system figures that disagree with the truth' })}
    ${tile('oversell_lines', 'Oversold order lines', { format: formatCount, detail: oversellDetail(num(latest, 'allocation_breach_lines')) })}
    ${tile('stock_cancellations', 'Stock-error cancellations', { format: formatCount, detail: 'order lines cancelled because stock was wrong' })}
    ${tile('lost_revenue', 'Revenue lost to stock errors', { format: (v) => formatMoney(v), detail: lost === undefined ? '' : `${formatMoney(lost, { exact: true })} in cancelled lines` })}
    ${tile('hidden_units', 'Hidden units', { format: formatAverageUnits, detail: hiddenDetail(latest) })}
  </div>`;
}

/** Allocation breaches are shown beside oversells, never in their count: the location had those units. */
function oversellDetail(breaches: number | undefined): string {
  const oversold = 'sold, then not fulfilled for want of stock';
  if (breaches === undefined) return oversold;
  return `${oversold}; apart: ${formatCount(breaches)} sold beyond a channel's allocation while the stock was there`;
}
