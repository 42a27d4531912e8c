import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { orderOutcomes, orderTicks, skuTimeline, timeDomain, timelinePoints, type OrderPoint } from '../charts/sku-timeline.ts';
import type { Row } from '../data/api-client.ts';
import { locationName } from '../data/catalog.ts';
import { formatCount, formatDateTime, formatMoney, toDate } from '../data/format.ts';
import { QueryController } from '../data/query-controller.ts';
import type { Column } from '../components/data-table.ts';
import { withData } from '../components/load-state.ts';
import { PageElement } from '../components/page-element.ts';
import { badgeStyles, pageStyles } from '../components/page-styles.ts';
import '../components/data-table.ts';
import '../components/plot-figure.ts';

/** What became of an order line, for its colour on the shared time axis. */
export function orderOutcome(row: Row): string {
  if (row.status === 'cancelled') return row.stock_cause === 'confirmed' || row.stock_cause === 'inferred' ? orderOutcomes.domain[2] : orderOutcomes.domain[3];
  if (row.is_oversell === true) return orderOutcomes.domain[1];
  return orderOutcomes.domain[0];
}

/** One SKU end to end: what every system showed against the truth, why they differed, what it cost. */
@customElement('sl-sku-page')
export class SkuPage extends PageElement {
  static styles = [pageStyles, badgeStyles];
  protected readonly pageName = 'sku';

  private params() {
    const { sku, location, from, to } = this.filters;
    return { sku, location, from, to };
  }

  private timeline = new QueryController<Row>(this, () => (this.filters.sku ? { path: '/api/sku-timeline', params: { ...this.params(), source: this.filters.source, limit: 100000 } } : undefined));
  private orders = new QueryController<Row>(this, () => (this.filters.sku ? { path: '/api/order-lines', params: { ...this.params(), limit: 100000 } } : undefined));

  protected queries() {
    return [this.timeline, this.orders];
  }

  render() {
    const { sku, location } = this.filters;
    if (!sku) {
      return html`<h2>SKU drill-down</h2>
        <p class="lede">Type a SKU in the filter above, or open one from the Sync priority or Warehouses pages.</p>`;
    }
    const points = timelinePoints(this.timeline.rows);
    const orders = this.orderPoints();
    // The systems' history sets the time axis; order lines outside it would only squash it.
    const domain = timeDomain(points.length > 0 ? points.map((p) => p.at) : orders.map((o) => o.at));
    const mismatches = points.filter((p) => p.cause !== null || p.direction !== null);
    return html`
      <h2><span data-sku>${sku}</span></h2>
      <p class="lede">${location ? `At ${locationName(this.catalog, location)}.` : 'At every location that holds it.'} Thick blue: the truth's figure; thin lines: what each system showed; marks: mismatches, red when a system showed more than is sellable (oversell risk), amber when less (hidden stock), shaped by probable cause.</p>
      <div class="grid">
        <section class="card wide" aria-labelledby="timeline-title">
          <h3 id="timeline-title">Every system against the truth</h3>
          ${withData(this.timeline, { what: 'the timeline', empty: 'No figures for this SKU in this range: check the SKU or widen the dates.' }, () => html`
 <sl-plot .data=${[this.timeline.value, this.orders.value]} data-chart="sku-timeline" .table=${this.timeline.rows} csv=${this.timeline.csvUrl} label="Each system's figure and the truth's ATS over time for ${sku}" .chart=${(width: number) => skuTimeline(points, width, domain)}></sl-plot>
`)}
        </section>
        <section class="card wide" aria-labelledby="orders-title">
          <h3 id="orders-title">Order lines on the same time axis</h3>
          ${withData(this.orders, { what: 'order lines', empty: 'No order lines for this SKU in this range.' }, () => html`<sl-plot .data=${[this.timeline.value, this.orders.value]} data-chart="sku-orders" .table=${this.orders.rows} csv=${this.orders.csvUrl} label="Order lines for ${sku} over time by outcome" .chart=${(width: number) => orderTicks(orders, width, domain)}></sl-plot>`)}
        </section>
        <section class="card wide" aria-labelledby="mismatch-title">
          <h3 id="mismatch-title">Mismatches</h3>
          ${withData(this.timeline, { what: 'mismatches', empty: 'No mismatches: every system agreed with the truth.', isEmpty: () => mismatches.length === 0 }, () => html`<sl-data-table data-table="sku-mismatches" .rows=${mismatches as unknown as Record<string, unknown>[]} .columns=${mismatchColumns} .initialSort=${{ key: 'at', descending: true }} .pageSize=${20}></sl-data-table>`)}
        </section>
        <section class="card wide" aria-labelledby="cancel-title">
          <h3 id="cancel-title">Cancelled and oversold lines</h3>
          ${withData(this.orders, { what: 'order lines', empty: 'No cancelled or oversold lines.', isEmpty: (rows) => !(rows as Row[]).some((r) => r.status === 'cancelled' || r.is_oversell === true) }, (rows) => html`<sl-data-table data-table="sku-orders" csv=${this.orders.csvUrl} .rows=${rows.filter((r) => r.status === 'cancelled' || r.is_oversell === true)} .columns=${orderColumns} .initialSort=${{ key: 'placed_at', descending: true }} .pageSize=${20}></sl-data-table>`)}
        </section>
      </div>`;
  }

  private orderPoints(): OrderPoint[] {
    return this.orders.rows
      .map((row) => ({
        at: toDate(row.placed_at)!,
        quantity: Number(row.quantity ?? 0),
        outcome: orderOutcome(row),
        label: `${row.order_id} · ${row.channel} · ${formatDateTime(row.placed_at)}\n${row.quantity} × ${this.filters.sku}: ${row.status}${row.cancel_reason ? ` (${row.cancel_reason})` : ''}${row.is_oversell === true ? ', oversold' : ''}`,
      }))
      .filter((o) => o.at);
  }

}

const mismatchColumns: Column<Record<string, unknown>>[] = [
  { key: 'at', label: 'When', format: formatDateTime },
  { key: 'location', label: 'Location' },
  { key: 'source', label: 'System' },
  { key: 'comparedUnits', label: 'System showed', numeric: true, format: formatCount },
  { key: 'expectedUnits', label: 'Truth implies', numeric: true, format: formatCount },
  { key: 'direction', label: 'Direction', render: (row) => html`<span class="badge ${String(row.direction)}">${row.direction ?? ''}</span>` },
  { key: 'cause', label: 'Probable cause', format: (v) => String(v ?? 'unknown').replaceAll('_', ' ') },
];

const orderColumns: Column<Row>[] = [
  { key: 'placed_at', label: 'Placed', format: formatDateTime },
  // Why the line is in this list: an oversold line may well have been fulfilled.
  { key: 'outcome', label: 'What happened', render: (row) => html`<span class="badge ${row.status === 'cancelled' ? 'bad' : 'over'}">${orderOutcome(row)}${row.status === 'cancelled' ? '' : ` (${row.status})`}</span>` },
  { key: 'order_id', label: 'Order' },
  { key: 'channel', label: 'Channel' },
  { key: 'location_id', label: 'Location' },
  { key: 'quantity', label: 'Qty', numeric: true, format: formatCount },
  { key: 'status', label: 'Status' },
  { key: 'cancel_reason', label: 'Reason' },
  { key: 'stock_cause', label: 'Stock error', format: (v) => (v && v !== 'none' ? String(v) : '') },
  { key: 'revenue', label: 'Revenue', numeric: true, format: (v) => formatMoney(v, { exact: true }) },
];
