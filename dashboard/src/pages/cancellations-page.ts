import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { cancelledLines, cancellationsBy, cancellationsOverTime, type CancellationRow } from '../charts/cancellation-bars.ts';
import type { Row } from '../data/api-client.ts';
import { locationName } from '../data/catalog.ts';
import { cancellationSummary } from '../data/chart-summary.ts';
import { drillHref, weekRange } from '../data/drill.ts';
import { formatCount, formatDateTime, formatMoney, formatValue } from '../data/format.ts';
import { cancellationsFilters, cancellationsQueries } from '../data/page-queries.ts';
import { QueryController } from '../data/query-controller.ts';
import type { Column } from '../components/data-table.ts';
import { withData } from '../components/load-state.ts';
import { PageElement } from '../components/page-element.ts';
import { badgeStyles, pageStyles } from '../components/page-styles.ts';
import { hrefFor } from '../routing/router.ts';
import '../components/data-table.ts';
import '../components/plot-figure.ts';

/** Columns of fct_order_line that explain why a cancellation was inferred to be a stock error. */
const evidencePattern = /evidence|_at_order$|available_reported|shrink|cycle_count/;
/** The evidence columns in words; a column the API adds later shows its own name. */
const evidenceLabels: Record<string, string> = {
  location_ats_at_order: "Location's ATS at order",
  channel_ats_at_order: 'Channel should have shown',
  channel_available_reported: 'Channel showed',
};

/** Cancellations: which are stock errors, where and on which channel, and why the inferred ones count. */
@customElement('sl-cancellations-page')
export class CancellationsPage extends PageElement {
  static styles = [pageStyles, badgeStyles];
  protected readonly pageName = 'cancellations';

  private byWeek = new QueryController<CancellationRow>(this, () => cancellationsQueries(this.filters).byWeek);
  private inferred = new QueryController<Row>(this, () => cancellationsQueries(this.filters).inferred);

  protected queries() {
    return [this.byWeek, this.inferred];
  }

  render() {
    const stockLines = this.byWeek.rows.filter((r) => r.stock_cause === 'confirmed' || r.stock_cause === 'inferred').reduce((sum, r) => sum + cancelledLines(r), 0);
    const allLines = this.byWeek.rows.reduce((sum, r) => sum + cancelledLines(r), 0);
    return html`
      <h2>Cancellations</h2>
      <p class="lede">${this.byWeek.state === 'ready' && allLines > 0 ? `${formatCount(stockLines)} of ${formatCount(allLines)} cancelled lines in this range were stock errors: confirmed (out of stock) or inferred from the data.` : 'Cancelled order lines, and which of them stock errors caused.'}</p>
      <div class="grid">
        <section class="card wide" aria-labelledby="time-title">
          <h3 id="time-title">Cancelled lines per week, by cause</h3>
          ${withData(this.byWeek, { what: 'cancellations', empty: 'No cancelled lines in this range.' }, (rows) => html`<sl-plot .data=${rows} data-chart="cancellations" summary=${cancellationSummary(rows, cancelledLines)} csv=${this.byWeek.csvUrl} label="Stacked bars of cancelled lines per week by cause" .chart=${(width: number) => cancellationsOverTime(rows, width, (bar) => this.cancelledHref(bar.cause, weekRange(bar.period)))}></sl-plot>`)}
        </section>
        <section class="card" aria-labelledby="channel-title">
          <h3 id="channel-title">By channel</h3>
          ${withData(this.byWeek, { what: 'cancellations', empty: 'No cancelled lines in this range.' }, (rows) => html`<sl-plot .data=${rows} data-chart="by-channel" csv=${this.byWeek.csvUrl} label="Cancelled lines per channel by cause" .chart=${(width: number) => cancellationsBy(rows, width, (r) => String(r.channel ?? 'unknown'), (bar) => this.cancelledHref(bar.cause, { channel: bar.row.channel as string | undefined }))}></sl-plot>`)}
        </section>
        <section class="card" aria-labelledby="location-title">
          <h3 id="location-title">By location</h3>
          ${withData(this.byWeek, { what: 'cancellations', empty: 'No cancelled lines in this range.' }, (rows) => html`<sl-plot .data=${[rows, this.catalog]} data-chart="by-location" csv=${this.byWeek.csvUrl} label="Cancelled lines per location by cause" .chart=${(width: number) => cancellationsBy(rows, width, (r) => (r.location_id ? locationName(this.catalog, String(r.location_id)) : 'unassigned'), (bar) => this.cancelledHref(bar.cause, { location: bar.row.location_id as string | undefined }))}></sl-plot>`)}
        </section>
        <section class="card wide" aria-labelledby="inferred-title">
          <h3 id="inferred-title">Inferred stock-error cancellations and their evidence</h3>
          <p class="sub">Cancelled for another reason (or none given), but at order time the channel showed stock the location's truth did not have, or a negative count or shrinkage hit the SKU in the 48 hours before.</p>
          ${withData(this.inferred, { what: 'inferred cancellations', empty: 'No inferred stock-error cancellations in this range.' }, (rows) => html`<sl-data-table data-table="inferred" csv=${this.inferred.csvUrl} .rows=${rows} .columns=${this.columns(rows)} .initialSort=${{ key: 'placed_at', descending: true }} .pageSize=${50}></sl-data-table>`)}
        </section>
      </div>`;
  }

  /** The cancelled lines of one bar: the page's filters, narrowed to the bar's cause and week, channel or location. */
  private cancelledHref(cause: string, narrow: { from?: string; to?: string; channel?: string; location?: string }): string {
    return drillHref('order-lines', { ...cancellationsFilters(this.filters), status: 'cancelled', stock_cause: cause, at: 'cancelled', ...narrow });
  }

  private columns(rows: Row[]): Column<Row>[] {
    const evidence = Object.keys(rows[0] ?? {}).filter((key) => evidencePattern.test(key));
    return [
      { key: 'placed_at', label: 'Placed', format: formatDateTime },
      { key: 'order_id', label: 'Order' },
      { key: 'sku', label: 'SKU', render: (row) => html`<a href=${hrefFor({ page: 'sku', filters: { ...this.filters, sku: String(row.sku), location: row.location_id ? String(row.location_id) : undefined } })}>${row.sku}</a>` },
      { key: 'channel', label: 'Channel' },
      { key: 'location_id', label: 'Location' },
      { key: 'quantity', label: 'Qty', numeric: true, format: formatCount },
      { key: 'cancel_reason', label: 'Reason given', format: (v) => (v ? String(v).replaceAll('_', ' ') : 'none') },
      ...evidence.map((key) => ({ key, label: evidenceLabels[key] ?? key.replaceAll('_', ' '), numeric: true, format: formatValue })),
      { key: 'revenue', label: 'Revenue', numeric: true, format: (v: unknown) => formatMoney(v, { exact: true }) },
    ];
  }
}
