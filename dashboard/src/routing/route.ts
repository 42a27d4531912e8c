/**
 * The dashboard's state lives in the URL hash, `#/<page>[/<id>]?from=…&to=…&location=…`, so that
 * an alert link or a bookmark opens the exact view and the server needs no route per page.
 */
export const pageFilterNames = ['from', 'to', 'location', 'channel', 'source', 'sku'] as const;
/**
 * What a drill-down from a number narrows its rows by, beside the page filters (`#/rows/order-lines?
 * oversell=true&from=…`). A list filter takes several values separated by commas (`stock_cause=
 * confirmed,inferred`). They belong to the rows they open and are not carried to the other pages.
 */
export const drillFilterNames = ['oversell', 'status', 'stock_cause', 'cancel_reason', 'at', 'direction', 'measure', 'cause', 'day', 'week', 'bucket'] as const;
export const filterNames = [...pageFilterNames, ...drillFilterNames] as const;
export type FilterName = (typeof filterNames)[number];
export type Filters = Partial<Record<FilterName, string>>;

export const pages = ['weekly', 'warehouses', 'sku', 'sync', 'cancellations', 'alerts', 'data-health', 'sql', 'rows'] as const;
export type PageName = (typeof pages)[number];

export interface Route {
  page: PageName;
  /** The second path segment: a location on `#/warehouses/WH-EAST`, the kind of rows on `#/rows/order-lines`. */
  id?: string;
  filters: Filters;
}

export function parseRoute(hash: string): Route {
  const [pathPart, queryPart = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const [pageSegment, idSegment] = pathPart.split('/');
  const page = (pages as readonly string[]).includes(pageSegment) ? (pageSegment as PageName) : 'weekly';
  const query = new URLSearchParams(queryPart);
  const filters: Filters = {};
  for (const name of filterNames) {
    const value = query.get(name)?.trim();
    if (value) filters[name] = value;
  }
  const id = idSegment ? decodeURIComponent(idSegment) : undefined;
  return id ? { page, id, filters } : { page, filters };
}

export function formatRoute(route: Route): string {
  const query = new URLSearchParams();
  for (const name of filterNames) {
    const value = route.filters[name];
    if (value) query.set(name, value);
  }
  const path = route.id ? `${route.page}/${encodeURIComponent(route.id)}` : route.page;
  const search = query.toString();
  return `#/${path}${search ? `?${search}` : ''}`;
}

/** The same route with some filters changed; an empty value removes the filter. */
export function withFilters(route: Route, changes: Filters): Route {
  const filters: Filters = { ...route.filters };
  for (const [name, value] of Object.entries(changes) as [FilterName, string | undefined][]) {
    if (value) filters[name] = value;
    else delete filters[name];
  }
  return { ...route, filters };
}
