import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { formatValue } from '../data/format.ts';
import { downloadPng, downloadSvg } from './chart-export.ts';
import type { Column } from './data-table.ts';
import './data-table.ts';

/** Draws a chart for a given width; Plot returns an SVG (or a figure with a legend). */
export type ChartRenderer = (width: number) => Element;

/**
 * Hosts one Plot chart and redraws it when its container's width changes, so charts fit a 1280 px
 * laptop and an 800 px tablet alike. Sets `data-drawn` once the chart is in the DOM.
 *
 * Every chart can be read without seeing it and can leave the page: a sentence saying what it
 * shows (`summary`), the rows it is drawn from as a table behind a disclosure, the chart as SVG or
 * PNG, and those rows as CSV from the API (`csv`).
 */
@customElement('sl-plot')
export class PlotFigure extends LitElement {
  static styles = css`
    :host { display: block; min-width: 0; }
    figure { margin: 0; }
    figure:focus-visible { outline: 2px solid #2f6fde; outline-offset: 2px; }
    figcaption { font-size: 0.85rem; color: #3a4254; margin: 0.4rem 0 0; }
    .tools { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.25rem 0.9rem; margin-top: 0.35rem; font-size: 0.8rem; }
    .tools button { all: unset; color: #1f5bc4; cursor: pointer; text-decoration: underline; }
    .tools a { color: #1f5bc4; }
    .tools button:focus-visible, .tools a:focus-visible, summary:focus-visible { outline: 2px solid #2f6fde; outline-offset: 2px; }
    details { flex-basis: 100%; min-width: 0; }
    summary { cursor: pointer; color: #1f5bc4; width: max-content; }
    a:focus-visible { outline: 2px solid #2f6fde; outline-offset: 1px; }
    svg { max-width: 100%; height: auto; overflow: visible; }
    :host([scrollable]) figure.frame { overflow-x: auto; }
    :host([scrollable]) svg { max-width: none; }
  `;

  @property({ attribute: false }) chart?: ChartRenderer;
  /**
   * What the chart is drawn from (rows, or a list of them). Pages re-render whenever any of their
   * queries settles and hand over a new `chart` closure each time; redrawing only when this data
   * changes keeps a page with seven queries from drawing its charts seven times.
   */
  @property({ attribute: false, hasChanged: (value: unknown, old: unknown) => !sameDependencies(value, old) }) data?: unknown;
  /** A chart drawn wider than its host scrolls sideways instead of shrinking (its text stays legible). */
  @property({ type: Boolean, reflect: true }) scrollable = false;
  /** Accessible name of the chart. */
  @property() label = '';
  /** What the chart shows, in one sentence with its figures: its text alternative, shown under it. */
  @property() summary = '';
  /** The rows behind the chart, for its table; by default the rows it is drawn from (`data`). */
  @property({ attribute: false }) table?: Record<string, unknown>[];
  /** The same rows as CSV from the API (the request the chart's rows came from, `format=csv`). */
  @property() csv = '';
  @state() private width = 0;
  @state() private tableOpen = false;
  private observer?: ResizeObserver;

  connectedCallback(): void {
    super.connectedCallback();
    this.observer = new ResizeObserver((entries) => {
      const width = Math.floor(entries[0].contentRect.width);
      // Small jitter (a scrollbar appearing) is not worth a redraw.
      if (width > 0 && Math.abs(width - this.width) > 8) this.width = width;
    });
    this.observer.observe(this);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
  }

  protected shouldUpdate(changed: PropertyValues<this>): boolean {
    if (changed.size === 1 && changed.has('chart') && this.data !== undefined && this.hasUpdated) return false;
    return super.shouldUpdate(changed);
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    if (this.width === 0) this.width = Math.floor(this.getBoundingClientRect().width) || 640;
    super.willUpdate(changed);
  }

  render() {
    if (!this.chart) return html``;
    const drawn = this.chart(this.width);
    const rows = this.rows();
    const name = this.dataset.chart ?? 'chart';
    return html`<figure class="frame" aria-label=${this.label} tabindex=${this.scrollable ? '0' : nothing}>${drawn}</figure>
      ${this.summary ? html`<figcaption class="summary">${this.summary}</figcaption>` : nothing}
      <div class="tools">
        <button type="button" data-export="svg" aria-label="Download ${this.label} as SVG" @click=${() => downloadSvg(this.figure()!, name)}>SVG</button>
        <button type="button" data-export="png" aria-label="Download ${this.label} as PNG" @click=${() => downloadPng(this.figure()!, name)}>PNG</button>
        ${this.csv ? html`<a href=${this.csv} download data-export="csv" aria-label="Download the rows of ${this.label} as CSV">CSV</a>` : nothing}
        ${rows.length > 0
          ? html`<details @toggle=${(event: Event) => (this.tableOpen = (event.target as HTMLDetailsElement).open)}>
              <summary>Table of the ${rows.length} rows behind this chart</summary>
              ${this.tableOpen ? html`<sl-data-table data-table="chart-rows" .rows=${rows} .columns=${columnsOf(rows)} .pageSize=${25} csv=${this.csv}></sl-data-table>` : nothing}
            </details>`
          : nothing}
      </div>`;
  }

  private figure(): HTMLElement | null {
    return this.renderRoot.querySelector('figure');
  }

  private rows(): Record<string, unknown>[] {
    if (this.table) return this.table;
    const data = Array.isArray(this.data) && Array.isArray(this.data[0]) ? this.data[0] : this.data;
    return Array.isArray(data) && data.every((row) => row !== null && typeof row === 'object' && !Array.isArray(row)) ? (data as Record<string, unknown>[]) : [];
  }

  protected updated(): void {
    if (!this.chart) return;
    labelMarks(this.renderRoot as ShadowRoot);
    this.dataset.drawn = String(this.width);
  }
}

/** A column per field of the rows, named in words. */
function columnsOf(rows: Record<string, unknown>[]): Column<Record<string, unknown>>[] {
  return Object.keys(rows[0] ?? {}).map((key) => ({ key, label: key.replaceAll('_', ' '), numeric: typeof rows[0][key] === 'number', format: formatValue }));
}

/**
 * Plot names its groups ("rule", "x-axis tick") with aria-label on plain <g> elements, which
 * assistive technology ignores and ARIA does not allow. A mark that links to its rows keeps its
 * words on the link; the rest are left to the figure's sentence and table, and the group's name
 * stays as `data-mark` (what tests and styles select a chart's parts by).
 */
function labelMarks(root: ShadowRoot): void {
  for (const element of root.querySelectorAll('svg [aria-label], svg [aria-description]')) {
    if (element.tagName === 'a') continue;
    const link = element.closest('a');
    const label = element.getAttribute('aria-label');
    if (link && label && !link.hasAttribute('aria-label')) link.setAttribute('aria-label', label);
    else if (label) element.setAttribute('data-mark', label);
    element.removeAttribute('aria-label');
    element.removeAttribute('aria-description');
  }
}

function sameDependencies(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((value, index) => value === b[index]);
}

declare global {
  interface HTMLElementTagNameMap {
    'sl-plot': PlotFigure;
  }
}
