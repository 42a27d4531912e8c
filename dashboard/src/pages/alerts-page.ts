import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { errorOf, fetchJson, type Row } from '../data/api-client.ts';
import { locationName } from '../data/catalog.ts';
import { formatDateTime } from '../data/format.ts';
import { QueryController } from '../data/query-controller.ts';
import type { Column } from '../components/data-table.ts';
import { withData } from '../components/load-state.ts';
import { PageElement } from '../components/page-element.ts';
import { badgeStyles, pageStyles } from '../components/page-styles.ts';
import { hrefFor } from '../routing/router.ts';
import '../components/data-table.ts';

/** One alert as GET /api/alerts gives it (alerts/alerts-overview.ts). */
interface Alert {
  key: string;
  rule: string;
  kind: string;
  severity: 'critical' | 'warning' | 'info';
  labels: Record<string, string>;
  title: string;
  summary: string;
  firstSeenAt: string;
  resolvedAt: string | null;
  suppressedBy: string | null;
  top: { columns: string[]; rows: unknown[][] };
  totalRows: number;
  view: { page: string; params: Record<string, string> };
  receivers: string[];
}

interface Silence {
  id: string;
  matchers: Record<string, string>;
  endsAt: string;
  createdBy: string | null;
  comment: string | null;
}

interface Overview {
  firing: Alert[];
  resolved: Alert[];
  silences: Silence[];
  evaluatedAt: string | null;
}

const causeWords = (value: unknown) => String(value ?? '').replaceAll('_', ' ');
const matchText = (matchers: Record<string, string>) =>
  Object.entries(matchers)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');

/** Firing and recently resolved alerts with their rows, the silences in force, and (admins) silencing. */
@customElement('sl-alerts-page')
export class AlertsPage extends PageElement {
  static styles = [
    pageStyles,
    badgeStyles,
    css`
      .alert { border-top: 1px solid #e3e7ee; padding: 0.75rem 0; }
      .alert:first-of-type { border-top: none; }
      .alert summary { cursor: pointer; font-size: 0.92rem; font-weight: 600; }
      .alert summary .meta { font-weight: 400; }
      .alert p { margin: 0.2rem 0; font-size: 0.88rem; }
      .meta { color: #5b6475; }
      .badge.critical { background: #fbe3e6; color: #8f0b20; }
      .badge.warning { background: #fdf0d5; color: #7a4f00; }
      .badge.info { background: #e3ecfb; color: #1f4aa0; }
      form.silence { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin-top: 0.75rem; }
      form.silence label { display: flex; flex-direction: column; font-size: 0.8rem; color: #5b6475; gap: 0.2rem; }
      input, select { font: inherit; padding: 0.3rem 0.45rem; border: 1px solid #c5ccd8; border-radius: 4px; }
      button { font: inherit; padding: 0.3rem 0.7rem; border: 1px solid #c5ccd8; border-radius: 4px; background: #fff; cursor: pointer; }
      button.primary { background: #2f6fde; border-color: #2f6fde; color: #fff; }
      .notice { font-size: 0.88rem; margin: 0.5rem 0 0; }
      .notice.error { color: #a4262c; }
    `,
  ];
  protected readonly pageName = 'alerts';
  @state() private isAdmin = false;
  @state() private version = 0;
  @state() private notice?: { text: string; error: boolean };

  private overview = new QueryController<Overview>(this, () => ({ path: '/api/alerts', params: { location: this.filters.location, v: this.version || undefined }, json: true }));

  protected queries() {
    return [this.overview];
  }

  connectedCallback(): void {
    super.connectedCallback();
    fetchJson<{ role?: string }>('/api/me', { abortOnNavigation: false }).then(
      (me) => (this.isAdmin = me.role === 'admin'),
      () => (this.isAdmin = false),
    );
  }

  render() {
    const where = this.filters.location ? ` at ${locationName(this.catalog, this.filters.location)}` : '';
    const data = this.overview.rows[0];
    return html`
      <h2>Alerts${where}</h2>
      <p class="lede">
        What the alert emails say${where}: the alerts firing now with their rows, those resolved in the last week, and the silences in force.
        ${data?.evaluatedAt ? `Last evaluated as of ${formatDateTime(data.evaluatedAt)}.` : ''}
      </p>
      ${withData(this.overview, { what: 'alerts', empty: 'No alerts have been evaluated yet: they run after every build.' }, ([overview]) => this.sections(overview))}`;
  }

