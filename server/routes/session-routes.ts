import { Router } from 'express';
import { sql } from '../../db/database.ts';
import { principalOf, requireRole } from '../auth/authenticate.ts';
import { onMartsPublished } from '../marts-published.ts';
import type { EndpointContext } from '../table-endpoint.ts';

type Span = { skus: number; min_date: string; max_date: string } | undefined;

/** What the dashboard needs before it draws anything: who is signed in, and what there is to filter by. */
export function sessionRoutes({ config, db, catalog }: EndpointContext): Router {
  const router = Router();
  // Counting distinct SKUs scans the mart; the answer only changes when a build publishes, and an
  // answer over a minute old is still sent while the next one is counted.
  let span: { value: Span; at: number } | undefined;
  let counting: Promise<Span> | undefined;
  onMartsPublished(() => (span = undefined));
  const count = (): Promise<Span> =>
    (counting ??= (async () => {
      if (!(await catalog.columnsOf('marts', 'fct_ats_daily'))) return undefined;
      return (await db.one(sql`select count(distinct sku) as skus, min(day) as min_date, max(day) as max_date from marts.fct_ats_daily`)) as Span;
    })()
      .then((value) => {
        span = { value, at: Date.now() };
        return value;
      })
      .finally(() => (counting = undefined)));
  const readSpan = async (): Promise<Span> => {
    if (!span) return count();
    if (Date.now() - span.at > 60_000) void count().catch(() => undefined);
    return span.value;
  };

  router.get('/api/me', requireRole('viewer'), (_request, response) => {
    const principal = principalOf(response)!;
    response.json({ role: principal.role, token_id: principal.tokenId, label: principal.label, via: principal.via });
  });

  router.get('/api/filters', requireRole('viewer'), async (_request, response) => {
    // SKU count and date span come from the daily ATS mart; before a build they are null, not an error.
    const current = await readSpan();
    response.json({
      locations: config.locations.map((l) => ({ location_id: l.id, name: l.name, region: l.region ?? null, kind: l.kind, truth_source: l.truth_source ?? null })),
      channels: config.channels.map((ch) => ({ channel: ch.name, kind: ch.kind, source: ch.source ?? null, locations: ch.locations })),
      sources: config.sources.map((s) => ({ source: s.name, system: s.system, connector: s.connector, max_staleness: s.max_staleness })),
      skus: current?.skus ?? null,
      min_date: current?.min_date ?? null,
      max_date: current?.max_date ?? null,
      timezone: config.timezone,
    });
  });

  return router;
}
