import { Router } from 'express';
import { sql } from '../../db/database.ts';
import { requireRole } from '../auth/authenticate.ts';
import { rowsOf, sendResult } from '../encode/send-result.ts';
import { pageShape, parseQuery } from '../filters.ts';
import type { PageLoader } from '../response-cache.ts';
import type { EndpointContext } from '../table-endpoint.ts';

const queryShape = { format: pageShape.format };

/**
 * ATS against total stock per location, from the truth's latest counts (marts.agg_ats_current). Its
 * JSON rows are objects, as the foundation's dashboard chart reads them; `columns` and `total` are
 * there as on every table endpoint.
 */
export function atsRoutes({ db, catalog, cache, gate, warmers }: EndpointContext): Router {
  const router = Router();
  const loader: PageLoader = async (call) => {
    await catalog.requireMart('agg_ats_current');
    const columns = await gate.run(() => db.columns(sql`select * from marts.agg_ats_current order by location_id`), call);
    return { result: columns, total: columns.rowCount };
  };
  warmers.set('/api/ats', () => cache.warm('/api/ats', Infinity, loader));
  router.get('/api/ats', requireRole('viewer'), async (request, response) => {
    const { format } = parseQuery(queryShape, request.query);
    const { result } = await cache.load('/api/ats', Infinity, loader, () => request.socket.destroyed);
    if (format !== 'json') return sendResult(response, format, result, { total: result.rowCount }, 'ats');
    const rows = rowsOf(result).map((row) => Object.fromEntries(result.names.map((name, index) => [name, row[index]])));
    response.json({ columns: result.names, rows, total: result.rowCount });
  });
  return router;
}
