import { LitElement, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import type { Catalog } from '../data/catalog.ts';
import type { QueryController } from '../data/query-controller.ts';
import type { Filters } from '../routing/route.ts';

/** Name of the performance mark set when a page has drawn everything it loaded. */
export function drawnMark(page: string): string {
  return `stocklens:drawn:${page}`;
}

/**
 * A page of the dashboard: gets the URL's filters, owns its queries, and once all of them have
 * settled and their charts and tables are in the DOM, sets `data-state="drawn"` and a performance
 * mark (what the e2e tests wait for and the bench measures).
 */
export abstract class PageElement extends LitElement {
  @property({ attribute: false }) filters: Filters = {};
  @property({ attribute: false }) routeId?: string;
  @property({ attribute: false }) catalog?: Catalog;
  protected abstract readonly pageName: string;
  /** Most pages read location names and the data's last day from the catalog before they are complete. */
  protected readonly needsCatalog: boolean = true;
  private drawnFor?: string;

  protected abstract queries(): QueryController<unknown>[];

  protected updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const queries = this.queries();
    const settled = queries.every((query) => query.settled) && (!this.needsCatalog || this.catalog !== undefined);
    if (!settled) {
      this.dataset.state = 'loading';
      this.drawnFor = undefined;
      return;
    }
    const key = JSON.stringify([this.filters, this.routeId]);
    if (this.drawnFor === key) return;
    this.drawnFor = key;
    void this.markDrawn(key);
  }

  private async markDrawn(key: string): Promise<void> {
    const children = [...(this.renderRoot as ShadowRoot).querySelectorAll<LitElement>('sl-plot, sl-data-table, sl-kpi-tile, sl-lineage-graph')];
    await Promise.all(children.map((child) => child.updateComplete));
    if (this.drawnFor !== key) return;
    performance.mark(drawnMark(this.pageName));
    this.dataset.state = 'drawn';
  }
}
