import { axisY, barX, plot, ruleX, text } from '@observablehq/plot';
import { formatCount, formatPercent, formatPercentTick } from '../data/format.ts';
import { colors } from '../theme.ts';

export interface RankedLocation {
  label: string;
  mismatchRate: number | null;
  oversellLines: number;
  stockCancellations: number;
  /** Mismatched comparisons behind the rate: what its bar's rows count. */
  mismatched?: number;
  /** Where each measure's rows are listed. */
  links?: Partial<Record<'mismatchRate' | 'oversellLines' | 'stockCancellations', string>>;
}

interface Measure {
  key: 'mismatchRate' | 'oversellLines' | 'stockCancellations';
  title: string;
  className: string;
  format: (value: number) => string;
  tick: (value: number) => string;
}

/** Counts have no halves: a tick at 0.5 read as a second "1" on a quiet day's scale of [0, 1]. */
const wholeTick = (value: number) => (Number.isInteger(value) ? formatCount(value) : '');

const measures: Measure[] = [
  { key: 'mismatchRate', title: 'mismatch rate', className: 'rank-bar', format: formatPercent, tick: formatPercentTick },
  { key: 'oversellLines', title: 'oversold lines', className: 'oversell-bar', format: formatCount, tick: wholeTick },
  { key: 'stockCancellations', title: 'stock-error cancellations', className: 'cancel-rank-bar', format: formatCount, tick: wholeTick },
];

/**
 * Locations in the server's rank order with the three errors they cause side by side, each on its
 * own scale: a mismatch rate and two counts of order lines do not add up to one number.
 */
export function locationRanking(items: RankedLocation[], width: number): Element {
  const container = document.createElement('div');
  // Side by side where each panel has room for its title and ticks; stacked, each with the names, on a phone.
  const stacked = width < 560;
  container.style.display = 'flex';
  container.style.flexDirection = stacked ? 'column' : 'row';
  container.style.gap = stacked ? '12px' : '8px';
  const labelWidth = Math.min(120, 14 + Math.max(...items.map((i) => i.label.length)) * 6.5);
  const panelWidth = stacked ? width - labelWidth : Math.floor((width - labelWidth - 16) / 3);
  measures.forEach((measure, index) => {
    const first = index === 0 || stacked;
    // A location with nothing to measure (no system compared there) gets no bar and says so: a 0% bar would read as perfect.
    const data = items.map((item) => ({ label: item.label, value: item[measure.key] ?? null, href: item.links?.[measure.key], mismatched: item.mismatched }));
    const measured = data.filter((d): d is (typeof data)[number] & { value: number } => d.value !== null);
    const words = (d: (typeof measured)[number]) => `${d.label}: ${measure.format(d.value)} ${measure.title}${index === 0 && d.mismatched !== undefined ? `, ${formatCount(d.mismatched)} mismatches` : ''}`;
    // All zero (one quiet day): a domain of [0, 0] would stretch the bars across the panel.
    const max = Math.max(0, ...measured.map((d) => d.value));
    container.append(
      plot({
        width: panelWidth + (first ? labelWidth : 0),
        height: 40 + items.length * 28,
        marginLeft: first ? labelWidth : 4,
        marginRight: 40,
        marginTop: 28,
        x: { label: null, grid: true, ticks: 3, tickFormat: measure.tick, nice: true, domain: [0, max > 0 ? max : measure.key === 'mismatchRate' ? 0.01 : 1] },
        y: { domain: items.map((i) => i.label), label: null, axis: null },
        marks: [
          first ? axisY({ tickSize: 0 }) : null,
          text([measure.title], { frameAnchor: 'top-left', dx: first ? -labelWidth + 4 : 0, dy: -20, fontWeight: 600, fill: colors.ink }),
          barX(measured, { x: 'value', y: 'label', fill: index === 0 ? colors.over : '#e0707c', className: measure.className, href: (d: (typeof measured)[number]) => d.href, title: words, ariaLabel: words }),
          text(data, { x: (d: (typeof data)[number]) => d.value ?? 0, y: 'label', text: (d: (typeof data)[number]) => (d.value === null ? 'not compared' : measure.format(d.value)), textAnchor: 'start', dx: 3, fill: (d: (typeof data)[number]) => (d.value === null ? colors.muted : colors.ink), fontSize: 10 }),
          ruleX([0]),
        ],
      }),
    );
  });
  return container;
}
