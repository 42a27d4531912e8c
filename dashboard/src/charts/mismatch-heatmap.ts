import { axisX, cell, plot, text } from '@observablehq/plot';
import { formatDay, formatPercent, formatPercentTick } from '../data/format.ts';
import { periodKey, periodOf, rate, sumBy, weekBefore, weekInProgress } from '../data/rollup.ts';

export type LocationWeekRow = Record<string, unknown> & { location_id: string; compared: number; mismatched: number };

/**
 * Mismatch rate per location and week over all systems: the darker the cell, the more wrong. A week
 * that runs past `lastDay` (the last day with data) is still in progress: its column says "so far"
 * and is drawn paler, since a day or two of comparisons is not a week's rate; with less than a day's
 * worth it shows no rate at all ("too early"). With `link`, a cell
 * opens the mismatches it counts.
 */
export function mismatchHeatmap(rows: LocationWeekRow[], width: number, names: Map<string, string>, lastDay?: string, link?: (cell: { week: Date; location_id: string }) => string): Element {
  const cells = sumBy(rows, (row) => `${periodKey(row)}|${row.location_id}`, ['compared', 'mismatched'] as const)
    .map((group) => ({ week: periodOf(group.first), location: names.get(group.first.location_id) ?? group.first.location_id, location_id: group.first.location_id, rate: rate(group.mismatched, group.compared), mismatched: group.mismatched, compared: group.compared }))
    .filter((c) => c.rate !== null);
  const locations = [...new Set(cells.map((c) => c.location))].sort();
  const weeks = [...new Set(cells.map((c) => c.week!.getTime()))].sort((a, b) => a - b).map((t) => new Date(t));
  const max = Math.max(0.01, ...cells.map((c) => c.rate!));
  const inProgress = (week: Date) => weekInProgress(week, lastDay);
  // A week in progress gives a rate only once it holds a day's worth of the location's comparisons
  // (a seventh of its week before): an hour of data read as a week's 0.00% looked like a clean week.
  const weekBeforeCompared = new Map(cells.map((c) => [`${c.week!.getTime()}|${c.location_id}`, c.compared]));
  const tooEarly = (c: (typeof cells)[number]) => {
    if (!inProgress(c.week!)) return false;
    const before = weekBeforeCompared.get(`${weekBefore(c.week)?.getTime()}|${c.location_id}`);
    return before === undefined ? false : c.compared < before / 7;
  };
  const shown = (c: (typeof cells)[number]) => (tooEarly(c) ? 'too early' : formatPercent(c.rate));
  // Room per week column: a narrow one drops "wk" and the year-less date is all it says.
  const marginLeft = Math.min(110, 14 + Math.max(0, ...locations.map((l) => l.length)) * 6.2);
  const narrow = (width - marginLeft) / Math.max(1, weeks.length) < 70;
  return plot({
    width,
    height: 40 + locations.length * 34,
    marginLeft,
    marginBottom: 48,
    padding: 0.06,
    x: { type: 'band', domain: weeks, label: null },
    y: { domain: locations, label: null },
    color: { type: 'linear', domain: [0, max], range: ['#fdf1ec', '#b42318'], legend: true, label: 'mismatch rate', tickFormat: formatPercentTick },
    marks: [
      // "so far" on a line of its own: beside the date it ran into the next week's label on a tablet.
      axisX({ tickFormat: (d: Date) => `${narrow ? '' : 'wk '}${formatDay(d)}${inProgress(d) ? '\n(so far)' : ''}`, ticks: weeks }),
      cell(cells, {
        x: 'week',
        y: 'location',
        fill: 'rate',
        fillOpacity: (c: (typeof cells)[number]) => (tooEarly(c) ? 0.08 : inProgress(c.week!) ? 0.45 : 1),
        inset: 0.5,
        className: 'heat-cell',
        // A cell too early for a rate has no figure to hold its rows against: it stays text.
        href: link ? (c: (typeof cells)[number]) => (tooEarly(c) ? undefined : link({ week: c.week!, location_id: c.location_id })) : undefined,
        ariaLabel: (c: (typeof cells)[number]) => `${c.location}, week of ${formatDay(c.week)}: ${shown(c)}, ${c.mismatched} mismatches`,
        title: (c: (typeof cells)[number]) =>
          `${c.location} · week of ${formatDay(c.week)}${inProgress(c.week!) ? ` (in progress: data through ${formatDay(lastDay)})` : ''}\n${tooEarly(c) ? `too early for a rate: ${c.compared} comparisons so far` : `${formatPercent(c.rate)} (${c.mismatched} of ${c.compared} comparisons)`}`,
      }),
      width / Math.max(1, weeks.length) > 44
        ? text(cells, { x: 'week', y: 'location', text: shown, fill: (c: (typeof cells)[number]) => (!tooEarly(c) && c.rate! > max * 0.55 ? 'white' : '#1d2330'), fontSize: 11, pointerEvents: 'none' })
        : null,
    ],
  });
}
