import { html, type TemplateResult } from 'lit';
import type { QueryController } from '../data/query-controller.ts';

export interface StateText {
  /** What is loading, for "Loading mismatch rates…". */
  what: string;
  /** Why nothing shows and what would make it show. */
  empty: string;
  isEmpty?: (rows: unknown[]) => boolean;
}

/** Every chart and table goes through this: loading, error and empty states look alike everywhere. */
export function withData<T>(query: QueryController<T>, text: StateText, draw: (rows: T[]) => TemplateResult): TemplateResult {
  if (query.state === 'error') return html`<p class="state error" role="alert">Could not load ${text.what}: ${query.error?.message}</p>`;
  if (query.state !== 'ready') return html`<p class="state loading" aria-busy="true">Loading ${text.what}…</p>`;
  const rows = query.rows;
  if (text.isEmpty ? text.isEmpty(rows) : rows.length === 0) return html`<p class="state empty">${text.empty}</p>`;
  return draw(rows);
}
