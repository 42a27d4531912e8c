import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';

/** Draws a chart for a given width; Plot returns an SVG (or a figure with a legend). */
export type ChartRenderer = (width: number) => Element;

/**
 * Hosts one Plot chart and redraws it when its container's width changes, so charts fit a 1280 px
 * laptop and an 800 px tablet alike. Sets `data-drawn` once the chart is in the DOM.
 */
@customElement('sl-plot')
export class PlotFigure extends LitElement {
  static styles = css`
    :host { display: block; min-width: 0; }
    figure { margin: 0; }
    svg { max-width: 100%; height: auto; overflow: visible; }
    :host([scrollable]) figure { overflow-x: auto; }
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
  /** Accessible name of the chart, read out instead of its marks. */
  @property() label = '';
  @state() private width = 0;
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
    return html`<figure role="img" aria-label=${this.label}>${drawn}</figure>`;
  }

  protected updated(): void {
    if (this.chart) this.dataset.drawn = String(this.width);
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
