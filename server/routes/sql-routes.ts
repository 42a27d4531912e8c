import { Router } from 'express';
import { z } from 'zod';
import { parseDurationMs } from '../../core/duration.ts';
import { requireRole } from '../auth/authenticate.ts';
import { formats, streamResult } from '../encode/send-result.ts';
import { parseQuery } from '../filters.ts';
import { analystQueries } from '../metrics.ts';
import { analystChunks, previewQuery } from '../sql/run-analyst-query.ts';
import { QueryRefused, checkAnalystSql } from '../sql/sql-guard.ts';
import type { EndpointContext } from '../table-endpoint.ts';

const queryShape = { format: z.enum(formats).default('json') };
const bodyShape = { sql: z.string().trim().min(1, 'expected a query').max(100_000, 'expected at most 100000 characters') };

/** `POST /api/sql`: one checked read-only query; a capped JSON preview, or a full CSV/Arrow download. */
export function sqlRoutes({ config, db, catalog }: EndpointContext): Router {
  const router = Router();
  const timeoutMs = parseDurationMs(config.server.sql_timeout)!;

  router.post('/api/sql', requireRole('analyst'), async (request, response) => {
    const { format } = parseQuery(queryShape, request.query);
    const { sql: text } = parseQuery(bodyShape, request.body, 'field', ' (send {"sql": "select …"})');
    const connection = await db.connect();
    const closeOnAbort = () => connection.interrupt();
    response.once('close', closeOnAbort);
    const started = Date.now();
    try {
      await checkAnalystSql(connection, catalog, text);
      if (format === 'json') {
        const preview = await previewQuery(connection, text, timeoutMs, config.server.sql_row_cap);
        response.json({
          columns: preview.names,
          types: preview.types,
          rows: preview.rows,
          row_count: preview.rows.length,
          truncated: preview.truncated,
          row_cap: config.server.sql_row_cap,
          elapsed_ms: Date.now() - started,
        });
      } else {
        await streamResult(response, format, analystChunks(connection, text, timeoutMs), 'query');
      }
      analystQueries.inc({ outcome: 'ok' });
    } catch (error) {
      analystQueries.inc({ outcome: error instanceof QueryRefused ? 'refused' : /stopped after/.test(String((error as Error).message)) ? 'timeout' : 'failed' });
      // Past the first byte of a download the status is sent: cut the body so the client sees it fail.
      if (response.headersSent) return void response.destroy(error as Error);
      throw error;
    } finally {
      response.off('close', closeOnAbort);
      connection.closeSync();
    }
  });

  return router;
}
