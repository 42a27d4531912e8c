import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { fetchJson, postSql, runSql, type Row, type SqlPreview } from '../data/api-client.ts';
import { formatCount } from '../data/format.ts';
import type { Column } from '../components/data-table.ts';
import { PageElement } from '../components/page-element.ts';
import { badgeStyles, pageStyles } from '../components/page-styles.ts';
import { resultChart, type ResultChartKind } from '../charts/result-chart.ts';
import type { SqlLibrary } from '../components/sql-library.ts';
import '../components/data-table.ts';
import '../components/plot-figure.ts';
import '../components/schema-browser.ts';
import '../components/sql-library.ts';

const example = `select location_id, sum(ats_units) as ats, sum(total_units) as total,
       round(sum(ats_units) / nullif(sum(total_units), 0), 3) as ats_share
from marts.fct_ats_daily
where day = (select max(day) from marts.fct_ats_daily)
group by location_id
order by ats_share`;

const roleRank: Record<string, number> = { viewer: 0, analyst: 1, admin: 2 };

/** Analysts' SQL over every model: read-only, one statement, errors shown where typed. */
@customElement('sl-sql-console-page')
export class SqlConsolePage extends PageElement {
  static styles = [
    pageStyles,
    badgeStyles,
    css`
      label { display: block; font-weight: 600; font-size: 0.9rem; margin-bottom: 0.35rem; }
      textarea { width: 100%; box-sizing: border-box; min-height: 11rem; font: 0.9rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; padding: 0.6rem 0.75rem; border: 1px solid #a9b2c1; border-radius: 6px; resize: vertical; tab-size: 2; }
      .actions { display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; margin: 0.6rem 0 1rem; }
      button { font: inherit; font-size: 0.9rem; padding: 0.4rem 0.95rem; border-radius: 6px; border: 1px solid #a9b2c1; background: #fff; cursor: pointer; }
      button.primary { background: #2f6fde; border-color: #2f6fde; color: #fff; font-weight: 600; }
      button:disabled { opacity: 0.55; cursor: default; }
      .hint { color: #5b6475; font-size: 0.82rem; }
      .exports { margin-top: 1rem; }
      .exports ul { columns: 3 16rem; padding: 0; list-style: none; margin: 0; }
      /* A long mart name with "Parquet after the next build" is wider than a column: it wraps inside its own column, never into the next. */
      .exports li { padding: 0.2rem 0; font-size: 0.88rem; display: flex; flex-wrap: wrap; gap: 0 0.6rem; align-items: baseline; break-inside: avoid; }
      .exports code { overflow-wrap: anywhere; }
      .layout { display: grid; grid-template-columns: minmax(0, 1fr) minmax(14rem, 20rem); gap: 1rem; align-items: start; }
      .side { display: flex; flex-direction: column; gap: 1rem; }
      @media (max-width: 900px) { .layout { grid-template-columns: minmax(0, 1fr); } }
      .chart-controls { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: end; margin: 0.8rem 0 0.4rem; font-size: 0.85rem; }
      .chart-controls label { display: flex; flex-direction: column; font-weight: 400; margin: 0; gap: 0.15rem; }
      .chart-controls select { font: inherit; padding: 0.2rem 0.4rem; border: 1px solid #a9b2c1; border-radius: 6px; }
      .error { white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: 0.85rem; background: #fdf0f1; border: 1px solid #f1b8bf; color: #8f0b20; padding: 0.6rem 0.75rem; border-radius: 6px; margin: 0 0 1rem; }
    `,
  ];
  protected readonly pageName = 'sql';
  protected readonly needsCatalog = false;

  @state() private userRole?: string;
  @state() private roleError?: string;
  @state() private query = example;
  @state() private running = false;
  @state() private result?: SqlPreview;
  @state() private error?: string;
  /** The result chart: off, or a line or bars of `y` by `x`. */
  @state() private chart: { kind: ResultChartKind | ''; x?: string; y?: string } = { kind: '' };
  @state() private exports?: { mart: string; parquet: string | null; csv: string; published: boolean }[];

  protected queries() {
    return [];
  }

  connectedCallback(): void {
    super.connectedCallback();
    fetchJson<{ role?: string }>('/api/me', { abortOnNavigation: false }).then(
      (me) => {
        this.userRole = me.role ?? 'viewer';
        if ((roleRank[this.userRole] ?? 0) >= roleRank.analyst) {
          fetchJson<{ marts: SqlConsolePage['exports'] }>('/api/exports', { abortOnNavigation: false }).then(
            (body) => (this.exports = body.marts),
            () => (this.exports = []),
          );
        }
      },
      (error: Error) => (this.roleError = error.message),
    );
  }

