import * as Plot from '@observablehq/plot';
import { Resvg } from '@resvg/resvg-js';
import { parseHTML } from 'linkedom';
import type { AlertSeries } from '../alert.ts';

/**
 * The alert's daily series as a PNG: Plot draws the SVG against linkedom's document (Plot needs a
 * DOM, and a mail client runs no script), then resvg rasterises it, because most mail clients
 * show PNG but not inline SVG.
 */
export function seriesChartPng(series: AlertSeries, options: { width?: number; height?: number } = {}): Buffer {
  return svgToPng(seriesChartSvg(series, options));
}

export function seriesChartSvg(series: AlertSeries, { width = 640, height = 240 }: { width?: number; height?: number } = {}): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const points = series.points.map((point) => ({ day: new Date(`${point.day}T00:00:00Z`), value: point.value }));
  const last = points.at(-1);
  const max = Math.max(0.01, ...points.map((point) => point.value), series.reference?.value ?? 0);
  const svg = Plot.plot({
    document,
    width,
    height,
    marginLeft: 48,
    style: { fontFamily: 'DejaVu Sans, Liberation Sans, sans-serif', fontSize: '11px', background: 'white' },
    x: { type: 'utc', label: null },
    y: { label: series.label, grid: true, domain: [0, max], nice: true, tickFormat: (value: number) => `${Math.round(value * 1000) / 10}%` },
    marks: [
      Plot.ruleY([0]),
      series.reference ? Plot.ruleY([series.reference.value], { stroke: '#8a94a6', strokeDasharray: '4,3' }) : null,
      series.reference ? Plot.text([series.reference], { x: last?.day, y: 'value', text: 'label', dy: -6, dx: -8, textAnchor: 'end', fill: '#5b6475' }) : null,
      Plot.lineY(points, { x: 'day', y: 'value', stroke: '#2f6fde', strokeWidth: 2 }),
      last ? Plot.dot([last], { x: 'day', y: 'value', fill: '#c4314b', r: 4 }) : null,
    ],
  }) as unknown as { outerHTML: string };
  // linkedom serialises without the namespace that a standalone SVG file needs.
  return svg.outerHTML.replace(/^<svg(?![^>]*xmlns=)/, '<svg xmlns="http://www.w3.org/2000/svg"');
}

export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, { background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } });
  return resvg.render().asPng();
}
