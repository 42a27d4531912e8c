import { urlFor } from '../dashboard/src/data/api-client.ts';
import {
  cancellationsQueries,
  catalogQuery,
  syncPriorityDefaults,
  syncPriorityQueries,
  warehousesQueries,
  weeklyHealthQueries,
} from '../dashboard/src/data/page-queries.ts';
import type { QueryArgs } from '../dashboard/src/data/query-controller.ts';
import type { EndpointContext } from './table-endpoint.ts';

/**
 * What the dashboard's pages ask for when opened without filters, Weekly health first: the page a
 * CEO opens on Monday. The requests are the pages' own (dashboard/src/data/page-queries.ts), read
 * the way the dashboard sends them. The server reads them into its cache when it starts and again
 * after every publish, so the first visit after either costs no query.
 */
function warmedRequests(): QueryArgs[] {
  const none = {};
  const pages = [
    weeklyHealthQueries(none),
    { catalog: catalogQuery },
    warehousesQueries(none),
    syncPriorityQueries(none, syncPriorityDefaults),
    cancellationsQueries(none),
  ];
  return pages.flatMap((queries) => Object.values(queries).filter((query): query is QueryArgs => query !== undefined));
}

export interface DefaultView {
  path: string;
  query: Record<string, string | string[]>;
}

/** Each warmed request as a path and the query string the dashboard sends (without its format). */
export const defaultViews: DefaultView[] = warmedRequests().map(({ path, params }) => {
  const search = new URLSearchParams(urlFor(path, params).slice(path.length + 1));
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(search.keys())) {
    const values = search.getAll(name);
    query[name] = values.length === 1 ? values[0] : values;
  }
  return { path, query };
});

/** One warming step per default view, for `ResponseCache.warmUp` and `invalidate`. */
export function defaultViewWarmers({ warmers }: EndpointContext): (() => Promise<void>)[] {
  return defaultViews.flatMap(({ path, query }) => {
    const warm = warmers.get(path);
    return warm ? [() => warm(query)] : [];
  });
}
