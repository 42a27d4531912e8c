import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { sql } from '../../db/database.ts';
import { requireRole } from '../auth/authenticate.ts';
import { flag, inList, oneOrMore, where } from '../filters.ts';
import { HttpError } from '../http-error.ts';
import { rowsEndpoint } from '../rows-endpoint.ts';
import { orderBy, tableEndpoint, type EndpointContext } from '../table-endpoint.ts';

/** Ingest and run history are written between builds: their answers are reused only briefly. */
const maxAgeMs = 2_000;

/** Data-health endpoints: the ingest ledger and quarantine, model run history, tests and lineage. */
export function opsRoutes(context: EndpointContext): Router {
  const router = Router();

  rowsEndpoint(router, context, {
    path: '/api/ingest/runs',
    maxAgeMs,
    relation: { schema: 'ingest', name: 'runs', madeBy: 'stocklens ingest' },
    lists: { source: 'source', status: 'status' },
    time: 'started_at',
    orderBy: ['started_at desc', 'source'],
  });

  rowsEndpoint(router, context, {
    path: '/api/ingest/batches',
    maxAgeMs,
    relation: { schema: 'ingest', name: 'batches', madeBy: 'stocklens ingest' },
    lists: { source: 'source', status: 'status', entity: 'entity' },
    time: 'started_at',
    orderBy: ['started_at desc', 'batch_id'],
  });

  tableEndpoint(router, context, {
    path: '/api/ingest/quarantine',
    maxAgeMs,
    filters: { batch: oneOrMore.optional(), source: oneOrMore.optional() },
    async query(f, { catalog }) {
      await catalog.requireTable('ingest', 'quarantine', 'stocklens ingest');
      return {
        select: sql`select q.*, b.source, b.file from ingest.quarantine q left join ingest.batches b using (batch_id)
          ${where([inList(sql`q.batch_id`, f.batch), inList(sql`b.source`, f.source)])}`,
        orderBy: orderBy('batch_id', 'line'),
      };
    },
  });

  // Where and when a system reported negative on-hand (current=true: now): stock records wrong upstream.
  rowsEndpoint(router, context, {
    path: '/api/negative-on-hand',
    relation: { schema: 'marts', name: 'fct_negative_on_hand', madeBy: 'stocklens build' },
    lists: { source: 'source', location: 'location_id' },
    singles: { current: { column: 'is_current', values: flag.optional() } },
    time: 'negative_since',
    orderBy: ['location_id', 'sku', 'source', 'negative_since'],
  });

  rowsEndpoint(router, context, {
    path: '/api/models/runs',
    maxAgeMs,
    relation: { schema: 'meta', name: 'run_results', madeBy: 'stocklens build' },
    lists: { run: 'run_id', node: 'node', status: 'status' },
    time: 'started_at',
    orderBy: ['started_at desc', 'node'],
  });

  rowsEndpoint(router, context, {
    path: '/api/models/tests',
    maxAgeMs,
    relation: { schema: 'meta', name: 'test_results', madeBy: 'stocklens build' },
    lists: { run: 'run_id', node: 'node', status: 'status' },
    singles: { severity: { column: 'severity', values: z.enum(['warn', 'error']).optional() } },
    orderBy: ['finished_at desc', 'node', 'test'],
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
