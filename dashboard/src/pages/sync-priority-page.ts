import { barX, plot, ruleX, text } from '@observablehq/plot';
import { css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { Row } from '../data/api-client.ts';
import { needsFasterSyncCount, recommendedSync } from '../../../core/sync-advice.ts';
import { formatCount, formatMinutes } from '../data/format.ts';
import { syncPriorityDefaults, syncPriorityQueries } from '../data/page-queries.ts';
import { QueryController } from '../data/query-controller.ts';
import type { Column } from '../components/data-table.ts';
import { withData } from '../components/load-state.ts';
import { PageElement } from '../components/page-element.ts';
import { badgeStyles, pageStyles } from '../components/page-styles.ts';
import { hrefFor } from '../routing/router.ts';
import { colors } from '../theme.ts';
import '../components/data-table.ts';
import '../components/plot-figure.ts';

/** How many rows of rpt_sync_priority the page loads, worst exposure first. */

export function isFlagged(row: Row): boolean {
  return row.needs_faster_sync === true || row.needs_faster_sync === 1 || row.needs_faster_sync === 'true';
}

function badge(flagged: number) {
  return flagged === 0 ? html`<span class="badge good">fine</span>` : html`<span class="badge bad">faster sync</span>`;
}

/** Per system: how many SKUs need faster sync and the shortest interval they recommend (every flagged SKU's is shorter than the current one). */
export function perSource(rows: Row[]): { source: string; flagged: number; current: number | null; recommended: number | null; exposure: number }[] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(String(row.source), [...(groups.get(String(row.source)) ?? []), row]);
  return [...groups.entries()]
    .map(([source, list]) => {
      const flagged = list.filter(isFlagged);
      const intervals = flagged.map((r) => Number(r.recommended_sync_minutes)).filter((n) => Number.isFinite(n) && n > 0);
      const current = list.map((r) => Number(r.current_sync_minutes)).find((n) => Number.isFinite(n) && n > 0) ?? null;
      return { source, flagged: flagged.length, current, recommended: intervals.length ? Math.min(...intervals) : null, exposure: list.reduce((sum, r) => sum + Number(r.exposure ?? 0), 0) };
    })
    .sort((a, b) => b.exposure - a.exposure);
}

/** The SKUs whose mismatches outlive a sync interval and cost the most: sync these faster. */
@customElement('sl-sync-priority-page')
export class SyncPriorityPage extends PageElement {
  static styles = [
    pageStyles,
    badgeStyles,
    css`
      .toggle { display: inline-flex; gap: 0.4rem; align-items: center; font-size: 0.9rem; margin: 0 0 0.75rem; }
      .sources { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 0.75rem; margin-bottom: 1rem; }
      .source { background: #fff; border: 1px solid #dde2ea; border-radius: 8px; padding: 0.75rem 1rem; }
      .source h3 { margin: 0; font-size: 0.95rem; }
      .source .big { font-size: 1.5rem; font-weight: 650; margin: 0.2rem 0 0; font-variant-numeric: tabular-nums; }
      .source p { margin: 0.15rem 0 0; color: #5b6475; font-size: 0.85rem; }
    `,
  ];
  protected readonly pageName = 'sync';
  @state() private flaggedOnly = syncPriorityDefaults.flaggedOnly;

  private flagged = new QueryController<Row>(this, () => syncPriorityQueries(this.filters, { flaggedOnly: this.flaggedOnly }).flagged);
  private all = new QueryController<Row>(this, () => syncPriorityQueries(this.filters, { flaggedOnly: this.flaggedOnly }).all);

  protected queries() {
    return [this.flagged, this.all];
  }

  render() {
    return html`
      <h2>Sync priority</h2>
      <p class="lede">A SKU needs faster sync when its mismatches last longer than one sync interval, its exposure (how often it mismatches × units sold per hour × the current interval) is in the top tenth of its system's, and the interval that keeps expected oversold units below one a week is shorter than the current one.</p>
      ${withData(this.flagged, { what: 'sync priority', empty: '', isEmpty: () => false }, (flagged) => this.content(flagged))}`;
  }

