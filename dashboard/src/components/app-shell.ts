import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import './ats-by-location-chart.ts';

/** The dashboard's frame: header and the current page. */
@customElement('sl-app')
export class AppShell extends LitElement {
  static styles = css`
    :host { display: block; }
    header { background: #1d2330; color: #fff; padding: 0.75rem 1.5rem; display: flex; align-items: baseline; gap: 1rem; }
    header h1 { font-size: 1.15rem; margin: 0; letter-spacing: 0.02em; }
    header p { margin: 0; color: #b8c2d6; font-size: 0.9rem; }
    main { padding: 1.5rem; max-width: 1200px; }
    section { background: #fff; border: 1px solid #dde2ea; border-radius: 8px; padding: 1rem 1.25rem; }
    h2 { font-size: 1rem; margin: 0 0 0.75rem; }
  `;

  render() {
    return html`
      <header><h1>Stocklens</h1><p>Which stock can we actually sell, where, and which system is wrong?</p></header>
      <main>
        <section aria-labelledby="ats-title">
          <h2 id="ats-title">Available to sell against total stock, per location</h2>
          <sl-ats-by-location-chart></sl-ats-by-location-chart>
        </section>
      </main>`;
  }
}
