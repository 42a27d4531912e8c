/**
 * Few colours, each with one meaning: blue is sellable stock, red is oversell risk (a system shows
 * more than is sellable), amber is hidden stock (it shows less), grey is context.
 */
export const colors = {
  ink: '#1d2330',
  muted: '#5b6475',
  grid: '#e3e7ee',
  sellable: '#2f6fde',
  over: '#c8102e',
  under: '#d98e04',
  good: '#1a7f37',
  bad: '#b42318',
  neutral: '#5b6475',
} as const;

/** Non-sellable states, from nearly sellable (committed) to lost (damaged). */
export const stockStates = [
  { key: 'ats_units', label: 'available to sell', color: colors.sellable },
  { key: 'committed', label: 'committed to orders', color: '#8fb0e6' },
  { key: 'reserved_other', label: 'reserved', color: '#b9c9e4' },
  { key: 'safety_stock', label: 'safety stock', color: '#d4dae4' },
  { key: 'quality_control', label: 'in quality control', color: '#ecc978' },
  { key: 'damaged', label: 'damaged', color: '#e39a93' },
] as const;

export const directionColors = { domain: ['over', 'under'], range: [colors.over, colors.under] };

/** Systems in a fixed order and colour, so a source looks the same on every page. */
export const sourceOrder = ['wms', 'erp', 'oms', 'shopify', 'amazon', 'amazon-fba'];
// No red or amber here: those mean over and under.
const sourcePalette = ['#1d2330', '#7a5195', '#2a9d8f', '#4d7c0f', '#6b7280', '#8c6d31', '#a05195', '#0e7490'];

export function sourceColors(sources: string[]): { domain: string[]; range: string[] } {
  const domain = [...new Set([...sourceOrder.filter((s) => sources.includes(s)), ...[...sources].sort()])];
  let extra = sourceOrder.length;
  return { domain, range: domain.map((source) => sourcePalette[sourceOrder.includes(source) ? sourceOrder.indexOf(source) : extra++ % sourcePalette.length]) };
}

/** Probable causes (in the order they are checked, docs/metrics.md), one symbol each; colour stays for direction. */
export const causeSymbols = {
  domain: ['unsynced_adjustment', 'transfer_not_reflected', 'return_before_qc', 'reservation_ignored', 'double_deduction', 'sync_lag', 'unknown'],
  range: ['cross', 'diamond', 'square', 'triangle', 'star', 'wye', 'circle'],
};

export const cancelCauseColors = {
  domain: ['confirmed', 'inferred', 'none'],
  range: [colors.over, '#f08c6c', '#c5ccd8'],
};
