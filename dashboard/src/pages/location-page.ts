import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { atsStatesArea, type AtsDailyRow } from '../charts/ats-states-area.ts';
import { cancellationsOverTime, cancelledLines, type CancellationRow } from '../charts/cancellation-bars.ts';
import { mismatchRateLines, type MismatchRateRow } from '../charts/mismatch-rate-lines.ts';
import { locationName } from '../data/catalog.ts';
import { cancellationSummary, mismatchRateSummary, stockSummary } from '../data/chart-summary.ts';
import { drillHref, weekRange } from '../data/drill.ts';
import { formatCount, formatDay, isoDay } from '../data/format.ts';
import { summarizeMismatches, type MismatchSummary } from '../data/mismatch-summary.ts';
import { QueryController } from '../data/query-controller.ts';
import type { Row } from '../data/api-client.ts';
import type { Column } from '../components/data-table.ts';
import { withData } from '../components/load-state.ts';
import { PageElement } from '../components/page-element.ts';
import { badgeStyles, pageStyles } from '../components/page-styles.ts';
import { kpiStyles, lastDayOf, latestTwoWeeks, weeklyKpis, type WeeklyHealthRow } from '../components/weekly-kpis.ts';
import { dataEndOf } from '../data/rollup.ts';
import { hrefFor } from '../routing/router.ts';
import '../components/data-table.ts';
import '../components/plot-figure.ts';

/** How many mismatch rows the per-location page sums into its SKU table. */
const mismatchRowLimit = 20000;

/** One location, as its warehouse lead sees it: its figures, its systems, its worst SKUs. */
@customElement('sl-location-page')
export class LocationPage extends PageElement {
  static styles = [pageStyles, badgeStyles, kpiStyles];
  protected readonly pageName = 'location';

  private params() {
    return { location: this.routeId, from: this.filters.from, to: this.filters.to };
  }

  private health = new QueryController<WeeklyHealthRow>(this, () => ({ path: '/api/weekly-health', params: { ...this.params(), limit: 100000 } }));
  private rates = new QueryController<MismatchRateRow>(this, () => ({ path: '/api/mismatch-rate', params: { ...this.params(), grain: 'day', source: this.filters.source, limit: 100000 } }));
  private atsDaily = new QueryController<AtsDailyRow>(this, () => ({ path: '/api/ats-daily', params: { ...this.params(), limit: 100000 } }));
  private mismatches = new QueryController<Row>(this, () => ({ path: '/api/mismatch', params: { ...this.params(), source: this.filters.source, limit: mismatchRowLimit } }));
  private cancellations = new QueryController<CancellationRow>(this, () => ({ path: '/api/cancellations', params: { ...this.params(), grain: 'week', limit: 100000 } }));

  protected queries() {
    return [this.health, this.rates, this.atsDaily, this.mismatches, this.cancellations];
  }

  render() {
    const id = this.routeId ?? '';
    const name = locationName(this.catalog, id);
    const lastDay = lastDayOf(this.atsDaily.rows);
    const { latest, previous } = latestTwoWeeks(this.health.rows, id, this.filters.to ?? lastDay);
    return html`
      <p><a href=${hrefFor({ page: 'warehouses', filters: { ...this.filters, location: undefined } })}>← All warehouses</a></p>
      <h2>${name}</h2>
      <p class="lede">${name === id ? '' : `${id} · `}${latest ? `week of ${formatDay(latest.week)} against the week before` : 'no complete week in this range'}; this location's systems and the SKUs they get wrong most.</p>
      ${withData(this.health, { what: 'the weekly figures', empty: 'No weekly figures for this location in this range.', isEmpty: () => !latest }, () => weeklyKpis(latest!, previous, undefined, lastDay))}
      <div class="grid">
        <section class="card" aria-labelledby="rate-title">
          <h3 id="rate-title">Mismatch rate per system</h3>
          ${withData(this.rates, { what: 'mismatch rates', empty: 'No comparisons at this location in this range.' }, (rows) => html`<sl-plot .data=${rows} data-chart="mismatch-rate" summary=${mismatchRateSummary(rows)} csv=${this.rates.csvUrl} label="Mismatch rate per system per day at ${name}" .chart=${(width: number) => mismatchRateLines(rows, width, (p) => drillHref('mismatches', { location: id, source: p.source, day: isoDay(p.period) }), dataEndOf(this.health.rows))}></sl-plot>`)}
        </section>
        <section class="card" aria-labelledby="states-title">
          <h3 id="states-title">Sellable and non-sellable stock</h3>
          <p class="sub">Units on hand per day (the dashed line) by state.</p>
          ${withData(this.atsDaily, { what: 'daily stock', empty: 'No stock counts at this location in this range.' }, (rows) => html`<sl-plot .data=${rows} data-chart="ats-states" summary=${stockSummary(rows)} csv=${this.atsDaily.csvUrl} label="Stacked area of stock states per day at ${name}" .chart=${(width: number) => atsStatesArea(rows, width, (day) => drillHref('skus', { location: id, day: isoDay(day) }))}></sl-plot>`)}
        </section>
        <section class="card" aria-labelledby="cancel-title">
          <h3 id="cancel-title">Cancellations per week</h3>
          ${withData(this.cancellations, { what: 'cancellations', empty: 'No cancelled lines at this location in this range.' }, (rows) => html`<sl-plot .data=${rows} data-chart="cancellations" summary=${cancellationSummary(rows, cancelledLines)} csv=${this.cancellations.csvUrl} label="Cancelled lines per week at ${name}" .chart=${(width: number) => cancellationsOverTime(rows, width, (bar) => drillHref('order-lines', { location: id, status: 'cancelled', stock_cause: bar.cause, at: 'cancelled', ...weekRange(bar.period) }))}></sl-plot>`)}
        </section>
        <section class="card wide" aria-labelledby="skus-title">
          <h3 id="skus-title">SKUs the systems get wrong most</h3>
          <p class="sub">Mismatched comparisons per SKU and system${this.mismatches.value && this.mismatches.value.total > this.mismatches.rows.length ? `, from the latest ${formatCount(this.mismatches.rows.length)} of ${formatCount(this.mismatches.value.total)} mismatches` : ''}.</p>
          ${withData(this.mismatches, { what: 'mismatches', empty: 'No mismatches at this location in this range: every system agreed with the truth.' }, (rows) => html`<sl-data-table data-table="location-skus" .rows=${summarizeMismatches(rows)} .columns=${this.columns()} .pageSize=${25}></sl-data-table>`)}
        </section>
      </div>`;
  }

  private columns(): Column<MismatchSummary>[] {
    return [
      { key: 'sku', label: 'SKU', render: (row) => html`<a href=${hrefFor({ page: 'sku', filters: { ...this.filters, sku: row.sku, location: row.location_id } })}>${row.sku}</a>` },
      { key: 'source', label: 'System' },
      { key: 'buckets', label: 'Mismatched comparisons', numeric: true, format: formatCount },
      { key: 'over', label: 'Over (oversell risk)', numeric: true, format: formatCount },
      { key: 'under', label: 'Under (hidden stock)', numeric: true, format: formatCount },
      { key: 'units', label: 'Largest gap (units)', numeric: true, format: formatCount },
      { key: 'top_cause', label: 'Most frequent cause', format: (v) => String(v).replaceAll('_', ' ') },
    ];
  }
}
