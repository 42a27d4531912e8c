import { axisX, axisY, dot, lineY, plot, pointerX, ruleY, tip } from '@observablehq/plot';
import { formatDay, formatPercent, formatPercentTick } from '../data/format.ts';
import { periodKey, periodOf, rate, sumBy } from '../data/rollup.ts';
import { sourceColors } from '../theme.ts';

export type MismatchRateRow = Record<string, unknown> & { source: string; compared: number; mismatched: number };

/** Mismatch rate per system over time (DESIGN §8: mismatched / compared, summed before dividing). */
export function mismatchRateLines(rows: MismatchRateRow[], width: number): Element {
  const points = sumBy(rows, (row) => `${periodKey(row)}|${row.source}`, ['compared', 'mismatched'] as const)
    .map((group) => ({ period: periodOf(group.first), source: group.first.source, rate: rate(group.mismatched, group.compared), compared: group.compared, mismatched: group.mismatched }))
    .filter((point) => point.rate !== null)
    .sort((a, b) => a.period!.getTime() - b.period!.getTime());
  const sources = [...new Set(points.map((p) => p.source))];
  const single = new Set(points.map((p) => p.period?.getTime())).size === 1;
  return plot({
    width,
    height: 280,
    marginLeft: 56,
    x: { type: 'utc', label: null },
    y: { label: 'mismatch rate', grid: true, domain: [0, Math.max(0.01, ...points.map((p) => p.rate!))], nice: true },
    color: { legend: true, ...sourceColors(sources) },
    marks: [
      axisX({ ticks: width < 700 ? 4 : 8, tickFormat: formatDay }),
      axisY({ tickFormat: formatPercentTick, label: 'mismatch rate' }),
      ruleY([0]),
      lineY(points, { x: 'period', y: 'rate', stroke: 'source', strokeWidth: 2, className: 'rate-line' }),
      single ? dot(points, { x: 'period', y: 'rate', fill: 'source', r: 4 }) : null,
      tip(points, pointerX({ x: 'period', y: 'rate', stroke: 'source', title: (p: (typeof points)[number]) => `${p.source} · ${formatDay(p.period)}\n${formatPercent(p.rate)} (${p.mismatched} of ${p.compared} comparisons)` })),
    ],
  });
}
