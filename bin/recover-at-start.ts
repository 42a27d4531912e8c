import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../core/load-config.ts';
import { logger } from '../core/logger.ts';
import type { Database } from '../db/database.ts';
import { closeInterruptedIngestRuns } from '../ingest/ensure-schema.ts';
import { closeInterruptedModelRuns } from '../models/runner/run-history.ts';
import { downloadsFolder } from '../server/routes/sql-routes.ts';

/**
 * What a process that stopped without closing (SIGKILL, a crash, a power cut) leaves behind,
 * cleared by the next process to open the database read-write, once it holds DuckDB's lock (no
 * other process can be using any of it then): runs still marked `running` are closed as
 * `interrupted`, DuckDB's spill files in the temp directory and unsent downloads are removed.
 */
export async function recoverAtStart(config: Config, db: Database): Promise<void> {
  const temp = config.duckdb.temp_directory!;
  const spill = await readdir(temp).catch(() => [] as string[]);
  const leftovers = spill.filter((name) => name.startsWith('duckdb_temp'));
  for (const name of leftovers) await rm(path.join(temp, name), { recursive: true, force: true });
  await rm(downloadsFolder(temp), { recursive: true, force: true });
  const ingestRuns = await closeInterruptedIngestRuns(db);
  const modelRuns = await closeInterruptedModelRuns(db);
  if (leftovers.length + ingestRuns + modelRuns > 0) {
    logger.warn({ spillFiles: leftovers.length, ingestRuns, modelRuns }, 'the last process stopped without closing: its runs are marked interrupted and its spill files removed');
  }
}
