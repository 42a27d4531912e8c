import { Router } from 'express';
import { sql } from '../../db/database.ts';
import { principalOf, requireRole } from '../auth/authenticate.ts';
import type { PageLoader } from '../response-cache.ts';
import type { EndpointContext } from '../table-endpoint.ts';

/** What the dashboard needs before it draws anything: who is signed in, and what there is to filter by. */
export function sessionRoutes({ config, db, catalog, cache, gate, warmers }: EndpointContext): Router {
  const router = Router();
  // Counting distinct SKUs scans the mart: the answer is cached until a build publishes, and read
  // again right after it (the filters are on every page).
  const spanKey = '/api/filters#span';
  const loader: PageLoader = async (call) => {
    if (!(await catalog.columnsOf('marts', 'fct_ats_daily'))) return { result: { names: [], types: [], columns: [], rowCount: 0 }, total: 0 };
    const result = await gate.run(() => db.columns(sql`select count(distinct sku) as skus, min(day) as min_date, max(day) as max_date from marts.fct_ats_daily`), call);
    return { result, total: result.rowCount };
  };
  const readSpan = async (gone: () => boolean) => {
    const { result } = await cache.load(spanKey, Infinity, loader, gone);
    const value = (name: string) => result.columns[result.names.indexOf(name)]?.[0] ?? null;
    return { skus: value('skus'), min_date: value('min_date'), max_date: value('max_date') };
  };
  warmers.set('/api/filters', () => cache.warm(spanKey, Infinity, loader));

  router.get('/api/me', requireRole('viewer'), (_request, response) => {
    const principal = principalOf(response)!;
    response.json({ role: principal.role, token_id: principal.tokenId, label: principal.label, via: principal.via });
  });

  router.get('/api/filters', requireRole('viewer'), async (request, response) => {
    // SKU count and date span come from the daily ATS mart; before a build they are null, not an error.
    const current = await readSpan(() => request.socket.destroyed);
    response.json({
      locations: config.locations.map((l) => ({ location_id: l.id, name: l.name, region: l.region ?? null, kind: l.kind, truth_source: l.truth_source ?? null })),
      channels: config.channels.map((ch) => ({ channel: ch.name, kind: ch.kind, source: ch.source ?? null, locations: ch.locations })),
      sources: config.sources.map((s) => ({ source: s.name, system: s.system, connector: s.connector, max_staleness: s.max_staleness })),
      ...current,
      timezone: config.timezone,
    });
  });

  return router;
}
