import { axisY, dot, lineY, plot, pointerX, ruleY, tip } from '@observablehq/plot';
import { formatDay, formatPercent, formatPercentTick } from '../data/format.ts';
import { hoursSoFar, periodKey, periodOf, rate, sumBy } from '../data/rollup.ts';
import { sourceColors } from '../theme.ts';
import { timeAxisX } from './time-axis.ts';

export type MismatchRateRow = Record<string, unknown> & { source: string; compared: number; mismatched: number };

/** One point of the chart: a system's rate in a period. */
export interface RatePoint {
  period: Date;
  source: string;
  rate: number;
  compared: number;
  mismatched: number;
}

/**
 * Mismatch rate per system over time (mismatched / compared, summed before dividing). With `link`,
 * each point is a dot that opens the mismatches it counts. A period the data covers only in part
 * (it ends at `dataEnd`, from dataEndOf) is left out, and the caption says how much of it there is
 * so far: an hour of comparisons is not a day's rate, and drawn beside whole days it reads as one.
 */
export function mismatchRateLines(rows: MismatchRateRow[], width: number, link?: (point: RatePoint) => string, dataEnd?: Date): Element {
  const periodHours = rows.some((row) => row.week !== undefined) ? 7 * 24 : 24;
  const periods = sumBy(rows, (row) => `${periodKey(row)}|${row.source}`, ['compared', 'mismatched'] as const)
    .map((group) => ({ period: periodOf(group.first)!, source: group.first.source, rate: rate(group.mismatched, group.compared), compared: group.compared, mismatched: group.mismatched }))
    .filter((point) => point.rate !== null)
    .sort((a, b) => a.period.getTime() - b.period.getTime());
  const partial = periods.find((p) => hoursSoFar(p.period, periodHours, dataEnd) !== undefined)?.period;
  const points = periods.filter((p) => partial === undefined || p.period.getTime() !== partial.getTime());
  const sources = [...new Set(points.map((p) => p.source))];
  const single = new Set(points.map((p) => p.period.getTime())).size === 1;
  return plot({
    width,
    height: 280,
    marginLeft: 56,
    caption: partial ? `${formatDay(partial)} is still in progress (${hoursSoFar(partial, periodHours, dataEnd)} of ${periodHours} h so far) and left out.` : undefined,
    x: { type: 'utc', label: null },
    y: { label: 'mismatch rate', grid: true, domain: [0, Math.max(0.01, ...points.map((p) => p.rate!))], nice: true },
    color: { legend: true, ...sourceColors(sources) },
    marks: [
      timeAxisX(points.map((p) => p.period), width),
      axisY({ tickFormat: formatPercentTick, label: 'mismatch rate' }),
      ruleY([0]),
      lineY(points, { x: 'period', y: 'rate', stroke: 'source', strokeWidth: 2, className: 'rate-line' }),
      single || link
        ? dot(points, {
            x: 'period',
            y: 'rate',
            fill: 'source',
            r: single ? 4 : 2.5,
            className: 'rate-dot',
            href: link ? (p: (typeof points)[number]) => link(p as RatePoint) : undefined,
            ariaLabel: (p: (typeof points)[number]) => `${p.source}, ${formatDay(p.period)}: ${formatPercent(p.rate)}, ${p.mismatched} mismatches`,
          })
        : null,
      tip(points, pointerX({ x: 'period', y: 'rate', stroke: 'source', title: (p: (typeof points)[number]) => `${p.source} · ${formatDay(p.period)}\n${formatPercent(p.rate)} (${p.mismatched} of ${p.compared} comparisons)` })),
    ],
  });
}
