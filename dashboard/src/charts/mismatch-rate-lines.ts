import { axisY, dot, lineY, plot, pointerX, ruleY, tip } from '@observablehq/plot';
import { formatDay, formatPercent, formatPercentTick } from '../data/format.ts';
import { periodKey, periodOf, rate, sumBy } from '../data/rollup.ts';
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
 * each point is a dot that opens the mismatches it counts.
 */
export function mismatchRateLines(rows: MismatchRateRow[], width: number, link?: (point: RatePoint) => string): Element {
  const points = sumBy(rows, (row) => `${periodKey(row)}|${row.source}`, ['compared', 'mismatched'] as const)
    .map((group) => ({ period: periodOf(group.first), source: group.first.source, rate: rate(group.mismatched, group.compared), compared: group.compared, mismatched: group.mismatched }))
    .filter((point) => point.rate !== null)
    .sort((a, b) => a.period!.getTime() - b.period!.getTime());
  const sources = [...new Set(points.map((p) => p.source))];
  const single = new Set(points.map((p) => p.period?.getTime())).size === 1;
  const partial = partialLastPeriod(points);
  const isPartial = (p: (typeof points)[number]) => partial !== undefined && p.period!.getTime() === partial;
  // The last period when it holds a fraction of a usual one (the data ends an hour into the day):
  // drawn dashed from the period before, so a few quiet comparisons do not read as a drop to 0%.
  const complete = points.filter((p) => !isPartial(p));
  const lastComplete = new Map(complete.map((p) => [p.source, p]));
  const tail = partial === undefined ? [] : points.filter(isPartial).flatMap((p) => [lastComplete.get(p.source), p].filter((q): q is (typeof points)[number] => q !== undefined));
  return plot({
    width,
    height: 280,
    marginLeft: 56,
    x: { type: 'utc', label: null },
    y: { label: 'mismatch rate', grid: true, domain: [0, Math.max(0.01, ...points.map((p) => p.rate!))], nice: true },
    color: { legend: true, ...sourceColors(sources) },
    marks: [
      timeAxisX(points.map((p) => p.period), width),
      axisY({ tickFormat: formatPercentTick, label: 'mismatch rate' }),
      ruleY([0]),
      lineY(complete, { x: 'period', y: 'rate', stroke: 'source', strokeWidth: 2, className: 'rate-line' }),
      lineY(tail, { x: 'period', y: 'rate', stroke: 'source', strokeWidth: 1.5, strokeDasharray: '3,3', strokeOpacity: 0.6, className: 'rate-line-partial' }),
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
      tip(points, pointerX({ x: 'period', y: 'rate', stroke: 'source', title: (p: (typeof points)[number]) => `${p.source} · ${formatDay(p.period)}${isPartial(p) ? ' (in progress)' : ''}\n${formatPercent(p.rate)} (${p.mismatched} of ${p.compared} comparisons)` })),
    ],
  });
}

/**
 * The last period's start when it is still filling: fewer than half the comparisons of a usual
 * period (the median of the others). Needs three periods to know what usual is.
 */
function partialLastPeriod(points: { period?: Date; compared: number }[]): number | undefined {
  const totals = new Map<number, number>();
  for (const p of points) totals.set(p.period!.getTime(), (totals.get(p.period!.getTime()) ?? 0) + p.compared);
  const periods = [...totals.keys()].sort((a, b) => a - b);
  if (periods.length < 3) return undefined;
  const last = periods.at(-1)!;
  const others = periods.slice(0, -1).map((period) => totals.get(period)!).sort((a, b) => a - b);
  const median = others[Math.floor(others.length / 2)]!;
  return totals.get(last)! < median / 2 ? last : undefined;
}