  private sections(overview: Overview) {
    const worklist = overview.firing.filter((alert) => alert.kind === 'open_mismatch');
    const others = overview.firing.filter((alert) => alert.kind !== 'open_mismatch');
    return html`<div class="grid">
      <section class="card wide" aria-labelledby="open-title">
        <h3 id="open-title">Open mismatches (${worklist.length})</h3>
        <p class="sub">Each SKU and system that has disagreed with the truth for longer than two of that system's sync intervals, with the probable cause, the event behind it and what to do. Each goes to its location's lead.</p>
        ${worklist.length === 0
          ? html`<p class="state empty">No open mismatches${this.filters.location ? ' at this location' : ''}.</p>`
          : html`<sl-data-table data-table="open-mismatches" .rows=${this.worklistRows(worklist)} .columns=${this.worklistColumns()} .initialSort=${{ key: 'since', descending: false }} .pageSize=${50}></sl-data-table>`}
      </section>
      <section class="card wide" aria-labelledby="firing-title">
        <h3 id="firing-title">Other firing alerts (${others.length})</h3>
        ${others.length === 0 ? html`<p class="state empty">None.</p>` : others.map((alert) => this.alertBlock(alert))}
      </section>
      <section class="card" aria-labelledby="resolved-title">
        <h3 id="resolved-title">Resolved in the last week (${overview.resolved.length})</h3>
        ${overview.resolved.length === 0
          ? html`<p class="state empty">None.</p>`
          : html`<sl-data-table data-table="resolved" .rows=${overview.resolved.map((alert) => ({ title: alert.title, since: alert.firstSeenAt, resolved: alert.resolvedAt }))} .columns=${resolvedColumns} .initialSort=${{ key: 'resolved', descending: true }} .pageSize=${20}></sl-data-table>`}
      </section>
      <section class="card" aria-labelledby="silences-title">
        <h3 id="silences-title">Silences in force (${overview.silences.length})</h3>
        ${overview.silences.length === 0 ? html`<p class="state empty">None: every alert is sent.</p>` : html`<sl-data-table data-table="silences" .rows=${overview.silences.map((silence) => ({ ...silence, match: matchText(silence.matchers) }))} .columns=${this.silenceColumns()}></sl-data-table>`}
        ${this.isAdmin ? this.silenceForm() : html`<p class="sub">An admin can mute alerts here for a while.</p>`}
        ${this.notice ? html`<p class="notice ${this.notice.error ? 'error' : ''}" role="status">${this.notice.text}</p>` : nothing}
      </section>
    </div>`;
  }

  private worklistRows(alerts: Alert[]): Row[] {
    return alerts.flatMap((alert) =>
      alert.top.rows.map((row) => ({ ...Object.fromEntries(alert.top.columns.map((column, index) => [column, row[index]])), severity: alert.severity, muted: alert.suppressedBy, key: alert.key }) as Row),
    );
  }

  private worklistColumns(): Column<Row>[] {
    return [
      { key: 'location_id', label: 'Location' },
      { key: 'sku', label: 'SKU', render: (row) => html`<a href=${hrefFor({ page: 'sku', filters: { sku: String(row.sku), location: String(row.location_id), source: String(row.source) } })}>${row.sku}</a>` },
      { key: 'source', label: 'System' },
      // Truth, the system's figure and the difference in one column: the evidence and the action need the width.
      {
        key: 'diff_units',
        label: 'Truth → system',
        numeric: true,
        render: (row) => html`${row.truth_units} → ${row.system_units} <span class="badge ${Number(row.diff_units) > 0 ? 'over' : 'under'}">${Number(row.diff_units) > 0 ? '+' : ''}${row.diff_units}</span>`,
      },
      { key: 'since', label: 'Since', format: (value) => formatDateTime(value) },
      { key: 'probable_cause', label: 'Probable cause', format: causeWords },
      { key: 'evidence', label: 'Evidence' },
      { key: 'action', label: 'What to do' },
      ...(this.isAdmin
        ? [{ key: 'key', label: 'Mute', sortable: false, render: (row: Row) => (row.muted ? html`<span class="badge">muted</span>` : html`<button @click=${() => this.silence({ location: String(row.location_id), source: String(row.source), sku: String(row.sku) }, '24h', 'muted from the alerts page')}>Mute 24 h</button>`) }]
        : []),
    ];
  }

