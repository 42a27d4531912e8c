import { axisY, lineY, plot, pointerX, ruleY, tip } from '@observablehq/plot';
import { timeAxisX } from './time-axis.ts';
import { formatDay, formatMinutes, toDate } from '../data/format.ts';
import { colors, sourceColors } from '../theme.ts';

type Row = Record<string, unknown>;

/**
 * Each source's staleness over time as a share of its own allowance (max_staleness), so a 15-minute
 * feed and a daily file read on one scale: the dashed line at 100% is where a source turns stale,
 * and its stale stretches are drawn red. In hours, the daily file's 30 h squashed every other line
 * against the axis.
 */
export function stalenessLines(rows: Row[], width: number): Element {
  const points = rows
    .map((row) => {
      const minutes = row.staleness_minutes === null || row.staleness_minutes === undefined ? null : Number(row.staleness_minutes);
      const limit = Number(row.max_staleness_minutes);
      return { at: toDate(row.bucket_at), source: String(row.source), minutes, limit, share: minutes === null || !(limit > 0) ? null : minutes / limit, stale: row.is_stale === true };
    })
    .filter((p) => p.at && p.share !== null)
    .sort((a, b) => a.at!.getTime() - b.at!.getTime());
  const sources = [...new Set(points.map((p) => p.source))];
  return plot({
    width,
    height: 240,
    marginLeft: 48,
    x: { type: 'utc', label: null },
    // Up to twice the allowance: an outage of many times it runs off the top (its red stretch shows
    // it, the tip gives the hours) instead of flattening every other line.
    y: { label: 'share of allowed staleness', grid: true, domain: [0, Math.min(2, Math.max(1.1, ...points.map((p) => p.share!)))] },
    color: { legend: true, ...sourceColors(sources) },
    marks: [
      timeAxisX(points.map((p) => p.at), width),
      axisY({ label: 'share of allowed staleness', tickFormat: (v: number) => `${Math.round(v * 100)}%` }),
      ruleY([1], { stroke: colors.over, strokeDasharray: '4,3', strokeOpacity: 0.8, className: 'staleness-limit' }),
      // No per-point title: a varying title would split each line into one path per point.
      lineY(points, { x: 'at', y: 'share', stroke: 'source', strokeWidth: 1.5, clip: true, className: 'staleness-line' }),
      // NaN breaks the line, so only the stale stretches are drawn over it.
      lineY(points, { x: 'at', y: (p: (typeof points)[number]) => (p.stale ? p.share : NaN), z: 'source', stroke: colors.over, strokeWidth: 3, clip: true, className: 'stale-segment' }),
      tip(points, pointerX({ x: 'at', y: 'share', stroke: 'source', title: (p: (typeof points)[number]) => `${p.source} · ${formatDay(p.at)}\n${formatMinutes(p.minutes)} since its last batch, ${formatMinutes(p.limit)} allowed${p.stale ? ' (stale)' : ''}` })),
      ruleY([0]),
    ],
  });
}