  render() {
    if (this.roleError) return html`<h2>SQL console</h2><p class="state error" role="alert">Could not check your role: ${this.roleError}</p>`;
    if (!this.userRole) return html`<h2>SQL console</h2><p class="state loading" aria-busy="true">Checking your role…</p>`;
    if ((roleRank[this.userRole] ?? 0) < roleRank.analyst) {
      return html`<h2>SQL console</h2><p class="state" role="note">The SQL console needs the analyst role; you are signed in as ${this.userRole}. Ask an admin for an analyst token (<code>stocklens token create --role analyst</code>).</p>`;
    }
    return html`
      <h2>SQL console</h2>
      <p class="lede">Read-only SQL over every schema: <code>marts</code>, <code>intermediate</code>, <code>staging</code>, <code>raw</code>, <code>ingest</code>, <code>meta</code>, <code>config</code>. One statement; results are capped.</p>
      <div class="layout" @use-query=${this.useQuery}>
      <div>
      <section class="card">
        <label for="sql">Query</label>
        <textarea id="sql" spellcheck="false" .value=${this.query} @input=${(e: Event) => (this.query = (e.target as HTMLTextAreaElement).value)} @keydown=${this.onKeydown} aria-describedby="sql-hint"></textarea>
        <div class="actions">
          <button class="primary" ?disabled=${this.running} @click=${this.run}>${this.running ? 'Running…' : 'Run'}</button>
          <button ?disabled=${this.running} @click=${() => this.download('csv')}>Download CSV</button>
          <button ?disabled=${this.running} @click=${() => this.download('arrow')}>Download Arrow</button>
          <span class="hint" id="sql-hint">Ctrl+Enter runs the query.</span>
        </div>
        ${this.error ? html`<p class="error" role="alert" data-sql-error>${this.error}</p>` : nothing}
        <div aria-live="polite">${this.resultView()}</div>
        ${this.chartView()}
      </section>
      ${this.exportsView()}
      </div>
      <div class="side">
        <section class="card" aria-label="Saved and recent queries"><sl-sql-library .query=${this.query}></sl-sql-library></section>
        <section class="card" aria-label="Tables and columns"><sl-schema-browser></sl-schema-browser></section>
      </div>
      </div>`;
  }

  private resultView() {
    if (!this.result) return nothing;
    const { columns, rows } = this.result;
    if (rows.length === 0) return html`<p class="state empty">The query returned no rows.</p>`;
    const tableColumns: Column<Row>[] = columns.map((key) => ({ key, label: key, numeric: typeof rows[0][key] === 'number' }));
    const { truncated, rowCap, elapsedMs } = this.result;
    return html`<p class="hint" data-sql-summary>${formatCount(rows.length)} rows${truncated ? ` (the first ${formatCount(rowCap ?? rows.length)}: download for all of them)` : ''} · ${columns.length} columns${elapsedMs === undefined ? '' : ` · ${Math.round(elapsedMs)} ms`}</p>
      <sl-data-table data-table="sql-result" style="--table-max-height: 32rem" .rows=${rows} .columns=${tableColumns} .pageSize=${200}></sl-data-table>`;
  }

  private exportsView() {
    if (!this.exports || this.exports.length === 0) return nothing;
    return html`<section class="card exports" aria-labelledby="exports-title">
      <h3 id="exports-title">Marts as files</h3>
      <p class="sub">Parquet is published after each successful build; CSV is read now. For your own tools (DuckDB, pandas, Excel).</p>
      <ul>
        ${this.exports.map(
          (e) => html`<li><code>${e.mart}</code>
            ${e.parquet === null
              ? html`<span class="hint" title="A view computed on read: every bucket of every source, too large to copy after each build">CSV or SQL only</span>`
              : e.published
                ? html`<a href=${e.parquet} download>Parquet</a>`
                : html`<span class="hint">Parquet after the next build</span>`}
            <a href=${e.csv} download>CSV</a></li>`,
        )}
      </ul>
    </section>`;
  }

  /** Line or bars of one numeric column by another, chosen from the result's columns. */
  private chartView() {
    if (!this.result || this.result.rows.length === 0) return nothing;
    const { columns, rows } = this.result;
    const numeric = columns.filter((c) => rows.some((r) => typeof r[c] === 'number'));
    if (numeric.length === 0) return nothing;
    const x = this.chart.x && columns.includes(this.chart.x) ? this.chart.x : columns[0];
    const y = this.chart.y && numeric.includes(this.chart.y) ? this.chart.y : (numeric.find((c) => c !== x) ?? numeric[0]);
    const kind = this.chart.kind;
    const select = (label: string, value: string, options: string[], change: (value: string) => void) =>
      html`<label>${label}<select .value=${value} @change=${(e: Event) => change((e.target as HTMLSelectElement).value)}>${options.map((o) => html`<option value=${o} ?selected=${o === value}>${o || 'no chart'}</option>`)}</select></label>`;
    return html`<div class="chart-controls" data-result-chart>
        ${select('Chart', kind, ['', 'line', 'bar'], (v) => (this.chart = { ...this.chart, kind: v as ResultChartKind | '' }))}
        ${kind ? select('x', x, columns, (v) => (this.chart = { ...this.chart, x: v })) : nothing}
        ${kind ? select('y', y, numeric, (v) => (this.chart = { ...this.chart, y: v })) : nothing}
      </div>
      ${kind
        ? html`<sl-plot data-chart="sql-result" .data=${[rows, x, y, kind]} .table=${rows} label="${kind === 'line' ? 'Line' : 'Bars'} of ${y} by ${x}" summary="${y} by ${x} over ${formatCount(rows.length)} result rows." .chart=${(width: number) => resultChart(rows, x, y, kind, width)}></sl-plot>`
        : nothing}`;
  }

  private useQuery(event: CustomEvent<string>): void {
    this.query = event.detail;
    this.renderRoot.querySelector<HTMLTextAreaElement>('#sql')?.focus();
  }

  private onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void this.run();
    }
  }

  private async run(): Promise<void> {
    this.running = true;
    this.error = undefined;
    try {
      this.result = await runSql(this.query);
    } catch (error) {
      this.result = undefined;
      this.error = (error as Error).message;
    } finally {
      this.running = false;
      // The run is in the history now, failed or not.
      void this.renderRoot.querySelector<SqlLibrary>('sl-sql-library')?.reload();
    }
  }

  private async download(format: 'csv' | 'arrow'): Promise<void> {
    this.error = undefined;
    try {
      const response = await postSql(this.query, format);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = `stocklens-query.${format === 'arrow' ? 'arrows' : format}`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      this.error = (error as Error).message;
    }
  }
}
