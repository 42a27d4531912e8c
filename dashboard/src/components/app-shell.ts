import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { loadCatalog, type Catalog } from '../data/catalog.ts';
import { withoutDrillFilters } from '../data/drill.ts';
import { withFilters, type FilterName, type Filters, type PageName, type Route } from '../routing/route.ts';
import { currentRoute, hrefFor, navigate, onRouteChange } from '../routing/router.ts';
import '../pages/alerts-page.ts';
import '../pages/cancellations-page.ts';
import '../pages/data-health-page.ts';
import '../pages/location-page.ts';
import '../pages/rows-page.ts';
import '../pages/sku-page.ts';
import '../pages/sql-console-page.ts';
import '../pages/sync-priority-page.ts';
import '../pages/warehouses-page.ts';
import '../pages/weekly-health-page.ts';
import './filter-bar.ts';

interface PageInfo {
  title: string;
  filters: FilterName[];
}

const pageInfo: Record<PageName, PageInfo> = {
  weekly: { title: 'Weekly health', filters: ['from', 'to', 'location', 'source'] },
  warehouses: { title: 'Warehouses', filters: ['from', 'to', 'source'] },
  sku: { title: 'SKU drill-down', filters: ['sku', 'location', 'source', 'from', 'to'] },
  sync: { title: 'Sync priority', filters: ['source', 'sku'] },
  cancellations: { title: 'Cancellations', filters: ['from', 'to', 'location', 'channel'] },
  alerts: { title: 'Alerts', filters: ['location'] },
  'data-health': { title: 'Data health', filters: ['source', 'from', 'to'] },
  sql: { title: 'SQL console', filters: [] },
  rows: { title: 'Rows', filters: ['from', 'to', 'location'] },
};

/** The pages in the navigation; the rows of a number open from the number itself. */
const tabs: PageName[] = ['weekly', 'warehouses', 'sku', 'sync', 'cancellations', 'alerts', 'data-health', 'sql'];

/**
 * The filters a tab link carries: all of the current ones, so a range or system chosen on one page
 * holds on the next, except a location on the Warehouses tab, which would open that location's
 * page instead of the overview of every location.
 */
function tabFilters(page: PageName, filters: Filters): Filters {
  const pageFilters = withoutDrillFilters(filters);
  if (page !== 'warehouses') return pageFilters;
  const { location: _location, ...rest } = pageFilters;
  return rest;
}

/** The dashboard's frame: navigation, the URL's filters, and the current page. */
@customElement('sl-app')
export class AppShell extends LitElement {
  static styles = css`
    :host { display: block; min-height: 100vh; }
    header { background: #1d2330; color: #fff; padding: 0.6rem 1.5rem 0; }
    .brand { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
    .brand h1 { font-size: 1.1rem; margin: 0; letter-spacing: 0.02em; }
    .brand p { margin: 0; color: #b8c2d6; font-size: 0.85rem; }
    nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.15rem; margin: 0.5rem 0 0; padding: 0; }
    nav a { display: block; color: #d5dcea; text-decoration: none; padding: 0.45rem 0.75rem; border-radius: 6px 6px 0 0; font-size: 0.9rem; }
    nav a:hover { color: #fff; background: #2b3345; }
    nav a[aria-current='page'] { background: #f6f7f9; color: #1d2330; font-weight: 600; }
    nav a:focus-visible { outline: 2px solid #8fb0e6; outline-offset: -2px; }
    .filters { background: #fff; border-bottom: 1px solid #dde2ea; padding: 0.6rem 1.5rem; }
    main { padding: 1.25rem 1.5rem 2rem; max-width: 1320px; box-sizing: border-box; }
    main:focus { outline: none; }
    .skip { position: absolute; left: -999px; }
    .skip:focus { left: 1rem; top: 0.5rem; background: #fff; color: #1d2330; padding: 0.4rem 0.8rem; z-index: 10; }
    @media (max-width: 900px) { header, .filters { padding-left: 1rem; padding-right: 1rem; } main { padding: 1rem; } }
  `;

