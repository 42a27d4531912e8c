import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import type { Catalog } from '../data/catalog.ts';
import type { FilterName, Filters } from '../routing/route.ts';

/**
 * The URL's filters as form controls. A change fires `filters-change` with only what changed; the
 * shell turns it into a new URL, so the back button and a copied link both work.
 */
@customElement('sl-filter-bar')
export class FilterBar extends LitElement {
  static styles = css`
    :host { display: block; }
    form { display: flex; flex-wrap: wrap; gap: 0.6rem 1rem; align-items: flex-end; }
    label { display: flex; flex-direction: column; gap: 0.2rem; font-size: 0.78rem; font-weight: 600; color: #3a4254; }
    input, select { font: inherit; font-size: 0.9rem; padding: 0.3rem 0.45rem; border: 1px solid #a9b2c1; border-radius: 6px; background: #fff; color: #1d2330; min-height: 2rem; box-sizing: border-box; }
    input[type='search'] { width: 12rem; }
    input:focus-visible, select:focus-visible, button:focus-visible { outline: 2px solid #2f6fde; outline-offset: 1px; }
    button { font: inherit; font-size: 0.85rem; padding: 0.35rem 0.8rem; border: 1px solid #a9b2c1; border-radius: 6px; background: #fff; cursor: pointer; min-height: 2rem; }
    .range { color: #5b6475; font-size: 0.8rem; align-self: center; }
  `;

  @property({ attribute: false }) filters: Filters = {};
  @property({ attribute: false }) catalog?: Catalog;
  /** The filters the current page uses; the others stay in the URL but are not shown. */
  @property({ attribute: false }) relevant: FilterName[] = [];

  render() {
    const show = (name: FilterName) => this.relevant.includes(name);
    const catalog = this.catalog;
    return html`<form role="search" aria-label="Filters" @submit=${this.onSubmit}>
      ${show('from') ? html`<label>From <input type="date" name="from" .value=${this.filters.from ?? ''} min=${catalog?.minDate ?? nothing} max=${catalog?.maxDate ?? nothing} @change=${this.onChange} /></label>` : nothing}
      ${show('to') ? html`<label>To <input type="date" name="to" .value=${this.filters.to ?? ''} min=${catalog?.minDate ?? nothing} max=${catalog?.maxDate ?? nothing} @change=${this.onChange} /></label>` : nothing}
      ${show('location') ? this.select('location', 'Location', 'All locations', catalog?.locations.map((l) => [l.id, l.name]) ?? []) : nothing}
      ${show('channel') ? this.select('channel', 'Channel', 'All channels', catalog?.channels.map((c) => [c, c]) ?? []) : nothing}
      ${show('source') ? this.select('source', 'System', 'All systems', catalog?.sources.map((s) => [s, s]) ?? []) : nothing}
      ${show('sku')
        ? html`<label>SKU <input type="search" name="sku" .value=${this.filters.sku ?? ''} placeholder="e.g. SKU-00042" autocomplete="off" spellcheck="false" /></label>
            <button type="submit">Show SKU</button>`
        : nothing}
      ${this.relevant.some((name) => this.filters[name]) ? html`<button type="button" @click=${this.clear}>Clear filters</button>` : nothing}
      ${catalog?.minDate && show('from') ? html`<span class="range">data from ${catalog.minDate} to ${catalog.maxDate}</span>` : nothing}
    </form>`;
  }

  private select(name: FilterName, label: string, all: string, options: string[][]) {
    const current = this.filters[name] ?? '';
    // A value from a link that the catalog does not list still shows, so the view is not silently wider.
    const listed = current === '' || options.some(([value]) => value === current);
    return html`<label>${label}
      <!-- .value as well as ?selected: once the user has picked an option the browser ignores selected
           attributes, and Back must still show the URL's choice. -->
      <select name=${name} .value=${live(current)} @change=${this.onChange}>
        <option value="" ?selected=${current === ''}>${all}</option>
        ${listed ? nothing : html`<option .value=${current} selected>${current}</option>`}
        ${options.map(([value, text]) => html`<option .value=${value} ?selected=${value === current}>${text}</option>`)}
      </select></label>`;
  }

  private onChange(event: Event): void {
    const control = event.target as HTMLInputElement | HTMLSelectElement;
    this.emit({ [control.name]: control.value });
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const sku = (this.renderRoot.querySelector('input[name=sku]') as HTMLInputElement | null)?.value.trim();
    this.emit({ sku });
  }

  private clear(): void {
    this.emit(Object.fromEntries(this.relevant.map((name) => [name, undefined])));
  }

  private emit(changes: Filters): void {
    this.dispatchEvent(new CustomEvent<Filters>('filters-change', { detail: changes, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sl-filter-bar': FilterBar;
  }
}
