import { css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { lineageGraph, lineageOf } from '../charts/lineage-graph.ts';
import { stalenessLines } from '../charts/staleness-lines.ts';
import type { Row } from '../data/api-client.ts';
import { formatCount, formatDateTime, formatMinutes, toDate } from '../data/format.ts';
import { QueryController } from '../data/query-controller.ts';
import type { Column } from '../components/data-table.ts';
import { withData } from '../components/load-state.ts';
import { PageElement } from '../components/page-element.ts';
import { badgeStyles, pageStyles } from '../components/page-styles.ts';
import '../components/data-table.ts';
import '../components/plot-figure.ts';

const statusBadge = (value: unknown) => {
  const status = String(value ?? '');
  const tone = /^(success|landed|pass|ok|fresh)$/.test(status) ? 'good' : /^(fail|failed|error|rejected|held|stale|warn|ignored)/.test(status) ? 'bad' : '';
  return html`<span class="badge ${tone}">${status}</span>`;
};

/** Can the figures be trusted: what landed, what is stale or held, what the last build and tests said. */
@customElement('sl-data-health-page')
export class DataHealthPage extends PageElement {
  static styles = [
    pageStyles,
    badgeStyles,
    css`
      .counts { display: flex; gap: 2rem; flex-wrap: wrap; margin: 0 0 0.75rem; }
      .counts p { margin: 0; color: #5b6475; font-size: 0.85rem; }
      .counts strong { display: block; font-size: 1.5rem; color: #1d2330; font-variant-numeric: tabular-nums; }
    `,
  ];
  protected readonly pageName = 'data-health';

  private range() {
    return { from: this.filters.from, to: this.filters.to, source: this.filters.source };
  }

  // fct_source_freshness has one row per bucket and source: the history for the chart, the latest for the table.
  private freshness = new QueryController<Row>(this, () => ({ path: '/api/freshness', params: { source: this.filters.source, history: 'true', limit: 100000 } }));
  private runs = new QueryController<Row>(this, () => ({ path: '/api/ingest/runs', params: { ...this.range(), limit: 200 } }));
  private held = new QueryController<Row>(this, () => ({ path: '/api/ingest/batches', params: { ...this.range(), status: 'held', limit: 1000 } }));
  private quarantine = new QueryController<Row>(this, () => ({ path: '/api/ingest/quarantine', params: { ...this.range(), limit: 5000 } }));
  private setup = new QueryController<Row>(this, () => ({ path: '/api/setup-checks', params: {}, json: true }));
  private notLanded = new QueryController<Row>(this, () => ({ path: '/api/ingest/files-not-landed', params: { source: this.filters.source, limit: 1000 } }));
  private modelRuns = new QueryController<Row>(this, () => ({ path: '/api/models/runs', params: { limit: 500 } }));
  private tests = new QueryController<Row>(this, () => ({ path: '/api/models/tests', params: { limit: 2000 } }));
  private lineage = new QueryController<Row>(this, () => ({ path: '/api/lineage', params: {}, json: true }));
  private negative = new QueryController<Row>(this, () => ({ path: '/api/negative-on-hand', params: { source: this.filters.source, current: 'true', limit: 1000 } }));

  protected queries() {
    return [this.freshness, this.runs, this.held, this.quarantine, this.setup, this.notLanded, this.modelRuns, this.tests, this.lineage, this.negative];
  }

  render() {
    return html`
      <h2>Data health</h2>
      <p class="lede">Whether today's figures can be trusted: every source's freshness, what was landed, held or quarantined, and the last model build and its tests.</p>
      <div class="grid">
        <section class="card" aria-labelledby="fresh-title">
          <h3 id="fresh-title">Freshness per source</h3>
          ${withData(this.freshness, { what: 'freshness', empty: 'No sources have landed data yet.' }, (rows) => freshnessCard(rows))}
        </section>
        <section class="card" aria-labelledby="held-title">
          <h3 id="held-title">Held batches and quarantine</h3>
          ${this.heldAndQuarantine()}
        </section>
        <section class="card wide" aria-labelledby="setup-title">
          <h3 id="setup-title">Setup checks</h3>
          <p class="sub">What <code>stocklens doctor</code> finds in the config and the drop folders: sources that are never compared, locations without a truth, missing folders, files no connector reads.</p>
          ${withData(this.setup, { what: 'setup checks', empty: '', isEmpty: () => false }, (rows) => setupFindings((rows[0]?.findings ?? []) as Row[]))}
        </section>
        <section class="card wide" aria-labelledby="not-landed-title">
          <h3 id="not-landed-title">Files not landed</h3>
          <p class="sub">Files rejected whole (none of their rows landed) and files ignored for their name, with what to do; each stays here until the file is corrected or renamed.</p>
          ${withData(this.notLanded, { what: 'files not landed', empty: 'Every file in the drop folders landed.' }, (rows) => html`<sl-data-table data-table="files-not-landed" csv=${this.notLanded.csvUrl} style="--table-max-height: 22rem" .rows=${rows} .columns=${columnsOf(rows, ['outcome', 'source', 'file', 'reason', 'fix', 'at'])} .pageSize=${50}></sl-data-table>`)}
        </section>
        <section class="card wide" aria-labelledby="quarantine-title">
          <h3 id="quarantine-title">Quarantined rows</h3>
          <p class="sub">Rows refused one by one while the rest of their file landed: the file, the line and why. <a data-download="quarantine" href=${quarantineCsv(this.filters.source)} download>Download every quarantined row (CSV)</a></p>
          ${withData(this.quarantine, { what: 'quarantined rows', empty: 'No row is quarantined.' }, (rows) => html`<sl-data-table data-table="quarantine-rows" csv=${this.quarantine.csvUrl} style="--table-max-height: 22rem" .rows=${rows} .columns=${columnsOf(rows, ['file', 'line', 'column', 'reason', 'raw_line'])} .pageSize=${50}></sl-data-table>`)}
        </section>
        <section class="card wide" aria-labelledby="stale-title">
          <h3 id="stale-title">Staleness over time</h3>
          <p class="sub">Time since each source's last batch, as a share of the staleness it is allowed (dashed at 100%); red: stale, so its mismatches are not counted.</p>
          ${withData(this.freshness, { what: 'freshness', empty: 'No sources have landed data yet.', isEmpty: (rows) => !(rows as Row[]).some((r) => r.bucket_at !== undefined) }, (rows) => html`<sl-plot .data=${rows} data-chart="staleness" label="Time since the last batch per source over time, as a share of its allowed staleness" .chart=${(width: number) => stalenessLines(rows, width)}></sl-plot>`)}
        </section>
        <section class="card wide" aria-labelledby="runs-title">
          <h3 id="runs-title">Ingest runs</h3>
          ${withData(this.runs, { what: 'ingest runs', empty: 'No ingest runs yet: run `stocklens ingest`.' }, (rows) => html`<sl-data-table data-table="ingest-runs" csv=${this.runs.csvUrl} style="--table-max-height: 22rem" .rows=${rows} .columns=${columnsOf(rows, ['run_id', 'source', 'status', 'started_at', 'finished_at', 'batches', 'rows', 'rejected', 'attempt', 'error'])} .initialSort=${{ key: 'started_at', descending: true }} .pageSize=${50}></sl-data-table>`)}
        </section>
        <section class="card" aria-labelledby="models-title">
          <h3 id="models-title">Latest model build</h3>
          ${withData(this.modelRuns, { what: 'model runs', empty: 'No model build yet: run `stocklens build`.' }, (rows) => html`<sl-data-table data-table="model-runs" csvName="latest-model-build" style="--table-max-height: 22rem" .rows=${latestRun(rows)} .columns=${columnsOf(rows, ['status', 'node', 'rows', 'duration_ms', 'error'])} .pageSize=${100}></sl-data-table>`)}
        </section>
        <section class="card" aria-labelledby="tests-title">
          <h3 id="tests-title">Data tests</h3>
          ${withData(this.tests, { what: 'test results', empty: 'No data tests have run yet.' }, (rows) => this.testResults(rows))}
        </section>
        <section class="card wide" aria-labelledby="lineage-title">
          <h3 id="lineage-title">Lineage</h3>
          <p class="sub">How data flows from the landed tables through staging and intermediate models to the marts.</p>
          ${withData(this.lineage, { what: 'the lineage', empty: 'No manifest yet: build the models.', isEmpty: (rows) => lineageOf((rows[0] ?? {}) as Row).nodes.length === 0 }, (rows) => html`<sl-plot .data=${rows} data-chart="lineage" scrollable label="Graph of models and their dependencies" .chart=${(width: number) => lineageGraph(lineageOf(rows[0]), width)}></sl-plot>`)}
        </section>
      </div>`;
  }

  private heldAndQuarantine() {
    if (this.held.state !== 'ready' || this.quarantine.state !== 'ready') {
      return withData(this.held.state !== 'ready' ? this.held : this.quarantine, { what: 'held batches', empty: '' }, () => html``);
    }
    const byReason = new Map<string, number>();
    for (const row of this.quarantine.rows) byReason.set(String(row.reason ?? 'unknown'), (byReason.get(String(row.reason ?? 'unknown')) ?? 0) + 1);
    const reasons = [...byReason.entries()].sort((a, b) => b[1] - a[1]).map(([reason, rows]) => ({ reason, rows }));
    return html`
      <div class="counts">
        <p><strong data-count="held">${formatCount(this.held.value!.total)}</strong> held batches</p>
        <p><strong data-count="quarantine">${formatCount(this.quarantine.value!.total)}</strong> quarantined rows</p>
      </div>
      ${this.negativeOnHand()}
      ${this.held.rows.length > 0 ? html`<sl-data-table data-table="held" csv=${this.held.csvUrl} .rows=${this.held.rows} .columns=${columnsOf(this.held.rows, ['batch_id', 'source', 'file', 'captured_at', 'rows', 'error'])}></sl-data-table>` : html`<p class="state empty">No batch is held: every full snapshot looked complete.</p>`}
      ${reasons.length > 0 ? html`<sl-data-table data-table="quarantine" csvName="quarantine-reasons" .rows=${reasons} .columns=${[{ key: 'reason', label: 'Quarantine reason' }, { key: 'rows', label: 'Rows', numeric: true, format: formatCount }]}></sl-data-table>` : ''}`;
  }

  /** Negative on-hand lands (it counts 0 sellable) but says where its system's records are wrong. */
  private negativeOnHand() {
    const rows = this.negative.state === 'ready' ? this.negative.rows.filter((r) => r.is_current === true) : [];
    if (rows.length === 0) return '';
    const places = rows.slice(0, 5).map((r) => `${r.sku} at ${r.location_id} (${r.source}: ${formatCount(r.on_hand)})`);
    return html`<p class="sub" data-negative-on-hand><span class="badge bad">${formatCount(rows.length)} negative on-hand now</span> ${places.join(', ')}${rows.length > 5 ? ', …' : ''}: counted as 0 sellable; correct the stock in that system.</p>`;
  }

  private testResults(rows: Row[]) {
    const latest = latestRun(rows);
    const failing = latest.filter((r) => !/^(pass|success)$/.test(String(r.status)));
    return html`<p class="sub">${formatCount(latest.length - failing.length)} passed, ${formatCount(failing.length)} failed or warned in the latest run.</p>
      <sl-data-table data-table="model-tests" csvName="latest-data-tests" style="--table-max-height: 22rem" .rows=${[...failing, ...latest.filter((r) => !failing.includes(r))]} .columns=${columnsOf(rows, ['status', 'test', 'test_name', 'node', 'model', 'severity', 'failures', 'message'])} .pageSize=${100}></sl-data-table>`;
  }
}

/**
 * One clock for the whole card: the ages, the states and the note are all measured from the same
 * "now" (the browser's clock when the page drew). A feed is fresh only when its last batch is
 * within its allowance of that now; the note says when the newest data any source sent is itself
 * long past it, so "nothing new for 278 d" never stands beside a green "fresh".
 */
export function freshnessNow(rows: Row[], nowMs: number): { rows: Row[]; newestMs?: number; silentMinutes?: number } {
  const newest = Math.max(...rows.map((row) => toDate(row.last_captured_at)?.getTime() ?? -Infinity));
  const current = latestPerSource(rows).map((row) => {
    const captured = toDate(row.last_captured_at)?.getTime();
    const age = captured === undefined ? null : Math.max(0, (nowMs - captured) / 60_000);
    const allowed = row.max_staleness_minutes === null || row.max_staleness_minutes === undefined ? undefined : Number(row.max_staleness_minutes);
    const isStale = age === null || (allowed !== undefined && age > allowed);
    return { ...row, staleness_minutes: age, is_stale: isStale };
  });
  if (!Number.isFinite(newest)) return { rows: current };
  const behindMinutes = (nowMs - newest) / 60_000;
  return { rows: current, newestMs: newest, silentMinutes: behindMinutes > 120 ? behindMinutes : undefined };
}

function freshnessCard(rows: Row[]) {
  const now = Date.now();
  const fresh = freshnessNow(rows, now);
  const note =
    fresh.newestMs === undefined
      ? html``
      : html`<p class="sub" data-freshness-basis>Ages as of now, ${formatDateTime(new Date(now))}; the newest data any source sent is from ${formatDateTime(new Date(fresh.newestMs))}${fresh.silentMinutes === undefined ? '.' : html`: <span class="badge bad">nothing new from any source for ${formatMinutes(fresh.silentMinutes)}</span>`}</p>`;
  return html`${note}<sl-data-table data-table="freshness" csvName="freshness" .rows=${fresh.rows} .columns=${freshnessColumns}></sl-data-table>`;
}

/** Each source's row at the latest bucket (or its only row, when the endpoint has no history). */
function latestPerSource(rows: Row[]): Row[] {
  const latest = new Map<string, Row>();
  const time = (r: Row) => toDate(r.bucket_at)?.getTime() ?? 0;
  for (const row of rows) {
    const current = latest.get(String(row.source));
    if (!current || time(row) >= time(current)) latest.set(String(row.source), row);
  }
  return [...latest.values()];
}

/** The rows of the most recent run (meta.* keep every run's history). */
function latestRun(rows: Row[]): Row[] {
  if (!rows.some((r) => r.run_id !== undefined)) return rows;
  const time = (r: Row) => toDate(r.started_at ?? r.finished_at ?? r.created_at)?.getTime() ?? 0;
  const latest = rows.reduce((best, r) => (time(r) > time(best) ? r : best), rows[0]);
  return rows.filter((r) => r.run_id === latest.run_id);
}

/** The doctor's findings, problems first, each with its fix. */
function setupFindings(findings: Row[]) {
  if (findings.length === 0) return html`<p class="state empty" data-setup-ok>Every source is read and compared.</p>`;
  const sorted = [...findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return html`<sl-data-table data-table="setup-checks" csvName="setup-checks" .rows=${sorted} .columns=${[
    { key: 'severity', label: 'severity', render: (row: Row) => statusBadge(row.severity === 'error' ? 'error' : 'warn') },
    { key: 'subject', label: 'about' },
    { key: 'problem', label: 'problem' },
    { key: 'fix', label: 'fix' },
  ]} .pageSize=${50}></sl-data-table>`;
}

/** The quarantine of the filtered range as one CSV download (a CSV answer streams every row). */
function quarantineCsv(source: string | string[] | undefined): string {
  const params = new URLSearchParams({ format: 'csv' });
  for (const one of [source ?? []].flat()) params.append('source', one);
  return `/api/ingest/quarantine?${params}`;
}

/** A landed file by its name; the whole path is in the tooltip. */
function fileName(row: Row) {
  const file = String(row.file ?? '');
  return html`<span title=${file}>${file.split(/[\\/]/).pop()}</span>`;
}

/** The preferred columns that the endpoint actually returns, in that order. */
function columnsOf(rows: Row[], preferred: string[]): Column<Row>[] {
  const present = new Set(Object.keys(rows[0] ?? {}));
  const keys = preferred.filter((key) => present.has(key));
  return keys.map((key) => ({
    key,
    label: key.replaceAll('_', ' '),
    numeric: /^(rows|rejected|batches|duration_ms|failures|attempt|line)$/.test(key),
    render: key === 'status' || key === 'outcome' ? (row: Row) => statusBadge(row[key]) : key === 'file' ? fileName : undefined,
    format: /_at$/.test(key) ? formatDateTime : /^(rows|rejected|batches|failures)$/.test(key) ? formatCount : undefined,
  }));
}

const freshnessColumns: Column<Row>[] = [
  { key: 'source', label: 'Source' },
  { key: 'last_captured_at', label: 'Last batch', format: formatDateTime },
  { key: 'staleness_minutes', label: 'Age', numeric: true, format: formatMinutes },
  { key: 'max_staleness_minutes', label: 'Allowed', numeric: true, format: formatMinutes },
  { key: 'is_stale', label: 'State', render: (row) => statusBadge(row.is_held === true ? 'held' : row.is_stale === true ? 'stale' : 'fresh') },
];
