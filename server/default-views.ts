import type { EndpointContext } from './table-endpoint.ts';

/**
 * What the dashboard's pages ask for when opened without filters (their QueryControllers in
 * dashboard/src/pages), Weekly health first: the page a CEO opens on Monday. The server reads them
 * into its cache when it starts and again after every publish, so the first visit after either
 * costs no query. The e2e tests check that opening Weekly health misses none of them.
 */
export const defaultViews: { path: string; query?: Record<string, string> }[] = [
  { path: '/api/weekly-health', query: { limit: '100000' } },
  { path: '/api/ats-daily', query: { limit: '100000' } },
  { path: '/api/mismatch-rate', query: { grain: 'day', limit: '100000' } },
  { path: '/api/filters' },
  // Warehouses
  { path: '/api/mismatch-rate', query: { grain: 'week', limit: '100000' } },
  { path: '/api/warehouses' },
  { path: '/api/ats' },
  // Sync priority, Cancellations
  { path: '/api/sync-priority', query: { needs_faster_sync: 'true', limit: '5000' } },
  { path: '/api/cancellations', query: { grain: 'week', limit: '100000' } },
  { path: '/api/order-lines', query: { stock_cause: 'inferred', limit: '2000' } },
];

/** One warming step per default view, for `ResponseCache.warmUp` and `invalidate`. */
export function defaultViewWarmers({ warmers }: EndpointContext): (() => Promise<void>)[] {
  return defaultViews.flatMap(({ path, query }) => {
    const warm = warmers.get(path);
    return warm ? [() => warm(query ?? {})] : [];
  });
}
