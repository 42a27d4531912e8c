import { axisY, barX, plot, ruleX, text } from '@observablehq/plot';
import { formatCount } from '../data/format.ts';
import { colors } from '../theme.ts';

export interface RankedLocation {
  label: string;
  errors: number;
  detail: string;
}

/** Locations ranked by the errors they caused, largest first, each bar labelled with its figure. */
export function locationRanking(items: RankedLocation[], width: number, measure: string): Element {
  const sorted = [...items].sort((a, b) => b.errors - a.errors);
  return plot({
    width,
    height: 30 + sorted.length * 30,
    marginLeft: 110,
    marginRight: 56,
    x: { label: measure, grid: true, tickFormat: formatCount },
    y: { domain: sorted.map((i) => i.label), label: null },
    marks: [
      axisY({ tickSize: 0 }),
      barX(sorted, { x: 'errors', y: 'label', fill: colors.over, fillOpacity: 0.85, className: 'rank-bar', title: (i: RankedLocation) => `${i.label}: ${i.detail}` }),
      text(sorted, { x: 'errors', y: 'label', text: (i: RankedLocation) => formatCount(i.errors), textAnchor: 'start', dx: 4, fill: colors.ink }),
      ruleX([0]),
    ],
  });
}
