import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { atsStatesArea, type AtsDailyRow } from '../charts/ats-states-area.ts';
import { mismatchRateLines, type MismatchRateRow } from '../charts/mismatch-rate-lines.ts';
import { locationName } from '../data/catalog.ts';
import { mismatchRateSummary, stockSummary } from '../data/chart-summary.ts';
import { drillHref } from '../data/drill.ts';
import { formatDay, isoDay, toDate } from '../data/format.ts';
import { weeklyHealthQueries } from '../data/page-queries.ts';
import { QueryController } from '../data/query-controller.ts';
import { dataEndOf, periodKey, rate, sumBy, weekBefore } from '../data/rollup.ts';
import { withData } from '../components/load-state.ts';
import { PageElement } from '../components/page-element.ts';
import { badgeStyles, pageStyles } from '../components/page-styles.ts';
import { kpiStyles, lastDayOf, latestTwoWeeks, weeklyKpis, type SystemMismatch, type WeeklyHealthRow } from '../components/weekly-kpis.ts';
import '../components/plot-figure.ts';

/** The Monday page: this week's headline figures against last week's, and the trends behind them. */
@customElement('sl-weekly-health-page')
export class WeeklyHealthPage extends PageElement {
  static styles = [pageStyles, badgeStyles, kpiStyles];
  protected readonly pageName = 'weekly';
  // The Monday page must not wait for the filter catalog: the last day comes from its own stock rows.
  protected readonly needsCatalog = false;

  private health = new QueryController<WeeklyHealthRow>(this, () => weeklyHealthQueries(this.filters).health);
  private atsDaily = new QueryController<AtsDailyRow>(this, () => weeklyHealthQueries(this.filters).atsDaily);
  private mismatch = new QueryController<MismatchRateRow>(this, () => weeklyHealthQueries(this.filters).mismatch);
  private systemWeeks = new QueryController<MismatchRateRow>(this, () => weeklyHealthQueries(this.filters).systemWeeks);

  protected queries() {
    return [this.health, this.atsDaily, this.mismatch, this.systemWeeks];
  }

  render() {
    const where = this.filters.location ? locationName(this.catalog, this.filters.location) : 'all locations';
    const location = this.filters.location ?? 'ALL';
    const lastDay = lastDayOf(this.atsDaily.rows);
    const { latest, previous, partial } = latestTwoWeeks(this.health.rows, location, this.filters.to ?? lastDay);
    return html`
      <h2>Weekly health</h2>
      <p class="lede">${latest ? `Week of ${formatDay(latest.week)} against the week before, ${where}.` : `Sellable stock and system accuracy, ${where}.`}${partial ? ` The week of ${formatDay(partial.week)} is still in progress${partial.week_hours ? ` (${Number(partial.week_hours)} of 168 h so far)` : ''} and left out.` : ''}${this.filters.source ? ` Mismatch rate of ${this.filters.source} only; the other figures cover every system.` : ''}</p>
      ${withData(this.health, { what: 'the weekly figures', empty: 'No weeks in this range yet: widen the dates or ingest more data.', isEmpty: () => !latest }, () => weeklyKpis(latest!, previous, this.systemMismatch(latest!, previous), lastDay))}
      <div class="grid">
        <section class="card wide" aria-labelledby="states-title">
          <h3 id="states-title">What share of stock can be sold</h3>
          <p class="sub">Units on hand per day (the dashed line), split into available to sell and the reasons the rest cannot be sold; a day's dot lists its SKUs.</p>
          ${withData(this.atsDaily, { what: 'daily stock', empty: 'No stock counts in this range.' }, (rows) => html`<sl-plot .data=${rows} data-chart="ats-states" summary=${stockSummary(rows)} csv=${this.atsDaily.csvUrl} label="Stacked area of units available to sell and not sellable per day" .chart=${(width: number) => atsStatesArea(rows, width, (day) => drillHref('skus', { location: this.filters.location, day: isoDay(day) }))}></sl-plot>`)}
        </section>
        <section class="card wide" aria-labelledby="rate-title">
          <h3 id="rate-title">How often each system disagrees with the truth</h3>
          <p class="sub">Mismatched comparisons as a share of all comparisons, per day and system.</p>
          ${withData(this.mismatch, { what: 'mismatch rates', empty: 'No comparisons in this range. A system is compared only where a location has a truth_source, and a storefront or marketplace only through a channel listing it under channels: (Data health → Setup checks says which sources are never compared).' }, (rows) => html`<sl-plot .data=${rows} data-chart="mismatch-rate" summary=${mismatchRateSummary(rows)} csv=${this.mismatch.csvUrl} label="Mismatch rate per system per day" .chart=${(width: number) => mismatchRateLines(rows, width, (p) => drillHref('mismatches', { location: this.filters.location, source: p.source, day: isoDay(p.period) }), dataEndOf(this.health.rows))}></sl-plot>`)}
        </section>
      </div>`;
  }

  /** The chosen system's mismatch rate in the tiles' week and the week before, from its weekly comparisons. */
  private systemMismatch(latest: WeeklyHealthRow, previous: WeeklyHealthRow | undefined): SystemMismatch | undefined {
    const source = this.filters.source;
    if (!source) return undefined;
    const weeks = new Map(sumBy(this.systemWeeks.rows, periodKey, ['compared', 'mismatched'] as const).map((week) => [week.key, rate(week.mismatched, week.compared) ?? undefined]));
    const rateIn = (week: unknown) => weeks.get(toDate(week)?.toISOString() ?? '');
    return { source, value: rateIn(latest.week), previous: rateIn(previous?.week ?? weekBefore(latest.week)) };
  }
}
