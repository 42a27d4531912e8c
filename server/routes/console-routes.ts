import { Router } from 'express';
import { z } from 'zod';
import { principalOf, requireRole } from '../auth/authenticate.ts';
import { roles } from '../auth/roles.ts';
import type { ConsoleStore } from '../console/console-store.ts';
import { parseQuery } from '../filters.ts';
import { HttpError } from '../http-error.ts';

const saveShape = {
  name: z.string().trim().min(1, 'expected a name').max(200, 'expected at most 200 characters'),
  sql: z.string().trim().min(1, 'expected a query').max(100_000, 'expected at most 100000 characters'),
  shared_with: z.enum(roles).nullable().default(null),
};
const historyShape = { limit: z.coerce.number().int().min(1).max(200).default(50) };

/**
 * The SQL console's history (`GET /api/sql/history`, the asker's own runs, newest first) and saved
 * queries (`GET|POST /api/sql/saved`, `DELETE /api/sql/saved/:id`): private, or shared with a role
 * and everyone above it. The schema browser reads the build's manifest (`/api/lineage`).
 */
export function consoleRoutes(store: ConsoleStore): Router {
  const router = Router();

  router.get('/api/sql/history', requireRole('analyst'), async (request, response) => {
    const { limit } = parseQuery(historyShape, request.query);
    response.json({ rows: await store.history(principalOf(response)!, limit) });
  });

  router.get('/api/sql/saved', requireRole('analyst'), async (_request, response) => {
    response.json({ rows: await store.list(principalOf(response)!) });
  });

  router.post('/api/sql/saved', requireRole('analyst'), async (request, response) => {
    const { name, sql, shared_with } = parseQuery(saveShape, request.body, 'field', ' (send {"name": "…", "sql": "select …", "shared_with": null | "viewer" | "analyst" | "admin"})');
    const queryId = await store.save(principalOf(response)!, name, sql, shared_with);
    response.status(201).json({ query_id: queryId });
  });

  router.delete('/api/sql/saved/:id', requireRole('analyst'), async (request, response) => {
    const id = String(request.params.id);
    const removed = await store.remove(principalOf(response)!, id);
    if (!removed) throw new HttpError(404, `no saved query ${id} of yours: a query shared with you can only be deleted by whoever saved it`);
    response.status(204).end();
  });

  return router;
}
