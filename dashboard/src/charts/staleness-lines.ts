import { axisX, axisY, lineY, plot, pointerX, ruleY, tip } from '@observablehq/plot';
import { formatDay, formatMinutes, toDate } from '../data/format.ts';
import { colors, sourceColors } from '../theme.ts';

type Row = Record<string, unknown>;

/** Each source's staleness over time (hours since its last batch), with where it becomes stale. */
export function stalenessLines(rows: Row[], width: number): Element {
  const points = rows
    .map((row) => ({ at: toDate(row.bucket_at), source: String(row.source), hours: row.staleness_minutes === null ? null : Number(row.staleness_minutes) / 60, limit: Number(row.max_staleness_minutes) / 60, stale: row.is_stale === true }))
    .filter((p) => p.at && p.hours !== null)
    .sort((a, b) => a.at!.getTime() - b.at!.getTime());
  const sources = [...new Set(points.map((p) => p.source))];
  const limits = sources.map((source) => ({ source, limit: points.find((p) => p.source === source)?.limit })).filter((l) => Number.isFinite(l.limit));
  return plot({
    width,
    height: 240,
    marginLeft: 48,
    x: { type: 'utc', label: null },
    y: { label: 'hours since last batch', grid: true, nice: true },
    color: { legend: true, ...sourceColors(sources) },
    marks: [
      axisX({ ticks: width < 700 ? 4 : 8, tickFormat: formatDay }),
      axisY({ label: 'hours since last batch' }),
      ruleY(limits, { y: 'limit', stroke: 'source', strokeDasharray: '3,3', strokeOpacity: 0.7 }),
      // No per-point title: a varying title would split each line into one path per point.
      lineY(points, { x: 'at', y: 'hours', stroke: 'source', strokeWidth: 1.5, className: 'staleness-line' }),
      // NaN breaks the line, so only the stale stretches are drawn over it.
      lineY(points, { x: 'at', y: (p: (typeof points)[number]) => (p.stale ? p.hours : NaN), z: 'source', stroke: colors.over, strokeWidth: 3, className: 'stale-segment' }),
      tip(points, pointerX({ x: 'at', y: 'hours', stroke: 'source', title: (p: (typeof points)[number]) => `${p.source} · ${formatDay(p.at)}\n${formatMinutes((p.hours ?? 0) * 60)} since its last batch${p.stale ? ' (stale)' : ''}` })),
      ruleY([0]),
    ],
  });
}