  private content(flagged: Row[]) {
    const top = [...flagged].sort((a, b) => Number(b.exposure ?? 0) - Number(a.exposure ?? 0)).slice(0, 15);
    const capped = (this.flagged.value?.total ?? 0) > flagged.length;
    return html`
      <div class="sources" role="group" aria-label="Per system">
        ${perSource(flagged).map(
          (s) => html`<div class="source" data-source=${s.source}><h3>${s.source}</h3>
            <p class="big">${capped ? '≥ ' : ''}${formatCount(s.flagged)} ${badge(s.flagged)}</p>
            <p data-count>${capped ? 'at least ' : ''}${needsFasterSyncCount(s.flagged)}</p>
            <p data-advice>${recommendedSync(s.recommended, s.current)}</p></div>`,
        )}
      </div>
      <div class="grid">
        <section class="card wide" aria-labelledby="top-title">
          <h3 id="top-title">Highest exposure</h3>
          ${top.length === 0 ? html`<p class="state empty">No SKU needs faster sync.</p>` : html`<sl-plot .data=${flagged} data-chart="exposure" label="The fifteen SKU and system pairs with the highest exposure" .chart=${(width: number) => exposureBars(top, width)}></sl-plot>`}
        </section>
        <section class="card wide" aria-labelledby="list-title">
          <h3 id="list-title">SKUs and systems</h3>
          <label class="toggle"><input type="checkbox" .checked=${this.flaggedOnly} @change=${(e: Event) => (this.flaggedOnly = (e.target as HTMLInputElement).checked)} /> Only those that need faster sync</label>
          ${this.flaggedOnly
            ? this.table(flagged, this.flagged.csvUrl, `No SKU needs faster sync${this.filters.source ? ` on ${this.filters.source}` : ''}.`)
            : withData(this.all, { what: 'every SKU and system', empty: 'No mismatches in the report yet.' }, (rows) => this.table(rows, this.all.csvUrl, ''))}
        </section>
      </div>`;
  }

  /** The rows of rpt_sync_priority as the API lists them; the CSV is the same request. */
  private table(rows: Row[], csv: string, empty: string) {
    if (rows.length === 0) return html`<p class="state empty">${empty}</p>`;
    return html`<sl-data-table data-table="sync-priority" csv=${csv} .rows=${rows} .columns=${this.columns()} .initialSort=${{ key: 'exposure', descending: true }} .pageSize=${50}></sl-data-table>`;
  }

  private columns(): Column<Row>[] {
    return [
      { key: 'sku', label: 'SKU', render: (row) => html`<a href=${hrefFor({ page: 'sku', filters: { sku: String(row.sku), source: this.filters.source } })}>${row.sku}</a>` },
      { key: 'source', label: 'System' },
      // Three significant digits: a small exposure still shows (0.0042, not 0.00).
      { key: 'exposure', label: 'Exposure (units / sync)', numeric: true, format: (v) => (v === null || v === undefined ? '–' : Number(Number(v).toPrecision(3)).toString()) },
      { key: 'mismatch_minutes', label: 'Time mismatched', numeric: true, format: formatMinutes },
      { key: 'longest_mismatch_minutes', label: 'Longest run', numeric: true, format: formatMinutes },
      { key: 'units_per_hour', label: 'Units sold / h', numeric: true, format: (v) => (v === null || v === undefined ? '–' : `${Number(v).toFixed(2)} / h`) },
      { key: 'p95_lag_minutes', label: 'p95 sync lag', numeric: true, format: formatMinutes },
      { key: 'current_sync_minutes', label: 'Syncs every', numeric: true, format: formatMinutes },
      { key: 'recommended_sync_minutes', label: 'Recommended interval', numeric: true, format: formatMinutes },
      { key: 'needs_faster_sync', label: 'Flag', render: (row) => (isFlagged(row) ? html`<span class="badge bad">needs faster sync</span>` : '') },
    ];
  }
}

function exposureBars(rows: Row[], width: number): Element {
  const data = rows.map((row) => ({ label: `${row.sku} · ${row.source}`, exposure: Number(row.exposure ?? 0), interval: row.recommended_sync_minutes }));
  return plot({
    width,
    height: 30 + data.length * 24,
    marginLeft: Math.min(260, 12 + Math.max(...data.map((d) => d.label.length)) * 6.5),
    marginRight: 110,
    x: { label: 'exposure (units sold while mismatched, per sync)', grid: true },
    y: { domain: data.map((d) => d.label), label: null },
    marks: [
      barX(data, { x: 'exposure', y: 'label', fill: colors.over, fillOpacity: 0.85, className: 'exposure-bar', title: (d: (typeof data)[number]) => `${d.label}: exposure ${d.exposure.toFixed(2)}` }),
      text(data, { x: 'exposure', y: 'label', text: (d: (typeof data)[number]) => `every ${formatMinutes(d.interval)}`, textAnchor: 'start', dx: 4, fill: colors.ink }),
      ruleX([0]),
    ],
  });
}
