import * as Plot from '@observablehq/plot';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { getJson } from '../api.ts';

interface AtsRow {
  location_id: string;
  location_name: string;
  total_units: number;
  ats_units: number;
}

/** Total stock against available-to-sell per location: the gap is stock the business cannot sell. */
@customElement('sl-ats-by-location-chart')
export class AtsByLocationChart extends LitElement {
  static styles = css`
    :host { display: block; }
    figure { margin: 0; }
    .state { color: #5b6475; padding: 2rem 0; }
    .error { color: #a4262c; }
  `;

  @state() private rows?: AtsRow[];
  @state() private error?: string;

  connectedCallback(): void {
    super.connectedCallback();
    getJson<{ rows: AtsRow[] }>('/api/ats')
      .then((body) => (this.rows = body.rows))
      .catch((error: Error) => (this.error = error.message));
  }

  render() {
    if (this.error) return html`<p class="state error" role="alert">Could not load stock: ${this.error}</p>`;
    if (!this.rows) return html`<p class="state" aria-busy="true">Loading stock…</p>`;
    if (this.rows.length === 0) return html`<p class="state">No locations yet: ingest a stock file to see ATS against total.</p>`;
    return html`<figure>${this.chart(this.rows)}</figure>${nothing}`;
  }

  private chart(rows: AtsRow[]) {
    return Plot.plot({
      marginLeft: 64,
      height: 320,
      x: { label: null, padding: 0.3 },
      y: { label: 'units', grid: true },
      color: { legend: true, domain: ['total', 'available to sell'], range: ['#c9d3e3', '#2f6fde'] },
      marks: [
        Plot.barY(rows, { x: 'location_name', y: 'total_units', fill: () => 'total', title: (d: AtsRow) => `${d.location_name}: ${d.total_units} units in stock`, className: 'total-bar' }),
        Plot.barY(rows, { x: 'location_name', y: 'ats_units', fill: () => 'available to sell', insetLeft: 6, insetRight: 6, title: (d: AtsRow) => `${d.location_name}: ${d.ats_units} units available to sell`, className: 'ats-bar' }),
        Plot.ruleY([0]),
      ],
    });
  }
}
