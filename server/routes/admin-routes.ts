import express, { Router } from 'express';
import { z } from 'zod';
import { principalOf, requireRole } from '../auth/authenticate.ts';
import { roles } from '../auth/roles.ts';
import type { TokenStore } from '../auth/token-store.ts';
import { HttpError } from '../http-error.ts';
import type { EndpointContext } from '../table-endpoint.ts';

/** What admin endpoints do in other stages; the process that serves wires them in. */
export interface AdminActions {
  /** Releases a batch the empty-extract guard held (ingest's `acceptBatch`). */
  acceptBatch?: (batchId: string) => Promise<unknown>;
  /** Evaluates the alert rules once and delivers what is due. */
  runAlerts?: () => Promise<unknown>;
}

const secretKeys = /password|secret|token|api_key/i;

/** The config as the server runs it, with every secret-looking value replaced. */
function redact(value: unknown, key = ''): unknown {
  if (secretKeys.test(key) && value !== undefined && value !== null) return '[redacted]';
  if (Array.isArray(value)) return value.map((item) => redact(item));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  return value;
}

/** Admin-only: the running config, tokens, batch release and alert runs. */
export function adminRoutes(context: EndpointContext, store: TokenStore, actions: AdminActions): Router {
  const router = Router();
  const admin = requireRole('admin');

  router.get('/api/config', admin, (_request, response) => {
    response.json(redact(context.config));
  });

  router.get('/api/tokens', admin, async (_request, response) => {
    response.json({ tokens: await store.list() });
  });

  router.post('/api/tokens', admin, async (request, response) => {
    const parsed = z.strictObject({ role: z.enum(roles), label: z.string().max(200).optional() }).safeParse(request.body ?? {});
    if (!parsed.success) throw new HttpError(400, `invalid ${parsed.error.issues[0].path.join('.') || 'body'}: expected {"role": "viewer|analyst|admin", "label": "…"}`);
    const created = await store.create(parsed.data.role, parsed.data.label ?? `created by ${principalOf(response)!.tokenId}`);
    response.status(201).json({ token_id: created.tokenId, token: created.token, role: parsed.data.role });
  });

  router.delete('/api/tokens/:id', admin, async (request, response) => {
    if (!(await store.revoke(String(request.params.id)))) throw new HttpError(404, `no active token ${request.params.id}`);
    response.json({ revoked: request.params.id });
  });

  router.post('/api/ingest/batches/:id/accept', admin, express.json(), async (request, response) => {
    if (!actions.acceptBatch) throw new HttpError(501, 'batch release is not wired into this server: run stocklens ingest --accept BATCH');
    response.json({ accepted: request.params.id, result: (await actions.acceptBatch(String(request.params.id))) ?? null });
  });

  router.post('/api/alerts/run', admin, async (_request, response) => {
    if (!actions.runAlerts) throw new HttpError(501, 'alerts are not wired into this server: run stocklens alerts');
    response.json({ result: (await actions.runAlerts()) ?? null });
  });

  return router;
}