  @state() private route: Route = currentRoute();
  @state() private catalog?: Catalog;
  private stopListening?: () => void;

  connectedCallback(): void {
    super.connectedCallback();
    this.stopListening = onRouteChange((route) => {
      const pageChanged = route.page !== this.route.page || route.id !== this.route.id;
      this.route = route;
      // A keyboard or screen-reader user who picked another page continues at its content, not the nav.
      if (pageChanged) void this.updateComplete.then(() => (this.renderRoot.querySelector('main') as HTMLElement | null)?.focus({ preventScroll: true }));
    });
    loadCatalog().then(
      (catalog) => (this.catalog = catalog),
      // The filters still work as free text in the URL; each page reports its own data errors.
      () => (this.catalog = { locations: [], channels: [], sources: [] }),
    );
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopListening?.();
  }

  render() {
    const { route } = this;
    const info = pageInfo[route.page];
    document.title = `${info.title} · Stocklens`;
    return html`
      <a class="skip" href="#main" @click=${this.skipToMain}>Skip to content</a>
      <header>
        <div class="brand"><h1>Stocklens</h1><p>Which stock can we actually sell, where, and which system is wrong?</p></div>
        <nav aria-label="Pages"><ul>
          ${tabs.map(
            (page) => html`<li><a href=${hrefFor({ page, filters: tabFilters(page, route.filters) })} aria-current=${page === route.page ? 'page' : 'false'}>${pageInfo[page].title}</a></li>`,
          )}
        </ul></nav>
      </header>
      ${info.filters.length > 0
        ? html`<div class="filters"><sl-filter-bar .filters=${route.filters} .catalog=${this.catalog} .relevant=${info.filters} @filters-change=${this.onFiltersChange}></sl-filter-bar></div>`
        : ''}
      <main id="main" tabindex="-1">${this.page(route)}</main>`;
  }

  private page(route: Route) {
    const { filters, id } = route;
    const catalog = this.catalog;
    switch (route.page) {
      case 'weekly':
        return html`<sl-weekly-health-page .filters=${filters} .catalog=${catalog}></sl-weekly-health-page>`;
      case 'warehouses': {
        // An alert link names its location as a filter (`#/warehouses?location=WH-EAST`): that is the location's page.
        const location = id ?? filters.location;
        return location
          ? html`<sl-location-page .filters=${filters} .routeId=${location} .catalog=${catalog}></sl-location-page>`
          : html`<sl-warehouses-page .filters=${filters} .catalog=${catalog}></sl-warehouses-page>`;
      }
      case 'sku':
        return html`<sl-sku-page .filters=${filters} .catalog=${catalog}></sl-sku-page>`;
      case 'sync':
        return html`<sl-sync-priority-page .filters=${filters} .catalog=${catalog}></sl-sync-priority-page>`;
      case 'cancellations':
        return html`<sl-cancellations-page .filters=${filters} .catalog=${catalog}></sl-cancellations-page>`;
      case 'alerts':
        return html`<sl-alerts-page .filters=${filters} .catalog=${catalog}></sl-alerts-page>`;
      case 'data-health':
        return html`<sl-data-health-page .filters=${filters} .catalog=${catalog}></sl-data-health-page>`;
      case 'sql':
        return html`<sl-sql-console-page></sl-sql-console-page>`;
      case 'rows':
        return html`<sl-rows-page .filters=${filters} .routeId=${id} .catalog=${catalog}></sl-rows-page>`;
    }
  }

  private onFiltersChange(event: CustomEvent<Filters>): void {
    navigate(withFilters(this.route, event.detail));
  }

  private skipToMain(event: Event): void {
    // The hash is the router's; focus the content without touching it.
    event.preventDefault();
    (this.renderRoot.querySelector('main') as HTMLElement).focus();
  }
}