  private alertBlock(alert: Alert) {
    const link = hrefFor({ page: alert.view.page as never, filters: alert.view.params });
    const rows = alert.top.rows.map((row) => Object.fromEntries(alert.top.columns.map((column, index) => [column, row[index]])) as Row);
    // One line each until opened: a dozen held batches must not push the rest off the page.
    return html`<details class="alert" data-alert=${alert.key}>
      <summary><span class="badge ${alert.severity}">${alert.severity}</span> ${alert.title} <span class="meta">· since ${formatDateTime(alert.firstSeenAt)} · ${alert.totalRows} ${alert.totalRows === 1 ? 'row' : 'rows'}</span></summary>
      <p>${alert.summary}</p>
      <p class="meta">
        Firing since ${formatDateTime(alert.firstSeenAt)} · to ${alert.receivers.length > 0 ? alert.receivers.join(', ') : 'nobody (no owner, default receiver or ops)'}
        ${alert.suppressedBy ? html` · <span class="badge">not sent: ${alert.suppressedBy}</span>` : nothing} · <a href=${link}>open the view</a>
      </p>
      ${rows.length > 0 ? html`<sl-data-table .rows=${rows} .columns=${alert.top.columns.map((column) => ({ key: column, label: causeWords(column) }))} .pageSize=${10}></sl-data-table>` : nothing}
    </details>`;
  }

  private silenceColumns(): Column<Row>[] {
    return [
      { key: 'match', label: 'Matches' },
      { key: 'endsAt', label: 'Until', format: (value) => formatDateTime(value) },
      { key: 'comment', label: 'Why' },
      ...(this.isAdmin ? [{ key: 'id', label: 'End', sortable: false, render: (row: Row) => (String(row.id).startsWith('config:') ? 'in the config' : html`<button @click=${() => this.expire(String(row.id))}>End now</button>`) }] : []),
    ];
  }

  private silenceForm() {
    return html`<form class="silence" aria-label="Add a silence" @submit=${this.onSilence}>
      <label>Label to match<input name="match" required placeholder="location=WH-EAST" .value=${this.filters.location ? `location=${this.filters.location}` : ''}></label>
      <label>For<select name="for"><option>1h</option><option selected>24h</option><option>7d</option></select></label>
      <label>Why<input name="comment" placeholder="stocktake"></label>
      <button class="primary" type="submit">Silence</button>
    </form>`;
  }

  private onSilence(event: SubmitEvent): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const pairs = String(form.get('match') ?? '').trim().split(/\s+/).filter(Boolean);
    const matchers = Object.fromEntries(pairs.map((pair) => pair.split('=', 2)));
    if (pairs.length === 0 || pairs.some((pair) => !/^[A-Za-z_]\w*=.+$/.test(pair))) {
      this.notice = { text: `"${form.get('match')}": write label=value, for example location=WH-EAST (several separated by spaces)`, error: true };
      return;
    }
    void this.silence(matchers, String(form.get('for')), String(form.get('comment') ?? '') || undefined);
  }

  private async silence(match: Record<string, string>, duration: string, comment?: string): Promise<void> {
    const response = await fetch('/api/alerts/silences', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ match, for: duration, comment }) });
    if (!response.ok) return void (this.notice = { text: `Could not silence: ${(await errorOf(response)).message}`, error: true });
    this.notice = { text: `Silenced ${matchText(match)} for ${duration}; it takes effect at the next evaluation.`, error: false };
    this.version++;
  }

  private async expire(id: string): Promise<void> {
    const response = await fetch(`/api/alerts/silences/${encodeURIComponent(id)}`, { method: 'DELETE', credentials: 'same-origin' });
    if (!response.ok) return void (this.notice = { text: `Could not end the silence: ${(await errorOf(response)).message}`, error: true });
    this.notice = { text: 'Silence ended; the alerts it muted are sent from the next evaluation.', error: false };
    this.version++;
  }
}

const resolvedColumns: Column<Row>[] = [
  { key: 'title', label: 'Alert' },
  { key: 'since', label: 'Firing since', format: (value) => formatDateTime(value) },
  { key: 'resolved', label: 'Resolved', format: (value) => formatDateTime(value) },
];
