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
  `;

  @property({ attribute: false }) chart?: ChartRenderer;
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

declare global {
  interface HTMLElementTagNameMap {
    'sl-plot': PlotFigure;
  }
}
