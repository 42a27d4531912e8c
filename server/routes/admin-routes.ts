import express, { Router } from 'express';
import { z } from 'zod';
import { causeMessage } from '../../core/errors.ts';
import type { SourceSummary } from '../../ingest/run-ingest.ts';
import type { BuildOptions, BuildSummary } from '../../models/runner/build.ts';
import { modelCommands, type ModelCommand } from '../../models/runner/model-command.ts';
import { principalOf, requireRole } from '../auth/authenticate.ts';
import { roles } from '../auth/roles.ts';
import type { TokenStore } from '../auth/token-store.ts';
import { HttpError } from '../http-error.ts';
import { jsonBody } from '../request-body.ts';
import type { EndpointContext } from '../table-endpoint.ts';
import type { AlertActions } from './alert-routes.ts';

/** What admin endpoints do in other stages; the process that serves wires them in. */
export interface AdminActions extends AlertActions {
  /** Releases a batch the empty-extract guard held (ingest's `acceptBatch`). */
  acceptBatch?: (batchId: string) => Promise<unknown>;
  /** Lands the named sources now (every pulling source when none), as their schedule would. */
  ingest?: (sources?: string[]) => Promise<SourceSummary[]>;
  /** `stocklens build|test|retry` in the serving process; undefined when a retry finds nothing to do. */
  runModels?: (command: ModelCommand, options: BuildOptions) => Promise<BuildSummary | undefined>;
}

/** One line of `POST /api/models/<command>`'s answer (newline-delimited JSON), in the order they happen. */
export type ModelRunEvent =
  | { event: 'start'; node: string; kind: string }
  | { event: 'node'; result: unknown; done: number; total: number }
  | { event: 'test'; outcome: unknown }
  | { event: 'summary'; summary: Omit<BuildSummary, 'manifest'> | null }
  | { event: 'error'; error: string };

const modelRunBody = z.strictObject({
  select: z.array(z.string().min(1)).optional(),
  full_refresh: z.boolean().optional(),
  threads: z.number().int().min(1).optional(),
  fail_fast: z.boolean().optional(),
});

const secretKeys = /password|secret|token|api_key/i;

/** The config as the server runs it, with every secret-looking value replaced. */
function redact(value: unknown, key = ''): unknown {
  if (secretKeys.test(key) && value !== undefined && value !== null) return '[redacted]';
  if (Array.isArray(value)) return value.map((item) => redact(item));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  return value;
}

/** Admin-only: the running config, tokens, batch release, landing and model runs. */
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
    const parsed = z.strictObject({ role: z.enum(roles), label: z.string().max(200).optional() }).safeParse(jsonBody(request, '{"role": "viewer"}'));
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

  // `stocklens ingest` while this process owns the database file.
  router.post('/api/ingest', admin, async (request, response) => {
    if (!actions.ingest) throw new HttpError(501, 'landing is not wired into this server: stop it and run stocklens ingest');
    const parsed = z.strictObject({ sources: z.array(z.string().min(1)).optional() }).safeParse(jsonBody(request, '{} (every source) or {"sources": ["name"]}'));
    if (!parsed.success) throw new HttpError(400, 'invalid body: expected {"sources": ["name", …]} or {}');
    const unknown = parsed.data.sources?.filter((name) => !context.config.sources.some((source) => source.name === name)) ?? [];
    if (unknown.length > 0) throw new HttpError(400, `unknown source ${unknown.join(', ')} (configured: ${context.config.sources.map((s) => s.name).join(', ')})`);
    response.json({ sources: await actions.ingest(parsed.data.sources) });
  });

  // `stocklens build|test|retry` while this process owns the database file: each node as it
  // finishes, then the summary, as newline-delimited JSON (a build at scale takes minutes).
  router.post('/api/models/:command', admin, async (request, response) => {
    const command = String(request.params.command);
    if (!modelCommands.includes(command as ModelCommand)) throw new HttpError(404, `no model command ${command}: use ${modelCommands.join(', ')}`);
    if (!actions.runModels) throw new HttpError(501, `model runs are not wired into this server: stop it and run stocklens ${command}`);
    const parsed = modelRunBody.safeParse(jsonBody(request, '{} (every model) or {"select": ["name"]}'));
    if (!parsed.success) throw new HttpError(400, `invalid ${parsed.error.issues[0].path.join('.') || 'body'}: expected {"select": ["name", …], "full_refresh": true, "threads": 2, "fail_fast": true}`);
    const { select, full_refresh: fullRefresh, threads, fail_fast: failFast } = parsed.data;
    response.status(200).type('application/x-ndjson');
    const send = (event: ModelRunEvent) => response.write(`${JSON.stringify(event)}\n`);
    try {
      const summary = await actions.runModels(command as ModelCommand, {
        select,
        fullRefresh,
        threads,
        failFast,
        onStart: (node, kind) => send({ event: 'start', node, kind }),
        onNode: (result, done, total) => send({ event: 'node', result, done, total }),
        onTest: (outcome) => send({ event: 'test', outcome }),
      });
      const { manifest: _manifest, ...rest } = summary ?? { manifest: undefined };
      send({ event: 'summary', summary: summary ? (rest as Omit<BuildSummary, 'manifest'>) : null });
    } catch (error) {
      send({ event: 'error', error: causeMessage(error) });
    }
    response.end();
  });

  return router;
}
