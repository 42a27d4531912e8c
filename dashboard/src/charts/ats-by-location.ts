import { barY, plot, ruleY } from '@observablehq/plot';
import { formatCount } from '../data/format.ts';
import { colors } from '../theme.ts';

export interface AtsRow {
  location_id: string;
  location_name: string;
  total_units: number;
  ats_units: number;
}

/** Total stock against available-to-sell per location: the gap is stock the business cannot sell. */
export function atsByLocation(rows: AtsRow[], width: number): Element {
  return plot({
    width,
    height: 300,
    marginLeft: 64,
    x: { label: null, padding: 0.3 },
    y: { label: 'units', grid: true, tickFormat: formatCount },
    color: { legend: true, domain: ['total', 'available to sell'], range: ['#c9d3e3', colors.sellable] },
    marks: [
      barY(rows, { x: 'location_name', y: 'total_units', fill: () => 'total', title: (d: AtsRow) => `${d.location_name}: ${d.total_units} units in stock`, className: 'total-bar' }),
      barY(rows, { x: 'location_name', y: 'ats_units', fill: () => 'available to sell', insetLeft: 6, insetRight: 6, title: (d: AtsRow) => `${d.location_name}: ${d.ats_units} units available to sell`, className: 'ats-bar' }),
      ruleY([0]),
    ],
  });
}
