import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { atsByLocation, type AtsRow } from '../charts/ats-by-location.ts';
import { locationRanking, type RankedLocation } from '../charts/location-ranking.ts';
import { mismatchHeatmap, type LocationWeekRow } from '../charts/mismatch-heatmap.ts';
import { locationName } from '../data/catalog.ts';
import { atsByLocationSummary, heatmapSummary, rankingSummary } from '../data/chart-summary.ts';
import { drillHref } from '../data/drill.ts';
import { formatCount, formatPercent, isoDay } from '../data/format.ts';
import { warehousesQueries } from '../data/page-queries.ts';
import { QueryController } from '../data/query-controller.ts';
import type { Column } from '../components/data-table.ts';
import { withData } from '../components/load-state.ts';
import { PageElement } from '../components/page-element.ts';
import { badgeStyles, pageStyles } from '../components/page-styles.ts';
import { hrefFor } from '../routing/router.ts';
import '../components/data-table.ts';
import '../components/plot-figure.ts';

export type WarehouseRow = Record<string, unknown> & { location_id: string };

/** Which warehouse causes errors: mismatch rate per location and week, and locations ranked. */
@customElement('sl-warehouses-page')
export class WarehousesPage extends PageElement {
  static styles = [pageStyles, badgeStyles];
  protected readonly pageName = 'warehouses';

  private weekly = new QueryController<LocationWeekRow>(this, () => warehousesQueries(this.filters).weekly);
  private ranking = new QueryController<WarehouseRow>(this, () => warehousesQueries(this.filters).ranking);
  private ats = new QueryController<AtsRow>(this, () => warehousesQueries(this.filters).ats);

  protected queries() {
    return [this.weekly, this.ranking, this.ats];
  }

  render() {
    const names = new Map(this.catalog?.locations.map((l) => [l.id, l.name]));
    return html`
      <h2>Warehouses</h2>
      <p class="lede">Where the systems disagree with the truth, and which locations cause the most errors. Pick a location for its own page.</p>
      <div class="grid">
        <section class="card wide" aria-labelledby="heat-title">
          <h3 id="heat-title">Mismatch rate by location and week</h3>
          <p class="sub">All systems together${this.filters.source ? ` (only ${this.filters.source})` : ''}; darker is worse.</p>
          ${withData(this.weekly, { what: 'weekly mismatch rates', empty: 'No comparisons in this range.' }, (rows) => html`<sl-plot .data=${[rows, this.catalog]} data-chart="heatmap" summary=${heatmapSummary(rows, (id) => names.get(id) ?? id)} csv=${this.weekly.csvUrl} label="Heatmap of mismatch rate per location and week" .chart=${(width: number) => mismatchHeatmap(rows, width, names, this.catalog?.maxDate, (c) => drillHref('mismatches', { location: c.location_id, week: isoDay(c.week), source: this.filters.source }))}></sl-plot>`)}
        </section>
        <section class="card" aria-labelledby="rank-title">
          <h3 id="rank-title">Errors caused, by location</h3>
          <p class="sub">Worst mismatch rate first; the order lines those errors oversold or cancelled beside it.</p>
          ${withData(this.ranking, { what: 'the ranking', empty: 'No locations with data in this range.' }, (rows) => html`<sl-plot .data=${[rows, this.catalog]} data-chart="ranking" summary=${rankingSummary(rows, (row) => this.nameOf(row as WarehouseRow))} csv=${this.ranking.csvUrl} label="Locations ranked by mismatch rate, with oversold lines and stock-error cancellations" .chart=${(width: number) => locationRanking(rows.map((row) => this.ranked(row)), width)}></sl-plot>`)}
        </section>
        <section class="card" aria-labelledby="ats-title">
          <h3 id="ats-title">Available to sell against total stock, now</h3>
          <p class="sub">From each location's truth system at its latest count.</p>
          ${withData(this.ats, { what: 'stock per location', empty: 'No locations yet: ingest a stock file to see ATS against total.' }, (rows) => html`<sl-plot .data=${rows} data-chart="ats-by-location" summary=${atsByLocationSummary(rows as unknown as Record<string, unknown>[])} csv=${this.ats.csvUrl} label="Bars of total and sellable units per location" .chart=${(width: number) => atsByLocation(rows, width)}></sl-plot>`)}
        </section>
        <section class="card wide" aria-labelledby="table-title">
          <h3 id="table-title">Locations</h3>
          ${withData(this.ranking, { what: 'locations', empty: 'No locations with data in this range.' }, (rows) => html`<sl-data-table data-table="warehouses" csv=${this.ranking.csvUrl} .rows=${rows} .columns=${this.columns()}></sl-data-table>`)}
        </section>
      </div>`;
  }

  private ranked(row: WarehouseRow): RankedLocation {
    const location = row.location_id;
    const { from, to } = this.filters;
    return {
      label: this.nameOf(row),
      mismatchRate: row.mismatch_rate === null || row.mismatch_rate === undefined ? null : Number(row.mismatch_rate),
      oversellLines: Number(row.oversell_lines ?? 0),
      stockCancellations: Number(row.stock_cancellations ?? 0),
      mismatched: Number(row.mismatched ?? 0),
      links: {
        mismatchRate: drillHref('mismatches', { location, from, to, source: this.filters.source }),
        oversellLines: drillHref('order-lines', { location, from, to, oversell: 'true' }),
        stockCancellations: drillHref('order-lines', { location, from, to, at: 'cancelled', status: 'cancelled', stock_cause: ['confirmed', 'inferred'] }),
      },
    };
  }

  private nameOf(row: WarehouseRow): string {
    return String(row.name ?? row.location_name ?? locationName(this.catalog, row.location_id));
  }

  private columns(): Column<WarehouseRow>[] {
    return [
      // Ties share a rank (the server ranks them equal) and say so: two "1"s alone read as a mistake.
      { key: 'rank', label: 'Rank', numeric: true, format: (value, row) => `${formatCount(value)}${this.ranking.rows.some((other) => other !== row && other.rank === value) ? ' (tie)' : ''}` },
      { key: 'location_id', label: 'Location', render: (row) => html`<a href=${hrefFor({ page: 'warehouses', id: row.location_id, filters: this.filters })}>${this.nameOf(row)}</a>` },
      { key: 'mismatch_rate', label: 'Mismatch rate', numeric: true, format: formatPercent },
      { key: 'mismatched', label: 'Mismatched comparisons', numeric: true, format: (_v, row) => formatCount(row.mismatched ?? row.mismatched_comparisons) },
      { key: 'oversell_lines', label: 'Oversold lines', numeric: true, format: formatCount },
      { key: 'stock_cancellations', label: 'Stock-error cancellations', numeric: true, format: formatCount },
    ];
  }
}
