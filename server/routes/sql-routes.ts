import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import { z } from 'zod';
import { parseDurationMs } from '../../core/duration.ts';
import { parseSizeBytes } from '../../core/size.ts';
import { principalOf, requireRole } from '../auth/authenticate.ts';
import type { ConsoleStore } from '../console/console-store.ts';
import { exportToFile } from '../encode/export-to-file.ts';
import { arrowMediaType, formats } from '../encode/send-result.ts';
import { parseQuery } from '../filters.ts';
import { analystQueries } from '../metrics.ts';
import { AnalystSlots } from '../sql/analyst-slots.ts';
import { analystChunks, previewQuery } from '../sql/run-analyst-query.ts';
import { QueryRefused, checkAnalystSql } from '../sql/sql-guard.ts';
import type { EndpointContext } from '../table-endpoint.ts';

const queryShape = { format: z.enum(formats).default('json') };
const bodyShape = { sql: z.string().trim().min(1, 'expected a query').max(100_000, 'expected at most 100000 characters') };

/** Where downloads are exported before they are sent (cleaned at every start with DuckDB's spill files). */
export function downloadsFolder(tempDirectory: string): string {
  return path.join(tempDirectory, 'downloads');
}

/**
 * `POST /api/sql`: one checked read-only query; a capped JSON preview, or a full CSV/Arrow download.
 * A query takes an analyst slot (per token and for the server), then a slot of the query gate
 * like every API query; its DuckDB time is capped by `server.sql_timeout` (DuckDB is interrupted),
 * and a client that goes away interrupts it too. A download is exported to a private temp file
 * first and sent from there, so a slow reader holds neither a slot nor a DuckDB transaction.
 */
export function sqlRoutes({ config, db, catalog, gate }: EndpointContext, history?: ConsoleStore): Router {
  const router = Router();
  const timeoutMs = parseDurationMs(config.server.sql_timeout)!;
  const maxDownloadBytes = parseSizeBytes(config.server.sql_download_max);
  // One gate slot always stays free of analysts, for the dashboard.
  const slots = new AnalystSlots(Math.max(1, Math.min(config.server.sql_concurrency, gate.limit - 1)), config.server.sql_concurrency_per_user);
  const downloads = downloadsFolder(config.duckdb.temp_directory!);

  router.post('/api/sql', requireRole('analyst'), async (request, response) => {
    const { format } = parseQuery(queryShape, request.query);
    const { sql: text } = parseQuery(bodyShape, request.body, 'field', ' (send {"sql": "select …"})');
    let gone = false;
    let interrupt = () => {};
    const onClose = () => {
      if (response.writableFinished) return;
      gone = true;
      interrupt();
    };
    response.once('close', onClose);
    const call = { abandoned: () => gone, live: () => !gone };
    const started = Date.now();
    const file = format === 'json' ? undefined : path.join(downloads, `${randomUUID()}.${format}`);
    let rowCount: number | undefined;
    let failure: string | undefined;
    try {
      const preview = await slots.run(
        principalOf(response)!.tokenId,
        () =>
          gate.run(async () => {
            const connection = await db.connect();
            interrupt = () => connection.interrupt();
            try {
              await checkAnalystSql(connection, catalog, text);
              if (!file) return await previewQuery(connection, text, timeoutMs, config.server.sql_row_cap);
              await mkdir(downloads, { recursive: true, mode: 0o700 });
              await exportToFile(format as 'csv' | 'arrow', analystChunks(connection, text, timeoutMs), file, maxDownloadBytes);
              return undefined;
            } finally {
              interrupt = () => {};
              connection.closeSync();
            }
          }, call),
        () => gone,
      );
      if (preview) {
        response.json({
          columns: preview.names,
          types: preview.types,
          rows: preview.rows,
          row_count: preview.rows.length,
          truncated: preview.truncated,
          row_cap: config.server.sql_row_cap,
          elapsed_ms: Date.now() - started,
        });
        rowCount = preview.rows.length;
      } else {
        if (format === 'csv') response.type('text/csv; charset=utf-8').attachment('query.csv');
        else response.type(arrowMediaType).attachment('query.arrows');
        await pipeline(createReadStream(file!), response).catch(() => response.destroy());
      }
      analystQueries.inc({ outcome: 'ok' });
    } catch (error) {
      failure = (error as Error).message;
      analystQueries.inc({ outcome: error instanceof QueryRefused ? 'refused' : /stopped after/.test(String((error as Error).message)) ? 'timeout' : 'failed' });
      throw error;
    } finally {
      response.off('close', onClose);
      if (file) await rm(file, { force: true });
      // The console's history of this user; a history that cannot be written never fails the query.
      const principal = principalOf(response);
      if (history && principal) await history.recordRun(principal, text, { rowCount, elapsedMs: Date.now() - started, error: failure }).catch(() => undefined);
    }
  });

  return router;
}
