import { axisY, dot, lineY, plot, ruleX, ruleY } from '@observablehq/plot';
import { timeAxisX } from './time-axis.ts';
import { formatCount, formatDateTime, toDate } from '../data/format.ts';
import { causeSymbols, colors, directionColors, sourceColors } from '../theme.ts';

type Row = Record<string, unknown>;

export interface TimelinePoint {
  at: Date;
  location: string;
  source: string;
  isTruth: boolean;
  /** What the chart draws for the system: its published available, else the ATS of its own counts. */
  units: number | null;
  /** The truth's ATS at that location and bucket. */
  truth: number | null;
  /** The figures the mismatch compared (available against expected, or on hand against on hand). */
  comparedUnits: number | null;
  expectedUnits: number | null;
  cause: string | null;
  direction: string | null;
  stale: boolean;
}

const numberOf = (...values: unknown[]) => {
  const found = values.find((v) => v !== null && v !== undefined);
  return found === undefined ? null : Number(found);
};

/** Rows of /api/sku-timeline (one per bucket, location and source) as chart points. */
export function timelinePoints(rows: Row[]): TimelinePoint[] {
  return rows
    .map((row) => ({
      at: toDate(row.bucket_at)!,
      location: String(row.location_id ?? ''),
      source: String(row.source ?? ''),
      isTruth: row.is_truth === true,
      units: numberOf(row.available_reported, row.ats, row.on_hand),
      truth: numberOf(row.truth_ats),
      comparedUnits: numberOf(row.system_units),
      expectedUnits: numberOf(row.truth_units),
      cause: (row.probable_cause as string | null) ?? null,
      direction: (row.direction as string | null) ?? null,
      stale: row.is_stale === true,
    }))
    .filter((point) => point.at)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}

export function timeDomain(...series: Date[][]): [Date, Date] | undefined {
  const times = series.flat().map((d) => d.getTime());
  if (times.length === 0) return undefined;
  return [new Date(Math.min(...times)), new Date(Math.max(...times))];
}

const truthLabel = 'truth: available to sell';

function withTruth(scale: { domain: string[]; range: string[] }): { domain: string[]; range: string[] } {
  return { domain: [truthLabel, ...scale.domain], range: [colors.sellable, ...scale.range] };
}

/** Every system's figure (thin, stepped) against the truth's ATS (thick), mismatches as dots by cause. */
export function skuTimeline(points: TimelinePoint[], width: number, domain?: [Date, Date]): Element {
  const truthByBucket = new Map<string, TimelinePoint>();
  for (const point of points) if (point.truth !== null) truthByBucket.set(`${point.location}|${point.at.getTime()}`, point);
  const truth = [...truthByBucket.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
  // The truth source is the thick line; drawing it again thin would only hide it.
  const systems = points.filter((p) => p.units !== null && !p.isTruth);
  const mismatches = points.filter((p) => p.cause !== null || p.direction !== null);
  const locations = [...new Set(points.map((p) => p.location))].sort();
  const facet = locations.length > 1;
  return plot({
    width,
    height: facet ? 60 + locations.length * 170 : 300,
    marginLeft: 56,
    marginRight: facet ? 90 : 20,
    x: { type: 'utc', domain, label: null },
    y: { label: 'units', grid: true, tickFormat: formatCount },
    fy: facet ? { label: null, domain: locations } : undefined,
    color: { legend: true, ...withTruth(sourceColors([...new Set(systems.map((p) => p.source))])) },
    symbol: { legend: true, ...causeSymbols, tickFormat: (cause: string) => cause.replaceAll('_', ' ') },
    marks: [
      timeAxisX(domain ?? points.map((p) => p.at), width),
      axisY({ tickFormat: formatCount, label: 'units' }),
      ruleY([0]),
      lineY(truth, { x: 'at', y: 'truth', fy: facet ? 'location' : undefined, z: 'location', stroke: () => truthLabel, strokeWidth: 5, strokeOpacity: 0.35, curve: 'step-after', className: 'truth-line' }),
      lineY(systems, { x: 'at', y: 'units', fy: facet ? 'location' : undefined, z: (p: TimelinePoint) => `${p.location}|${p.source}`, stroke: 'source', strokeWidth: 1.5, curve: 'step-after', className: 'system-line' }),
      dot(mismatches, {
        x: 'at',
        y: 'units',
        fy: facet ? 'location' : undefined,
        r: 4.5,
        symbol: (p: TimelinePoint) => p.cause ?? 'unknown',
        // Over (oversell risk) red, under (hidden stock) amber: the same meaning as everywhere else.
        stroke: (p: TimelinePoint) => (p.direction === 'under' ? directionColors.range[1] : directionColors.range[0]),
        strokeWidth: 1.6,
        fill: 'white',
        className: 'mismatch-dot',
        title: (p: TimelinePoint) =>
          `${p.source} at ${p.location}, ${formatDateTime(p.at)}\nshowed ${formatCount(p.comparedUnits ?? p.units)}, the truth implies ${formatCount(p.expectedUnits ?? p.truth)} (${p.direction ?? 'differs'})\nprobable cause: ${(p.cause ?? 'unknown').replaceAll('_', ' ')}`,
      }),
    ],
  });
}

export interface OrderPoint {
  at: Date;
  quantity: number;
  outcome: string;
  label: string;
}

export const orderOutcomes = {
  domain: ['fulfilled or open', 'oversold', 'cancelled: stock error', 'cancelled: other'],
  range: ['#9aa5b8', colors.over, '#8f0b20', '#e0b3b9'],
};

/** Order lines on the same time axis: each a tick as tall as its quantity, coloured by what became of it. */
export function orderTicks(orders: OrderPoint[], width: number, domain?: [Date, Date]): Element {
  return plot({
    width,
    height: 130,
    marginLeft: 56,
    marginRight: 20,
    x: { type: 'utc', domain, label: null },
    y: { label: 'ordered', grid: true, tickFormat: formatCount, nice: true },
    color: { legend: true, ...orderOutcomes },
    marks: [
      timeAxisX(domain ?? orders.map((o) => o.at), width),
      ruleY([0]),
      ruleX(orders, { x: 'at', y1: 0, y2: 'quantity', stroke: 'outcome', strokeWidth: 2, clip: true }),
      dot(orders, { x: 'at', y: 'quantity', fill: 'outcome', r: 2.5, className: 'order-dot', title: 'label', clip: true }),
    ],
  });
}
