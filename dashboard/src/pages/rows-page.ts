import { css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { urlFor, type Row } from '../data/api-client.ts';
import { locationName } from '../data/catalog.ts';
import { describeDrill, drillInfo, drillParams, isDrillKind, type DrillKind } from '../data/drill.ts';
import { formatCount, formatDateTime, formatDay, formatMoney, formatPercent } from '../data/format.ts';
import { QueryController } from '../data/query-controller.ts';
import type { Column } from '../components/data-table.ts';
import { withData } from '../components/load-state.ts';
import { PageElement } from '../components/page-element.ts';
import { badgeStyles, pageStyles } from '../components/page-styles.ts';
import { hrefFor } from '../routing/router.ts';
import '../components/data-table.ts';

/** The most rows one drill-down reads; past it the page says the list is cut and the CSV has them all. */
const rowLimit = 100_000;

/** A figure of the listed rows: how many, and the sums a tile shows (revenue, units). */
interface Figure {
  key: string;
  label: string;
  value: number;
  format: (value: unknown) => string;
}

/** The rows behind one number of the dashboard (`#/rows/order-lines?oversell=true&from=…`), with their count and sums. */
@customElement('sl-rows-page')
export class RowsPage extends PageElement {
  static styles = [
    pageStyles,
    badgeStyles,
    css`
      .figures { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; margin: 0 0 1rem; padding: 0; list-style: none; }
      .figures li { display: flex; flex-direction: column; }
      .figures .n { font-size: 1.35rem; font-weight: 650; font-variant-numeric: tabular-nums; }
      .figures .what { color: #5b6475; font-size: 0.82rem; }
    `,
  ];
  protected readonly pageName = 'rows';

  private get kind(): DrillKind | undefined {
    return isDrillKind(this.routeId) ? this.routeId : undefined;
  }

  private list = new QueryController<Row>(this, () => {
    const kind = this.kind;
    return kind ? { path: drillInfo[kind].path, params: { ...drillParams(kind, this.filters), limit: rowLimit } } : undefined;
  });

  protected queries() {
    return [this.list];
  }

  render() {
    const kind = this.kind;
    if (!kind) {
      return html`<h2>Rows</h2>
        <p class="lede">Open a number on another page (a tile, a heatmap cell, a bar) to list the rows it counts here.</p>`;
    }
    const title = describeDrill(kind, this.filters, (id) => locationName(this.catalog, id));
    const params = { ...drillParams(kind, this.filters), limit: rowLimit };
    return html`
      <h2>${title}</h2>
      <p class="lede">The rows behind the number you opened, as the marts hold them. The link of this page reopens exactly this list.</p>
      ${this.list.state === 'ready'
        ? html`<ul class="figures" aria-label="Figures of these rows">
            ${figuresOf(kind, this.list.rows, this.list.value?.total ?? 0).map((figure) => html`<li data-figure=${figure.key} data-value=${String(figure.value)}><span class="n">${figure.format(figure.value)}</span><span class="what">${figure.label}</span></li>`)}
          </ul>`
        : ''}
      ${withData(this.list, { what: drillInfo[kind].noun, empty: `No ${drillInfo[kind].noun} match: the number you opened counts none.` }, (rows) => html`
        ${(this.list.value?.total ?? 0) > rows.length ? html`<p class="sub">Showing the first ${formatCount(rows.length)} rows; the CSV has all of them.</p>` : ''}
        <section class="card wide" aria-label=${title}>
          <sl-data-table data-table="rows" .rows=${rows} .columns=${this.columns(kind)} .pageSize=${100} csv=${urlFor(drillInfo[kind].path, params, 'csv')}></sl-data-table>
        </section>`)}`;
  }

  private skuLink(row: Row) {
    return html`<a href=${hrefFor({ page: 'sku', filters: { sku: String(row.sku), location: row.location_id ? String(row.location_id) : undefined } })}>${row.sku}</a>`;
  }

  private columns(kind: DrillKind): Column<Row>[] {
    const sku: Column<Row> = { key: 'sku', label: 'SKU', render: (row) => this.skuLink(row) };
    if (kind === 'order-lines') {
      return [
        { key: 'placed_at', label: 'Placed', format: formatDateTime },
        { key: 'order_id', label: 'Order' },
        sku,
        { key: 'channel', label: 'Channel' },
        { key: 'location_id', label: 'Location' },
        { key: 'quantity', label: 'Qty', numeric: true, format: formatCount },
        { key: 'status', label: 'Status' },
        { key: 'is_oversell', label: 'Oversold', format: (v) => (v === true ? 'oversold' : '') },
        { key: 'cancelled_at', label: 'Cancelled', format: (v) => (v ? formatDateTime(v) : '') },
        { key: 'cancel_reason', label: 'Reason given', format: (v) => (v ? String(v).replaceAll('_', ' ') : '') },
        { key: 'stock_cause', label: 'Stock error', format: (v) => (v && v !== 'none' ? String(v) : '') },
        { key: 'revenue', label: 'Revenue', numeric: true, format: (v) => formatMoney(v, { exact: true }) },
      ];
    }
    if (kind === 'mismatches') {
      return [
        { key: 'bucket_at', label: 'When', format: formatDateTime },
        { key: 'location_id', label: 'Location' },
        sku,
        { key: 'source', label: 'System' },
        { key: 'measure', label: 'Figure', format: (v) => String(v ?? '').replaceAll('_', ' ') },
        { key: 'system_units', label: 'System showed', numeric: true, format: formatCount },
        { key: 'truth_units', label: 'Truth implies', numeric: true, format: formatCount },
        { key: 'diff_units', label: 'Difference', numeric: true, format: formatCount },
        { key: 'direction', label: 'Direction', render: (row) => html`<span class="badge ${String(row.direction)}">${row.direction ?? ''}</span>` },
        { key: 'probable_cause', label: 'Probable cause', format: (v) => String(v ?? 'unknown').replaceAll('_', ' ') },
      ];
    }
    if (kind === 'hidden-units') {
      return [
        { key: 'week', label: 'Week of', format: formatDay },
        { key: 'location_id', label: 'Location' },
        sku,
        { key: 'sources', label: 'Hidden on' },
        { key: 'hidden_unit_hours', label: 'Unit-hours hidden', numeric: true, format: formatUnitHours },
        { key: 'hidden_hours', label: 'Hours hidden', numeric: true, format: formatCount },
        { key: 'peak_hidden_units', label: 'Most units hidden at once', numeric: true, format: formatCount },
        { key: 'first_hidden_at', label: 'First hidden', format: formatDateTime },
        { key: 'last_hidden_at', label: 'Last hidden', format: formatDateTime },
      ];
    }
    return [
      { key: 'day', label: 'Day', format: formatDay },
      { key: 'location_id', label: 'Location' },
      sku,
      { key: 'total_units', label: 'On hand', numeric: true, format: formatCount },
      { key: 'ats_units', label: 'Available to sell', numeric: true, format: formatCount },
      { key: 'non_sellable_units', label: 'Not sellable', numeric: true, format: formatCount },
      { key: 'committed', label: 'Committed', numeric: true, format: formatCount },
      { key: 'damaged', label: 'Damaged', numeric: true, format: formatCount },
      { key: 'quality_control', label: 'In QC', numeric: true, format: formatCount },
      { key: 'safety_stock', label: 'Safety stock', numeric: true, format: formatCount },
    ];
  }
}

/** Unit-hours of hidden stock: a bucket shorter than an hour makes fractions, shown to one decimal. */
const formatUnitHours = (value: unknown) => (Number.isInteger(Number(value)) ? formatCount(value) : formatCount(Math.round(Number(value) * 10) / 10));

const sum = (rows: Row[], key: string, sign = 1) => rows.reduce((total, row) => total + sign * Number(row[key] ?? 0), 0);

/** The count and the sums a tile or mark can show of these rows, so the list can be held against it. */
export function figuresOf(kind: DrillKind, rows: Row[], total: number): Figure[] {
  const count: Figure = { key: 'rows', label: drillInfo[kind].noun, value: total, format: formatCount };
  if (kind === 'order-lines') {
    return [count, { key: 'units', label: 'units', value: sum(rows, 'quantity'), format: formatCount }, { key: 'revenue', label: 'revenue', value: sum(rows, 'revenue'), format: (v) => formatMoney(v, { exact: true }) }];
  }
  if (kind === 'mismatches') {
    const under = rows.filter((row) => row.direction === 'under');
    return [count, { key: 'hidden_units', label: 'units shown too few (under)', value: sum(under, 'diff_units', -1), format: formatCount }];
  }
  if (kind === 'hidden-units') {
    return [count, { key: 'unit_hours', label: 'unit-hours hidden', value: sum(rows, 'hidden_unit_hours'), format: formatUnitHours }];
  }
  const totalUnits = sum(rows, 'total_units');
  const atsUnits = sum(rows, 'ats_units');
  return [
    count,
    { key: 'total_units', label: 'units on hand', value: totalUnits, format: formatCount },
    { key: 'ats_units', label: 'units available to sell', value: atsUnits, format: formatCount },
    { key: 'ats_share', label: 'sellable share', value: totalUnits === 0 ? Number.NaN : atsUnits / totalUnits, format: formatPercent },
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'sl-rows-page': RowsPage;
  }
}
