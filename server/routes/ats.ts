import { Router } from 'express';
import type { Database } from '../../db/database.ts';

/** ATS against total stock per location, from the truth's latest counts. */
export function atsRoutes(db: Database): Router {
  const router = Router();
  router.get('/api/ats', async (_request, response) => {
    const rows = await db.rows(`
      select l.location_id, l.name as location_name,
             coalesce(sum(a.total_units), 0) as total_units,
             coalesce(sum(a.ats_units), 0) as ats_units,
             max(a.captured_at) as captured_at
      from config.locations l
      left join marts.fct_ats_current a using (location_id)
      group by all
      order by l.location_id`);
    response.json({ rows });
  });
  return router;
}
