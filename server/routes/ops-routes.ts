import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { sql } from '../../db/database.ts';
import { requireRole } from '../auth/authenticate.ts';
import { flag, inList, oneOrMore, where } from '../filters.ts';
import { HttpError } from '../http-error.ts';
import { checkSetup } from '../../ingest/check-setup.ts';
import { failedFix, rejectedFix } from '../../ingest/run-ingest.ts';
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

  // The files that did not land and still wait for the user: each file's latest rejection or
  // failure (unless a later batch of it landed), and the files the connectors ignored at their
  // last listing. A database last written before ignored files were recorded has only the first.
  tableEndpoint(router, context, {
    path: '/api/ingest/files-not-landed',
    maxAgeMs,
    filters: { source: oneOrMore.optional() },
    async query(f, { catalog }) {
      await catalog.requireTable('ingest', 'batches', 'stocklens ingest');
      const ignored = (await catalog.columnsOf('ingest', 'ignored_files'))
        ? sql`union all select source, file, 'ignored' as outcome, reason, fix, seen_at as at from ingest.ignored_files`
        : sql``;
      return {
        select: sql`select * from (
            select source, file, status as outcome, error as reason, case status when 'rejected' then ${rejectedFix} else ${failedFix} end as fix, finished_at as at
            from ingest.batches b
            where status in ('rejected', 'failed') and file is not null
              and not exists (select 1 from ingest.batches l where l.file = b.file and l.status in ('landed', 'held') and l.finished_at > b.finished_at)
            qualify row_number() over (partition by file order by finished_at desc) = 1
            ${ignored}
          ) ${where([inList(sql`source`, f.source)])}`,
        orderBy: orderBy('at desc', 'file'),
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

  // What `stocklens doctor` says about this server's config and drop folders.
  router.get('/api/setup-checks', requireRole('viewer'), async (_request, response) => {
    response.json({ findings: await checkSetup(context.config) });
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
