import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { isMissing } from '../data/format.ts';

/**
 * One headline figure with its week-over-week change. The change is green when it moves the way
 * the business wants (`upIsGood`), red when it moves the other way, grey when flat or unknown.
 */
@customElement('sl-kpi-tile')
export class KpiTile extends LitElement {
  static styles = css`
    :host { display: block; background: #fff; border: 1px solid #dde2ea; border-radius: 8px; padding: 0.85rem 1rem; min-width: 0; }
    .label { font-size: 0.82rem; color: #3a4254; margin: 0; font-weight: 600; min-height: 2.1em; overflow-wrap: anywhere; hyphens: auto; }
    .value { font-size: clamp(1.35rem, 1rem + 1.6vw, 1.9rem); font-weight: 650; margin: 0.1rem 0 0; font-variant-numeric: tabular-nums; letter-spacing: -0.01em; line-height: 1.15; }
    .change { font-size: 0.85rem; font-weight: 600; margin: 0.15rem 0 0.3rem; font-variant-numeric: tabular-nums; }
    .value a { color: inherit; text-decoration: underline; text-decoration-color: #b7c3d7; text-underline-offset: 0.18em; text-decoration-thickness: 2px; }
    .value a:hover { text-decoration-color: currentColor; }
    .value a:focus-visible { outline: 2px solid #2f6fde; outline-offset: 2px; border-radius: 2px; }
    .detail { font-size: 0.78rem; color: #5b6475; margin: 0; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
    .change.good { color: #1a7f37; }
    .change.bad { color: #b42318; }
    .change.flat { color: #5b6475; }
  `;

  @property() label = '';
  @property({ type: Number }) value?: number;
  @property({ type: Number }) previous?: number;
  @property({ type: Boolean }) upIsGood = false;
  @property({ attribute: false }) format: (value: unknown) => string = String;
  /** How the change is worded: percentage points for rates, a plain difference for counts. */
  @property() changeAs: 'points' | 'difference' = 'difference';
  @property() detail = '';
  /** Where the rows this figure counts are listed; the value becomes a link to them. */
  @property() href = '';

  render() {
    return html`
      <p class="label">${this.label}</p>
      <p class="value" data-value=${isMissing(this.value) ? '' : String(this.value)}>${this.href && !isMissing(this.value)
        ? html`<a href=${this.href} title="List the rows behind this figure" aria-label="${this.format(this.value)} ${this.label}: list the rows">${this.format(this.value)}</a>`
        : this.format(this.value)}</p>
      ${this.change()}
      <p class="detail">${this.detail || nothing}</p>`;
  }

  private change() {
    if (isMissing(this.value) || isMissing(this.previous)) return html`<p class="change flat">no previous week</p>`;
    const delta = this.value - this.previous;
    if (Math.abs(delta) < 1e-12) return html`<p class="change flat">unchanged</p>`;
    const better = delta > 0 === this.upIsGood;
    const arrow = delta > 0 ? '▲' : '▼';
    const amount = this.changeAs === 'points' ? pointsOf(Math.abs(delta * 100)) : this.differenceOf(Math.abs(delta));
    const verdict = better ? 'better' : 'worse';
    return html`<p class="change ${better ? 'good' : 'bad'}" data-verdict=${verdict} title="against the previous week"><span aria-hidden="true">${arrow}</span> ${amount} · ${verdict}<span class="sr"> than the previous week</span></p>`;
  }

  /** A difference in the tile's own format; one that rounds to nothing there ($0.30 as "$0") reads "< $1". */
  private differenceOf(difference: number): string {
    const shown = this.format(difference);
    return /[1-9]/.test(shown) ? shown : `< ${this.format(1)}`;
  }
}

/** A change in percentage points; one too small to show at two decimals still reads as a change. */
function pointsOf(points: number): string {
  return points < 0.005 ? '< 0.01 pts' : `${points.toFixed(points < 10 ? 2 : 1)} pts`;
}

declare global {
  interface HTMLElementTagNameMap {
    'sl-kpi-tile': KpiTile;
  }
}
