import { axisX, barY, lineY, plot, ruleY } from '@observablehq/plot';
import { formatValue, toDate } from '../data/format.ts';

export type ResultChartKind = 'line' | 'bar';

/**
 * A query result drawn by two of its columns: a line over an ordered x (dates, numbers) or bars per
 * value of x. Text that reads as a date counts as a date, so `day` from the API draws as time.
 */
export function resultChart(rows: Record<string, unknown>[], x: string, y: string, kind: ResultChartKind, width: number): Element {
  const sample = rows.find((row) => row[x] !== null && row[x] !== undefined)?.[x];
  const isTime = sample instanceof Date || (typeof sample === 'string' && /^\d{4}-\d{2}-\d{2}/.test(sample));
  const points = rows
    .map((row) => ({ x: isTime ? toDate(row[x]) : row[x], y: row[y] === null || row[y] === undefined ? null : Number(row[y]) }))
    .filter((p) => p.x !== undefined && p.x !== null && p.y !== null && Number.isFinite(p.y));
  const xs = points.map((p) => p.x);
  return plot({
    width,
    height: 280,
    marginLeft: 64,
    marginBottom: kind === 'bar' ? 60 : 36,
    x: kind === 'bar' ? { type: 'band', label: x, tickFormat: (v: unknown) => formatValue(v).slice(0, 14) } : { label: x, type: isTime ? 'utc' : undefined },
    y: { label: y, grid: true },
    marks: [
      kind === 'bar'
        ? barY(points, { x: 'x', y: 'y', fill: '#2f6fde', title: (p: { x: unknown; y: number }) => `${formatValue(p.x)}: ${formatValue(p.y)}`, className: 'result-bar' })
        : lineY([...points].sort((a, b) => Number(a.x) - Number(b.x)), { x: 'x', y: 'y', stroke: '#2f6fde', strokeWidth: 2, className: 'result-line' }),
      kind === 'bar' && xs.length > 12 ? axisX({ tickRotate: -30, tickFormat: (v: unknown) => formatValue(v).slice(0, 14), label: x }) : null,
      ruleY([0]),
    ],
  });
}
