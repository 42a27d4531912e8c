import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { fetchJson } from '../data/api-client.ts';

interface Relation {
  schema: string;
  name: string;
  description?: string;
  columns: { name: string; type: string }[];
}

interface ManifestNode {
  name: string;
  kind: string;
  relation?: string;
  description?: string;
  columns?: { name: string; type: string }[];
}

/** The relations an analyst can query, from the build's manifest: schema, table, its one-line purpose, columns and types. */
export function relationsOf(manifest: { nodes?: ManifestNode[] }): Relation[] {
  return (manifest.nodes ?? [])
    .filter((node) => node.relation && node.kind !== 'test')
    .map((node) => {
      const [schema, name] = node.relation!.split('.', 2);
      return { schema, name, description: node.description, columns: node.columns ?? [] };
    })
    .sort((a, b) => a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name));
}

/** Schemas, tables and columns with their types and the models' descriptions; a table's button puts a query for it in the editor. */
@customElement('sl-schema-browser')
export class SchemaBrowser extends LitElement {
  static styles = css`
    :host { display: block; font-size: 0.85rem; }
    h3 { font-size: 0.95rem; margin: 0 0 0.4rem; }
    input { width: 100%; box-sizing: border-box; font: inherit; padding: 0.3rem 0.5rem; border: 1px solid #a9b2c1; border-radius: 6px; margin-bottom: 0.5rem; }
    details.schema > summary { font-weight: 600; cursor: pointer; padding: 0.2rem 0; }
    details.table { margin-left: 0.8rem; }
    details.table > summary { cursor: pointer; font-family: ui-monospace, monospace; padding: 0.1rem 0; overflow-wrap: anywhere; }
    .description { color: #5b6475; margin: 0.15rem 0 0.3rem 0.9rem; }
    ul { list-style: none; margin: 0 0 0.4rem 0.9rem; padding: 0; }
    li { display: flex; justify-content: space-between; gap: 0.5rem; font-family: ui-monospace, monospace; font-size: 0.8rem; padding: 0.05rem 0; }
    li .type { color: #5b6475; text-align: right; overflow-wrap: anywhere; }
    button { all: unset; color: #1f5bc4; cursor: pointer; text-decoration: underline; margin-left: 0.9rem; font-size: 0.8rem; }
    button:focus-visible, summary:focus-visible, input:focus-visible { outline: 2px solid #2f6fde; outline-offset: 2px; }
    .state { color: #5b6475; }
  `;

  @state() private relations?: Relation[];
  @state() private error?: string;
  @state() private filter = '';

  connectedCallback(): void {
    super.connectedCallback();
    fetchJson<{ nodes?: ManifestNode[] }>('/api/lineage', { abortOnNavigation: false }).then(
      (manifest) => (this.relations = relationsOf(manifest)),
      (error: Error) => (this.error = error.message),
    );
  }

  render() {
    if (this.error) return html`<h3>Tables</h3><p class="state" role="alert">Could not load the tables: ${this.error}</p>`;
    if (!this.relations) return html`<h3>Tables</h3><p class="state">Loading the tables…</p>`;
    if (this.relations.length === 0) return html`<h3>Tables</h3><p class="state">No tables yet: build the models (<code>stocklens build</code>).</p>`;
    const needle = this.filter.toLowerCase();
    const shown = this.relations.filter((r) => !needle || `${r.schema}.${r.name}`.includes(needle) || r.columns.some((c) => c.name.includes(needle)));
    const schemas = [...new Set(shown.map((r) => r.schema))];
    return html`<h3>Tables</h3>
      <label><span class="state">Find a table or column</span><input type="search" .value=${this.filter} @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)} /></label>
      ${schemas.length === 0 ? html`<p class="state">No table or column matches “${this.filter}”.</p>` : nothing}
      ${schemas.map(
        (schema) => html`<details class="schema" data-schema=${schema} ?open=${schema === 'marts' || Boolean(needle)}>
          <summary>${schema}</summary>
          ${shown.filter((r) => r.schema === schema).map(
            (r) => html`<details class="table" data-relation="${r.schema}.${r.name}">
              <summary>${r.name}</summary>
              ${r.description ? html`<p class="description">${r.description}</p>` : nothing}
              <button type="button" @click=${() => this.use(r)}>Query this table</button>
              <ul aria-label="Columns of ${r.schema}.${r.name}">
                ${r.columns.map((c) => html`<li><span>${c.name}</span><span class="type">${c.type}</span></li>`)}
              </ul>
            </details>`,
          )}
        </details>`,
      )}`;
  }

  private use(relation: Relation): void {
    const sql = `select *\nfrom ${relation.schema}.${relation.name}\nlimit 100`;
    this.dispatchEvent(new CustomEvent('use-query', { detail: sql, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sl-schema-browser': SchemaBrowser;
  }
}
