import { existsSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { sql } from '../../db/database.ts';
import { requireRole } from '../auth/authenticate.ts';
import { streamResult } from '../encode/send-result.ts';
import { exportsDir, listPublishableMarts } from '../exports/publish-exports.ts';
import { HttpError } from '../http-error.ts';
import type { EndpointContext } from '../table-endpoint.ts';

/** `GET /api/exports/<mart>.parquet` (the file published after the last build) and `.csv` (streamed now). */
export function exportRoutes({ config, db, catalog }: EndpointContext): Router {
  const router = Router();
  router.get('/api/exports', requireRole('analyst'), async (_request, response) => {
    const marts = [...(await catalog.relations()).keys()].filter((key) => key.startsWith('marts.') && !key.startsWith('marts.__')).map((key) => key.slice(6));
    const tables = new Set(await listPublishableMarts(db));
    response.json({
      // A view (fct_stock_position) is computed on read and never published as Parquet: `parquet` is null.
      marts: marts.map((mart) => ({
        mart,
        parquet: tables.has(mart) ? `/api/exports/${mart}.parquet` : null,
        csv: `/api/exports/${mart}.csv`,
        published: existsSync(path.join(exportsDir(config), `${mart}.parquet`)),
      })),
    });
  });
  router.get('/api/exports/:file', requireRole('analyst'), async (request, response) => {
    const match = /^([a-z0-9_]+)\.(parquet|csv)$/i.exec(String(request.params.file));
    if (!match) throw new HttpError(404, `no export ${request.params.file}: ask for /api/exports/<mart>.parquet or .csv (list: /api/exports)`);
    const [, mart, kind] = match;
    await catalog.requireMart(mart);
    if (kind === 'parquet') {
      const file = path.join(exportsDir(config), `${mart}.parquet`);
      if (!existsSync(file)) {
        if (!(await listPublishableMarts(db)).includes(mart)) {
          throw new HttpError(404, `${mart} is a view computed on read (it expands the change intervals to every bucket), so no Parquet copy of it is published: download ${mart}.csv, or query it with a filter (SQL console, stocklens sql)`);
        }
        throw new HttpError(503, `the ${mart}.parquet export is not published yet: it is written after the next successful stocklens build`);
      }
      response.type('application/vnd.apache.parquet');
      return void response.download(file, `${mart}.parquet`, { dotfiles: 'deny' });
    }
    await db.withConnection((connection) => streamResult(response, 'csv', connection.stream(sql`select * from ${sql.ident('marts', mart)}`), mart));
  });
  return router;
}
