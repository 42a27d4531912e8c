import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { sql } from '../../db/database.ts';
import { requireRole } from '../auth/authenticate.ts';
import { inList, instant, oneOrMore, timeRange, where } from '../filters.ts';
import { HttpError } from '../http-error.ts';
import type { RelationCatalog } from '../relation-catalog.ts';
import { orderBy, tableEndpoint, type EndpointContext } from '../table-endpoint.ts';

const c = (name: string) => sql.ident(name);
const range = { from: instant.optional(), to: instant.optional() };
/** Ingest and run history are written between builds: their answers are reused only briefly. */
const maxAgeMs = 2_000;

async function requireTable(catalog: RelationCatalog, schema: string, name: string, how: string): Promise<void> {
  if (!(await catalog.columnsOf(schema, name))) throw new HttpError(503, `${schema}.${name} does not exist yet: run ${how}`);
}

/** Data-health endpoints: the ingest ledger and quarantine, model run history, tests and lineage. */
export function opsRoutes(context: EndpointContext): Router {
  const router = Router();
  const tz = context.config.timezone;

  tableEndpoint(router, context, {
    path: '/api/ingest/runs',
    maxAgeMs,
    filters: { source: oneOrMore.optional(), status: oneOrMore.optional(), ...range },
    async query(f, { catalog }) {
      await requireTable(catalog, 'ingest', 'runs', 'stocklens ingest');
      return {
        select: sql`select * from ingest.runs ${where([inList(c('source'), f.source), inList(c('status'), f.status), ...timeRange(c('started_at'), 'timestamp', f, tz)])}`,
        orderBy: orderBy('started_at desc', 'source'),
      };
    },
  });

  tableEndpoint(router, context, {
    path: '/api/ingest/batches',
    maxAgeMs,
    filters: { source: oneOrMore.optional(), status: oneOrMore.optional(), entity: oneOrMore.optional(), ...range },
    async query(f, { catalog }) {
      await requireTable(catalog, 'ingest', 'batches', 'stocklens ingest');
      return {
        select: sql`select * from ingest.batches ${where([
          inList(c('source'), f.source),
          inList(c('status'), f.status),
          inList(c('entity'), f.entity),
          ...timeRange(c('started_at'), 'timestamp', f, tz),
        ])}`,
        orderBy: orderBy('started_at desc', 'batch_id'),
      };
    },
  });

  tableEndpoint(router, context, {
    path: '/api/ingest/quarantine',
    maxAgeMs,
    filters: { batch: oneOrMore.optional(), source: oneOrMore.optional() },
    async query(f, { catalog }) {
      await requireTable(catalog, 'ingest', 'quarantine', 'stocklens ingest');
      return {
        select: sql`select q.*, b.source, b.file from ingest.quarantine q left join ingest.batches b using (batch_id)
          ${where([inList(sql`q.batch_id`, f.batch), inList(sql`b.source`, f.source)])}`,
        orderBy: orderBy('batch_id', 'line'),
      };
    },
  });

  tableEndpoint(router, context, {
    path: '/api/models/runs',
    maxAgeMs,
    filters: { run: oneOrMore.optional(), node: oneOrMore.optional(), status: oneOrMore.optional(), ...range },
    async query(f, { catalog }) {
      await requireTable(catalog, 'meta', 'run_results', 'stocklens build');
      return {
        select: sql`select * from meta.run_results ${where([
          inList(c('run_id'), f.run),
          inList(c('node'), f.node),
          inList(c('status'), f.status),
          ...timeRange(c('started_at'), 'timestamp', f, tz),
        ])}`,
        orderBy: orderBy('started_at desc', 'node'),
      };
    },
  });

  tableEndpoint(router, context, {
    path: '/api/models/tests',
    maxAgeMs,
    filters: { run: oneOrMore.optional(), node: oneOrMore.optional(), status: oneOrMore.optional(), severity: z.enum(['warn', 'error']).optional() },
    async query(f, { catalog }) {
      await requireTable(catalog, 'meta', 'test_results', 'stocklens build');
      return {
        select: sql`select * from meta.test_results ${where([
          inList(c('run_id'), f.run),
          inList(c('node'), f.node),
          inList(c('status'), f.status),
          f.severity === undefined ? undefined : sql`severity = ${f.severity}`,
        ])}`,
        orderBy: orderBy('finished_at desc', 'node', 'test'),
      };
    },
  });

  // The runner writes the DAG with every node's columns after each build (models/runner/manifest.ts).
  router.get('/api/lineage', requireRole('viewer'), async (_request, response) => {
    const file = path.join(context.config.data_dir, 'manifest.json');
    let manifest: { nodes?: unknown[]; edges?: unknown[]; generated_at?: string; run_id?: string };
    try {
      manifest = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new HttpError(503, 'the lineage manifest is not written yet: run stocklens build');
      throw error;
    }
    response.json({ nodes: manifest.nodes ?? [], edges: manifest.edges ?? [], generated_at: manifest.generated_at ?? null, run_id: manifest.run_id ?? null });
  });

  return router;
}
