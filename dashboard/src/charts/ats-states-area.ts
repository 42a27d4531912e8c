import { areaY, axisX, axisY, barY, dot, lineY, plot, pointerX, ruleY, stackY, tip } from '@observablehq/plot';
import { formatCount, formatDay, formatInteger, toDate } from '../data/format.ts';
import { sumBy } from '../data/rollup.ts';
import { colors, stockStates } from '../theme.ts';
import { timeAxisX } from './time-axis.ts';

export type AtsDailyRow = Record<string, unknown> & { day: unknown; location_id: string };

const stateKeys = stockStates.map((s) => s.key);

/**
 * Stock split into what can be sold and why the rest cannot, per day, summed over the locations
 * in view; the dashed line is the total on hand (named in the card's text: a label at its end ran
 * over the line), so the blue band's share of it is the sellable share. With `link`, each day's
 * total is a dot that opens that day's SKU rows.
 */
export function atsStatesArea(rows: AtsDailyRow[], width: number, link?: (day: Date) => string): Element {
  const days = sumBy(rows, (row) => String(toDate(row.day)?.toISOString()), [...stateKeys, 'total_units'] as const);
  const long = days.flatMap((day) =>
    stockStates.map((state) => ({ day: toDate(day.first.day), state: state.label, units: day[state.key], total: day.total_units })),
  );
  const totals = days.map((day) => ({ day: toDate(day.first.day), total: day.total_units }));
  const single = totals.length === 1;
  return plot({
    width,
    height: 300,
    marginLeft: 56,
    marginRight: 12,
    x: single ? { type: 'band', label: null, padding: 0.6 } : { type: 'utc', label: null },
    y: { label: 'units', grid: true, tickFormat: formatCount },
    color: { legend: true, domain: stockStates.map((s) => s.label), range: stockStates.map((s) => s.color) },
    marks: [
      single ? axisX({ tickFormat: formatDay }) : timeAxisX(totals.map((t) => t.day), width),
      axisY({ tickFormat: formatCount, label: 'units' }),
      // One day has no area to draw: its states stack as one bar instead of an empty chart.
      single
        ? barY(long, stackY({ x: 'day', y: 'units', fill: 'state', order: stockStates.map((s) => s.label), className: 'state-area' }))
        : areaY(long, stackY({ x: 'day', y: 'units', fill: 'state', order: stockStates.map((s) => s.label), className: 'state-area' })),
      single ? null : lineY(totals, { x: 'day', y: 'total', stroke: colors.ink, strokeWidth: 1.5, strokeDasharray: '4,3', className: 'total-line' }),
      link ? dot(totals, { x: 'day', y: 'total', r: 2.5, fill: colors.ink, className: 'total-dot', href: (d: { day: Date }) => link(d.day), ariaLabel: (d: { day: Date; total: number }) => `${formatDay(d.day)}: ${formatInteger(d.total)} units on hand` }) : null,
      tip(totals, pointerX({ x: 'day', y: 'total', title: (d: { day: Date; total: number }) => tipText(d.day, days) })),
      ruleY([0]),
    ],
  });
}

function tipText(day: Date, days: { first: AtsDailyRow; total_units: number }[]): string {
  const match = days.find((d) => toDate(d.first.day)?.getTime() === day.getTime());
  if (!match) return '';
  const lines = stockStates.map((state) => `${state.label}: ${formatCount((match as unknown as Record<string, number>)[state.key])}`);
  return [`${formatDay(day)} · total ${formatCount(match.total_units)}`, ...lines].join('\n');
}
