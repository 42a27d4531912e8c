import { barX, plot, ruleX } from '@observablehq/plot';
import { formatCount } from '../data/format.ts';
import { colors } from '../theme.ts';

export interface AtsRow {
  location_id: string;
  location_name: string;
  total_units: number;
  ats_units: number;
}

/**
 * Total stock against available-to-sell per location: the gap is stock the business cannot sell.
 * Bars run sideways so a location's name reads in full at any width (upright, the names ran into
 * each other on a phone).
 */
export function atsByLocation(rows: AtsRow[], width: number): Element {
  const labelWidth = Math.min(130, 14 + Math.max(0, ...rows.map((r) => String(r.location_name).length)) * 6.5);
  return plot({
    width,
    height: 50 + rows.length * 34,
    marginLeft: labelWidth,
    marginRight: 24,
    y: { label: null, padding: 0.25 },
    x: { label: 'units', grid: true, tickFormat: formatCount, ticks: Math.max(2, Math.floor((width - labelWidth) / 90)) },
    color: { legend: true, domain: ['total', 'available to sell'], range: ['#c9d3e3', colors.sellable] },
    marks: [
      barX(rows, { y: 'location_name', x: 'total_units', fill: () => 'total', title: (d: AtsRow) => `${d.location_name}: ${d.total_units} units in stock`, className: 'total-bar' }),
      barX(rows, { y: 'location_name', x: 'ats_units', fill: () => 'available to sell', insetTop: 6, insetBottom: 6, title: (d: AtsRow) => `${d.location_name}: ${d.ats_units} units available to sell`, className: 'ats-bar' }),
      ruleX([0]),
    ],
  });
}
