import { axisX, barX, barY, groupX, groupY, plot, ruleX, ruleY } from '@observablehq/plot';
import { formatCount, formatDay } from '../data/format.ts';
import { periodOf } from '../data/rollup.ts';
import { cancelCauseColors } from '../theme.ts';

export type CancellationRow = Record<string, unknown> & { stock_cause?: string | null; cancel_reason?: string | null };

export function cancelledLines(row: CancellationRow): number {
  return Number(row.cancelled_lines ?? row.lines ?? row.count ?? row.cancellations ?? 0);
}

export function causeLabel(cause: string): string {
  return cause === 'none' ? 'not a stock error' : `stock error, ${cause}`;
}

function stockCause(row: CancellationRow): string {
  return row.stock_cause && row.stock_cause !== 'none' ? String(row.stock_cause) : 'none';
}

/** Cancelled lines per period, stacked by whether stock errors caused them (confirmed, inferred) or not. */
export function cancellationsOverTime(rows: CancellationRow[], width: number, link?: (bar: { period: Date; cause: string }) => string): Element {
  const data = rows.map((row) => ({ period: periodOf(row), cause: stockCause(row), lines: cancelledLines(row) }));
  const periods = [...new Set(data.map((d) => d.period?.getTime()))].filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  return plot({
    width,
    height: 280,
    marginLeft: 56,
    x: { type: 'band', domain: periods.map((t) => new Date(t)), label: null, padding: 0.2 },
    y: { label: 'cancelled lines', grid: true, tickFormat: formatCount },
    color: { legend: true, ...cancelCauseColors, tickFormat: causeLabel },
    marks: [
      axisX({ tickFormat: (d: Date) => formatDay(d), ticks: periods.length > 12 ? periods.filter((_t, i) => i % Math.ceil(periods.length / 8) === 0).map((t) => new Date(t)) : undefined }),
      barY(
        data,
        groupX(
          {
            y: 'sum',
            title: (group: { lines: number; cause: string; period: Date }[]) => `${formatDay(group[0].period)} · ${causeLabel(group[0].cause)}: ${formatCount(group.reduce((sum, d) => sum + d.lines, 0))} lines`,
            ...(link ? { href: (group: { cause: string; period: Date }[]) => link(group[0]) } : {}),
          },
          { x: 'period', y: 'lines', fill: 'cause', order: cancelCauseColors.domain, className: 'cancel-bar' },
        ),
      ),
      ruleY([0]),
    ],
  });
}

/** Cancelled lines per channel or location, split the same way; largest first. */
export function cancellationsBy(rows: CancellationRow[], width: number, dimension: (row: CancellationRow) => string, link?: (bar: { row: CancellationRow; cause: string }) => string): Element {
  const data = rows.map((row) => ({ group: dimension(row), cause: stockCause(row), lines: cancelledLines(row), row }));
  const totals = new Map<string, number>();
  for (const d of data) totals.set(d.group, (totals.get(d.group) ?? 0) + d.lines);
  const order = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([group]) => group);
  return plot({
    width,
    height: 40 + order.length * 28,
    marginLeft: 110,
    marginRight: 20,
    x: { label: 'cancelled lines', grid: true, tickFormat: formatCount },
    y: { domain: order, label: null },
    color: { ...cancelCauseColors },
    marks: [
      barX(
        data,
        groupY(
          {
            x: 'sum',
            title: (group: { lines: number; cause: string; group: string }[]) => `${group[0].group} · ${causeLabel(group[0].cause)}: ${formatCount(group.reduce((sum, d) => sum + d.lines, 0))} lines`,
            ...(link ? { href: (group: { row: CancellationRow; cause: string }[]) => link(group[0]) } : {}),
          },
          { x: 'lines', y: 'group', fill: 'cause', order: cancelCauseColors.domain, className: 'cancel-by-bar' },
        ),
      ),
      ruleX([0]),
    ],
  });
}
