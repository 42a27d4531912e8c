import type { Filters } from '../routing/route.ts';
import type { QueryArgs } from './query-controller.ts';

/**
 * The requests of the pages the server reads into its cache before anyone opens them, as functions
 * of the page's filters (and view state). Each page binds these to its QueryControllers, and the
 * server warms what they ask for without filters (server/default-views.ts), so the warmed answers
 * are the pages' own requests, not a copy of them.
 */
type PageQueries = Record<string, QueryArgs | undefined>;

const range = ({ from, to }: Filters) => ({ from, to });

/** What every page reads first: the locations, sources and the data's span (data/catalog.ts). */
export const catalogQuery = { path: '/api/filters', json: true } satisfies QueryArgs;

export function weeklyHealthQueries(filters: Filters) {
  const { location, source } = filters;
  return {
    health: { path: '/api/weekly-health', params: { ...range(filters), location, limit: 100000 } },
    atsDaily: { path: '/api/ats-daily', params: { ...range(filters), location, limit: 100000 } },
    mismatch: { path: '/api/mismatch-rate', params: { grain: 'day', ...range(filters), location, source, limit: 100000 } },
    // rpt_weekly_health covers every system; with one system chosen, its own weekly rate feeds the mismatch tile.
    systemWeeks: source ? { path: '/api/mismatch-rate', params: { grain: 'week', ...range(filters), location, source, limit: 100000 } } : undefined,
  } satisfies PageQueries;
}

export function warehousesQueries(filters: Filters) {
  const { source } = filters;
  return {
    weekly: { path: '/api/mismatch-rate', params: { grain: 'week', ...range(filters), source, limit: 100000 } },
    ranking: { path: '/api/warehouses', params: { ...range(filters), source } },
    ats: { path: '/api/ats', params: {} },
  } satisfies PageQueries;
}

const syncRowLimit = 5000;

/** The Sync priority page opens on the SKUs that need faster sync only. */
export const syncPriorityDefaults = { flaggedOnly: true };

export function syncPriorityQueries(filters: Filters, view: { flaggedOnly: boolean }) {
  const { source, sku } = filters;
  return {
    flagged: { path: '/api/sync-priority', params: { source, sku, needs_faster_sync: 'true', limit: syncRowLimit } },
    // Every SKU and system pair with mismatches, only when asked for: at scale that is most of the catalogue.
    all: view.flaggedOnly ? undefined : { path: '/api/sync-priority', params: { source, sku, limit: syncRowLimit } },
  } satisfies PageQueries;
}

/** The filters the Cancellations page narrows by (its drill-downs carry them too). */
export function cancellationsFilters({ from, to, location, channel }: Filters) {
  return { from, to, location, channel };
}

export function cancellationsQueries(filters: Filters) {
  return {
    byWeek: { path: '/api/cancellations', params: { ...cancellationsFilters(filters), grain: 'week', limit: 100000 } },
    inferred: { path: '/api/order-lines', params: { ...cancellationsFilters(filters), stock_cause: 'inferred', limit: 2000 } },
  } satisfies PageQueries;
}
