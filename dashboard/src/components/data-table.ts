import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { toCsv } from '../../../core/csv-writer.ts';
import { formatValue, isMissing } from '../data/format.ts';
import { download } from './chart-export.ts';
import { badgeStyles } from './page-styles.ts';

export interface Column<T> {
  key: string;
  label: string;
  /** Text for a cell; the default shows the raw value. Never HTML: the result is bound as text. */
  format?: (value: unknown, row: T) => string;
  /** A cell with a link or a badge; still only Lit templates with text bindings. */
  render?: (row: T) => TemplateResult | string;
  numeric?: boolean;
  sortable?: boolean;
}

type Sort = { key: string; descending: boolean };

/**
 * A plain, sortable table: header buttons sort (keyboard reachable), long results show the first
 * page with a button for more. Values are always text.
 */
@customElement('sl-data-table')
export class DataTable<T extends Record<string, unknown>> extends LitElement {
  static styles = [badgeStyles, css`
    :host { display: block; }
    .frame { position: relative; }
    .scroll { overflow-x: auto; max-height: var(--table-max-height, none); overflow-y: auto; }
    /* Columns past the right edge: a fade over the edge and a line that says so (an overlay scrollbar shows nothing). */
    .fade { position: absolute; top: 0; right: 0; bottom: 0; width: 2.5rem; pointer-events: none; background: linear-gradient(to right, rgba(255, 255, 255, 0), #fff); }
    /* The toolbar above the table is always there (its height never changes as the note comes and goes, so neither does the page's width or the count), and the note never covers a header. */
    .toolbar { display: flex; justify-content: space-between; align-items: center; gap: 0.25rem 0.75rem; min-height: 1.6rem; margin-bottom: 0.25rem; font-size: 0.8rem; }
    .toolbar .downloads { display: flex; gap: 0.75rem; }
    .toolbar .downloads button { all: unset; color: #1f5bc4; text-decoration: underline; cursor: pointer; }
    .toolbar .downloads button:focus-visible { outline: 2px solid #2f6fde; outline-offset: 2px; }
    .hidden-columns { all: unset; margin-left: auto; font-size: 0.78rem; color: #1f5bc4; background: #fff; border: 1px solid #c3cad6; border-radius: 999px; padding: 0.05rem 0.55rem; cursor: pointer; }
    .hidden-columns:focus-visible { outline: 2px solid #2f6fde; outline-offset: 2px; }
    table { border-collapse: collapse; width: 100%; font-size: 0.875rem; font-variant-numeric: tabular-nums; }
    caption { text-align: left; color: #5b6475; font-size: 0.8rem; padding: 0 0 0.5rem; caption-side: bottom; }
    th, td { padding: 0.4rem 0.6rem; border-bottom: 1px solid #e3e7ee; text-align: left; white-space: nowrap; }
    td.wrap { white-space: normal; min-width: 14rem; max-width: 28rem; overflow-wrap: anywhere; }
    th { position: sticky; top: 0; background: #f6f7f9; font-weight: 600; color: #3a4254; z-index: 1; }
    th.num, td.num { text-align: right; }
    th button { all: unset; cursor: pointer; display: inline-flex; gap: 0.25rem; align-items: center; }
    th button:focus-visible { outline: 2px solid #2f6fde; outline-offset: 2px; border-radius: 2px; }
    tbody tr:hover { background: #f3f6fb; }
    .more { margin-top: 0.5rem; }
    .more button { font: inherit; padding: 0.3rem 0.8rem; border: 1px solid #c3cad6; border-radius: 6px; background: #fff; cursor: pointer; }
    a { color: #1f5bc4; }
    a:focus-visible { outline: 2px solid #2f6fde; outline-offset: 2px; }
  `];

  @property({ attribute: false }) columns: Column<T>[] = [];
  @property({ attribute: false }) rows: T[] = [];
  @property() caption = '';
  @property({ attribute: false }) initialSort?: Sort;
  @property({ type: Number }) pageSize = 100;
  /**
   * Where the rows come from as CSV (the same API request with `format=csv`): the server's CSV
   * writer quotes every cell and defuses spreadsheet formulas, and the file holds every row, not
   * only those shown.
   */
  @property() csv = '';
  /**
   * For rows the page worked out itself (ages as of now, the latest run only), which no API request
   * returns as they are shown: the table writes the rows it holds, in its order, through the same
   * CSV writer into `<csvName>.csv`. Used only when there is no `csv` request.
   */
  @property() csvName = '';
  @state() private sort?: Sort;
  @state() private shown = 0;
  /** Columns wholly or partly past the right edge of the visible part of the table. */
  @state() private hiddenColumns = 0;
  private resizeObserver?: ResizeObserver;

  connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver = new ResizeObserver(() => this.measureOverflow());
    this.resizeObserver.observe(this);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
  }

  protected updated(): void {
    this.measureOverflow();
  }

  private measureOverflow(): void {
    const scroller = this.renderRoot.querySelector<HTMLElement>('.scroll');
    if (!scroller) return;
    const edge = scroller.getBoundingClientRect().right;
    const hidden = [...this.renderRoot.querySelectorAll('thead th')].filter((th) => th.getBoundingClientRect().right > edge + 1).length;
    if (hidden !== this.hiddenColumns) this.hiddenColumns = hidden;
  }

  private scrollRight(): void {
    const scroller = this.renderRoot.querySelector<HTMLElement>('.scroll');
    scroller?.scrollBy({ left: scroller.clientWidth * 0.8, behavior: 'smooth' });
  }

  willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('initialSort') && !this.sort) this.sort = this.initialSort;
    if (changed.has('rows')) this.shown = this.pageSize;
  }

  render() {
    const sorted = this.sorted();
    const visible = sorted.slice(0, this.shown || this.pageSize);
    return html`
      <div class="toolbar">
        <span class="downloads">${this.csv
          ? html`<a href=${this.csv} download data-download="csv">Download CSV</a>`
          : this.csvName
            ? html`<button type="button" data-download="csv" @click=${this.downloadRows}>Download CSV</button>`
            : nothing}</span>
        ${this.hiddenColumns > 0
          ? html`<button class="hidden-columns" data-hidden-columns=${this.hiddenColumns} @click=${this.scrollRight}>${this.hiddenColumns} more column${this.hiddenColumns > 1 ? 's' : ''} to the right →</button>`
          : nothing}
      </div>
      <div class="frame">
        <div class="scroll" @scroll=${() => this.measureOverflow()}>
          <table>
            ${this.caption ? html`<caption>${this.caption}</caption>` : nothing}
            <thead><tr>${this.columns.map((column) => this.header(column))}</tr></thead>
            <tbody>
              ${visible.map((row) => html`<tr>${this.columns.map((column) => this.cell(column, row))}</tr>`)}
            </tbody>
          </table>
        </div>
        ${this.hiddenColumns > 0 ? html`<div class="fade"></div>` : nothing}
      </div>
      ${sorted.length > visible.length
        ? html`<div class="more"><button @click=${() => (this.shown += this.pageSize * 5)}>Show more (${visible.length} of ${sorted.length} rows)</button></div>`
        : nothing}`;
  }

  private header(column: Column<T>) {
    const className = column.numeric ? 'num' : '';
    if (column.sortable === false) return html`<th class=${className} scope="col">${column.label}</th>`;
    const active = this.sort?.key === column.key;
    const ariaSort = active ? (this.sort!.descending ? 'descending' : 'ascending') : 'none';
    return html`<th class=${className} scope="col" aria-sort=${ariaSort}>
      <button @click=${() => this.toggleSort(column)} title="Sort by ${column.label}">${column.label}<span aria-hidden="true">${active ? (this.sort!.descending ? '▼' : '▲') : ''}</span></button>
    </th>`;
  }

  private cell(column: Column<T>, row: T) {
    const value = row[column.key];
    const content = column.render ? column.render(row) : column.format ? column.format(value, row) : formatValue(value);
    const wide = typeof value === 'string' && value.length > 40;
    return html`<td class="${column.numeric ? 'num' : ''} ${wide ? 'wrap' : ''}">${content}</td>`;
  }

  /** The table's rows with its columns' keys as the header; dates as ISO instants, as the API writes them. */
  private downloadRows(): void {
    const rows = this.sorted().map((row) => this.columns.map((column) => (row[column.key] instanceof Date ? (row[column.key] as Date).toISOString() : row[column.key])));
    download(new Blob([toCsv(this.columns.map((column) => column.key), rows)], { type: 'text/csv' }), `${this.csvName}.csv`);
  }

  private toggleSort(column: Column<T>): void {
    const descending = this.sort?.key === column.key ? !this.sort.descending : Boolean(column.numeric);
    this.sort = { key: column.key, descending };
  }

  private sorted(): T[] {
    if (!this.sort) return this.rows;
    const { key, descending } = this.sort;
    const direction = descending ? -1 : 1;
    return [...this.rows].sort((a, b) => {
      const x = a[key];
      const y = b[key];
      if (isMissing(x)) return isMissing(y) ? 0 : 1;
      if (isMissing(y)) return -1;
      const order = x instanceof Date && y instanceof Date ? x.getTime() - y.getTime() : typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return order * direction;
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sl-data-table': DataTable<Record<string, unknown>>;
  }
}
