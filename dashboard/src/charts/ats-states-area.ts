import { areaY, axisX, axisY, lineY, plot, pointerX, ruleY, selectLast, stackY, text, tip } from '@observablehq/plot';
import { formatCount, formatDay, toDate } from '../data/format.ts';
import { sumBy } from '../data/rollup.ts';
import { colors, stockStates } from '../theme.ts';

export type AtsDailyRow = Record<string, unknown> & { day: unknown; location_id: string };

const stateKeys = stockStates.map((s) => s.key);

/**
 * Stock split into what can be sold and why the rest cannot, per day, summed over the locations
 * in view; the dark line is the total on hand, so the blue band's share of it is the sellable share.
 */
export function atsStatesArea(rows: AtsDailyRow[], width: number): Element {
  const days = sumBy(rows, (row) => String(toDate(row.day)?.toISOString()), [...stateKeys, 'total_units'] as const);
  const long = days.flatMap((day) =>
    stockStates.map((state) => ({ day: toDate(day.first.day), state: state.label, units: day[state.key], total: day.total_units })),
  );
  const totals = days.map((day) => ({ day: toDate(day.first.day), total: day.total_units }));
  return plot({
    width,
    height: 300,
    marginLeft: 56,
    marginRight: 12,
    x: { type: 'utc', label: null },
    y: { label: 'units', grid: true, tickFormat: formatCount },
    color: { legend: true, domain: stockStates.map((s) => s.label), range: stockStates.map((s) => s.color) },
    marks: [
      axisX({ ticks: width < 700 ? 4 : 8, tickFormat: formatDay }),
      axisY({ tickFormat: formatCount, label: 'units' }),
      areaY(long, stackY({ x: 'day', y: 'units', fill: 'state', order: stockStates.map((s) => s.label), className: 'state-area' })),
      lineY(totals, { x: 'day', y: 'total', stroke: colors.ink, strokeWidth: 1.5, strokeDasharray: '4,3', className: 'total-line' }),
      text(totals, selectLast({ x: 'day', y: 'total', text: () => 'total on hand', textAnchor: 'end', dy: -8, fill: colors.ink })),
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
