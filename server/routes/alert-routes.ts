import { Router } from 'express';
import { z } from 'zod';
import { addSilence, alertsOverview, backtestAlerts, ensureAlertTables, evaluationTime, expireSilence, previewAlerts, sendTestEmail, type EvaluationSummary } from '../../alerts/index.ts';
import { parseDurationMs } from '../../core/duration.ts';
import { principalOf, requireRole } from '../auth/authenticate.ts';
import { HttpError } from '../http-error.ts';
import type { EndpointContext } from '../table-endpoint.ts';

/** Evaluates the rules as of an instant and delivers what is due: the serving process's alerting. */
export type RunAlerts = (now: Date) => Promise<EvaluationSummary>;

/** What the alert routes call in the serving process; read per request (the pipeline is wired in after the server listens). */
export interface AlertActions {
  runAlerts?: RunAlerts;
  /** Evaluates and delivers as of each instant in turn (replayed data). */
  replayAlerts?: (times: Date[]) => Promise<void>;
}

const runBody = z.strictObject({ at: z.string().optional(), dry_run: z.boolean().optional() });
const silenceBody = z.strictObject({
  match: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().min(1)).refine((value) => Object.keys(value).length > 0),
  for: z.string().default('24h'),
  comment: z.string().max(500).optional(),
});

/**
 * The alerts page's data (any role) and what `stocklens alerts` does while this process owns the
 * database (admin): a round, a dry run, silences, a backtest, a test email.
 */
export function alertRoutes(context: EndpointContext, actions: AlertActions): Router {
  const router = Router();
  const admin = requireRole('admin');
  const { config, db } = context;

  router.get('/api/alerts', requireRole('viewer'), async (request, response) => {
    const location = typeof request.query.location === 'string' && request.query.location !== '' ? request.query.location : undefined;
    response.json(await alertsOverview(config, db, { location }));
  });

  router.post('/api/alerts/run', admin, async (request, response) => {
    const parsed = runBody.safeParse(request.body ?? {});
    if (!parsed.success) throw new HttpError(400, 'invalid body: expected {"at": "latest" | "now" | ISO time, "dry_run": true}');
    const now = await evaluationTime(db, parsed.data.at);
    if (parsed.data.dry_run) return void response.json({ preview: await previewAlerts(config, db, { now }) });
    if (!actions.runAlerts) throw new HttpError(501, 'alerts are not wired into this server: stop it and run stocklens alerts');
    response.json({ result: await actions.runAlerts(now) });
  });

  router.post('/api/alerts/silences', admin, async (request, response) => {
    const parsed = silenceBody.safeParse(request.body ?? {});
    if (!parsed.success) throw new HttpError(400, 'invalid body: expected {"match": {"location": "WH-EAST"}, "for": "24h", "comment": "…"} with at least one label');
    const durationMs = parseDurationMs(parsed.data.for);
    if (durationMs === undefined || durationMs <= 0) throw new HttpError(400, `for ${parsed.data.for}: not a duration (write 30m, 24h or 7d)`);
    const now = new Date();
    const silence = await db.withConnection(async (connection) => {
      await ensureAlertTables(connection);
      return addSilence(connection, { matchers: parsed.data.match, startsAt: now, endsAt: new Date(now.getTime() + durationMs), createdBy: principalOf(response)?.label ?? principalOf(response)?.tokenId, comment: parsed.data.comment });
    });
    response.status(201).json({ silence });
  });

  router.delete('/api/alerts/silences/:id', admin, async (request, response) => {
    const id = String(request.params.id);
    const expired = await db.withConnection(async (connection) => {
      await ensureAlertTables(connection);
      return expireSilence(connection, id, new Date());
    });
    if (!expired) throw new HttpError(404, `no active silence ${id} (see stocklens alerts silence --list)`);
    response.json({ expired: id });
  });

  router.get('/api/alerts/backtest', admin, async (request, response) => {
    const days = Number(request.query.days ?? 30);
    if (!Number.isInteger(days) || days < 1) throw new HttpError(400, `days ${request.query.days}: expected a whole number of days, for example 30`);
    const until = typeof request.query.until === 'string' ? await evaluationTime(db, request.query.until) : undefined;
    response.json({ rows: await backtestAlerts(config, db, { days, now: until }) });
  });

  router.post('/api/alerts/test-send', admin, async (request, response) => {
    const parsed = z.strictObject({ to: z.string().email() }).safeParse(request.body ?? {});
    if (!parsed.success) throw new HttpError(400, 'invalid body: expected {"to": "someone@example.com"}');
    response.json(await sendTestEmail(config, parsed.data.to));
  });

  return router;
}
