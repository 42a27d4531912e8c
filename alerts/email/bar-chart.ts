import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { AlertBars } from '../alert.ts';
import { svgToPng } from './series-chart.ts';

/** The dashboard's meanings: red a system showing more than is there, amber less, blue anything else. */
const barColors = { over: '#c8102e', under: '#d98e04', none: '#2f6fde' } as const;

/** Horizontal bars as a PNG (Plot against linkedom's document, rasterised by resvg, as the series chart). */
export function barChartPng(chart: AlertBars, options: { width?: number } = {}): Buffer {
  return svgToPng(barChartSvg(chart, options));
}

export function barChartSvg(chart: AlertBars, { width = 640 }: { width?: number } = {}): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const bars = chart.bars.slice(0, 20).map((bar) => ({ ...bar, color: barColors[bar.direction ?? 'none'] }));
  const longest = Math.max(4, ...bars.map((bar) => bar.name.length));
  const svg = Plot.plot({
    document,
    width,
    height: 40 + bars.length * 22,
    marginLeft: Math.min(260, 12 + longest * 6.5),
    marginRight: 40,
    // Room for the label of a negative bar left of its end.
    insetLeft: bars.some((bar) => bar.value < 0) ? 24 : 0,
    style: { fontFamily: 'DejaVu Sans, Liberation Sans, sans-serif', fontSize: '11px', background: 'white' },
    // Units and rows are whole: no 0.5 ticks on a chart of one small bar.
    x: { label: chart.label, grid: true, tickFormat: (value: number) => (Number.isInteger(value) ? String(value) : '') },
    y: { label: null, domain: bars.map((bar) => bar.name) },
    marks: [
      Plot.barX(bars, { x: 'value', y: 'name', fill: 'color' }),
      Plot.text(bars.filter((bar) => bar.value >= 0), { x: 'value', y: 'name', text: (bar: { value: number }) => String(bar.value), textAnchor: 'start', dx: 4, fill: '#1d2330' }),
      Plot.text(bars.filter((bar) => bar.value < 0), { x: 'value', y: 'name', text: (bar: { value: number }) => String(bar.value), textAnchor: 'end', dx: -4, fill: '#1d2330' }),
      Plot.ruleX([0]),
      chart.reference ? Plot.ruleX([chart.reference.value], { stroke: '#5b6475', strokeDasharray: '4,3' }) : null,
      chart.reference ? Plot.text([chart.reference], { x: 'value', frameAnchor: 'top', text: 'label', dy: 2, dx: 4, textAnchor: 'start', fill: '#5b6475' }) : null,
    ],
  }) as unknown as { outerHTML: string };
  return svg.outerHTML.replace(/^<svg(?![^>]*xmlns=)/, '<svg xmlns="http://www.w3.org/2000/svg"');
}
