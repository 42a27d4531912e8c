import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { errorOf, fetchJson } from '../data/api-client.ts';
import { formatCount, formatDateTime } from '../data/format.ts';

interface Run {
  sql: string;
  ran_at: string;
  row_count: number | null;
  elapsed_ms: number | null;
  error: string | null;
}

interface Saved {
  query_id: string;
  name: string;
  sql: string;
  owner_label: string | null;
  shared_with: string | null;
  saved_at: string;
  mine: boolean;
}

const shareChoices: [string, string][] = [
  ['', 'only me'],
  ['analyst', 'analysts and admins'],
  ['admin', 'admins'],
  ['viewer', 'everyone who can sign in'],
];

/**
 * Your saved queries and those shared with your role, and what you ran lately: each opens in the
 * editor. The current query can be saved under a name, for yourself or shared with a role.
 */
@customElement('sl-sql-library')
export class SqlLibrary extends LitElement {
  static styles = css`
    :host { display: block; font-size: 0.85rem; }
    h3 { font-size: 0.95rem; margin: 0.8rem 0 0.4rem; }
    h3:first-child { margin-top: 0; }
    ul { list-style: none; margin: 0; padding: 0; }
    li { padding: 0.3rem 0; border-bottom: 1px solid #e3e7ee; display: flex; flex-direction: column; gap: 0.1rem; }
    code { font-size: 0.78rem; color: #3a4254; overflow-wrap: anywhere; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
    .meta { color: #5b6475; font-size: 0.78rem; }
    .failed { color: #8f0b20; }
    button.link { all: unset; color: #1f5bc4; cursor: pointer; text-decoration: underline; overflow-wrap: anywhere; }
    form { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: end; margin-bottom: 0.4rem; }
    form label { display: flex; flex-direction: column; gap: 0.15rem; font-size: 0.78rem; color: #3a4254; }
    input, select { font: inherit; padding: 0.25rem 0.4rem; border: 1px solid #a9b2c1; border-radius: 6px; }
    button.save { font: inherit; padding: 0.25rem 0.7rem; border: 1px solid #a9b2c1; border-radius: 6px; background: #fff; cursor: pointer; }
    button:focus-visible, input:focus-visible, select:focus-visible { outline: 2px solid #2f6fde; outline-offset: 2px; }
    .state { color: #5b6475; margin: 0.2rem 0; }
    .error { color: #8f0b20; }
  `;

  /** The editor's query, what Save saves. */
  @property() query = '';
  @state() private history?: Run[];
  @state() private saved?: Saved[];
  @state() private error?: string;
  @state() private name = '';
  @state() private share = '';

  connectedCallback(): void {
    super.connectedCallback();
    void this.reload();
  }

  /** Reads the history and saved queries again (after a run or a save). */
  async reload(): Promise<void> {
    try {
      const [history, saved] = await Promise.all([
        fetchJson<{ rows: Run[] }>('/api/sql/history?limit=20', { abortOnNavigation: false }),
        fetchJson<{ rows: Saved[] }>('/api/sql/saved', { abortOnNavigation: false }),
      ]);
      this.history = history.rows;
      this.saved = saved.rows;
    } catch (error) {
      this.error = (error as Error).message;
    }
  }

  render() {
    return html`
      <h3>Saved queries</h3>
      <form @submit=${this.save}>
        <label>Name<input name="name" required maxlength="200" .value=${this.name} @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)} /></label>
        <label>Visible to<select name="share" .value=${this.share} @change=${(e: Event) => (this.share = (e.target as HTMLSelectElement).value)}>
          ${shareChoices.map(([value, label]) => html`<option value=${value} ?selected=${value === this.share}>${label}</option>`)}
        </select></label>
        <button class="save" type="submit">Save this query</button>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.saved === undefined
        ? html`<p class="state">Loading…</p>`
        : this.saved.length === 0
          ? html`<p class="state">No saved queries yet: name the query above and save it.</p>`
          : html`<ul data-list="saved">${this.saved.map(
              (q) => html`<li data-query-id=${q.query_id}>
                <button class="link" type="button" @click=${() => this.use(q.sql)}>${q.name}</button>
                <span class="meta">${q.mine ? 'yours' : `by ${q.owner_label ?? 'someone'}`} · ${q.shared_with ? `shared with ${q.shared_with}s and above` : 'private'}${q.mine ? html` · <button class="link" type="button" @click=${() => this.deleteSaved(q)}>delete</button>` : nothing}</span>
              </li>`,
            )}</ul>`}
      <h3>Your recent queries</h3>
      ${this.history === undefined
        ? html`<p class="state">Loading…</p>`
        : this.history.length === 0
          ? html`<p class="state">Queries you run appear here.</p>`
          : html`<ul data-list="history">${this.history.map(
              (run) => html`<li>
                <button class="link" type="button" @click=${() => this.use(run.sql)} aria-label="Open in the editor: ${run.sql.slice(0, 80)}"><code>${run.sql}</code></button>
                <span class="meta ${run.error ? 'failed' : ''}">${formatDateTime(run.ran_at)} · ${run.error ? `failed: ${run.error.slice(0, 80)}` : `${formatCount(run.row_count)} rows`}</span>
              </li>`,
            )}</ul>`}`;
  }

  private use(sql: string): void {
    this.dispatchEvent(new CustomEvent('use-query', { detail: sql, bubbles: true, composed: true }));
  }

  private async save(event: Event): Promise<void> {
    event.preventDefault();
    this.error = undefined;
    const response = await fetch('/api/sql/saved', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: this.name, sql: this.query, shared_with: this.share || null }),
    });
    if (!response.ok) return void (this.error = (await errorOf(response)).message);
    this.name = '';
    await this.reload();
  }

  private async deleteSaved(query: Saved): Promise<void> {
    const response = await fetch(`/api/sql/saved/${encodeURIComponent(query.query_id)}`, { method: 'DELETE', credentials: 'same-origin' });
    if (!response.ok) return void (this.error = (await errorOf(response)).message);
    await this.reload();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sl-sql-library': SqlLibrary;
  }
}
