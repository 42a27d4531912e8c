import { randomUUID } from 'node:crypto';
import type { SourceConfig } from '../core/config-schema.ts';
import { causeMessage } from '../core/errors.ts';
import type { Config } from '../core/load-config.ts';
import { logger } from '../core/logger.ts';
import { sql, type Database } from '../db/database.ts';
import { connectorFor } from './connectors/index.ts';
import { ensureLandingSchema } from './ensure-schema.ts';
import { landBatch, type LandResult } from './land-batch.ts';

export interface SourceSummary {
  source: string;
  status: 'succeeded' | 'failed';
  batches: number;
  skipped: number;
  rows: number;
  rejected: number;
  held: number;
  failedBatches: number;
  durationMs: number;
  error?: string;
}

export interface IngestProgress {
  source: string;
  done: number;
  total: number;
  result?: LandResult;
}

export interface IngestOptions {
  sources?: readonly string[];
  trigger?: 'manual' | 'schedule' | 'catch-up' | 'webhook';
  onProgress?: (progress: IngestProgress) => void;
}

/** Lands every new batch of the selected sources, one source after another, recording each run. */
export async function runIngest(config: Config, db: Database, options: IngestOptions = {}): Promise<SourceSummary[]> {
  await ensureLandingSchema(db);
  const selected = options.sources?.length ? config.sources.filter((source) => options.sources!.includes(source.name)) : config.sources;
  const summaries: SourceSummary[] = [];
  for (const source of selected) summaries.push(await ingestSource(config, db, source, options));
  return summaries;
}

async function ingestSource(config: Config, db: Database, source: SourceConfig, options: IngestOptions): Promise<SourceSummary> {
  const runId = randomUUID();
  const startedAt = Date.now();
  await db.run(sql`insert into ingest.runs (run_id, source, trigger, started_at, status) values (${runId}, ${source.name}, ${options.trigger ?? 'manual'}, now(), 'running')`);
  const summary: SourceSummary = { source: source.name, status: 'succeeded', batches: 0, skipped: 0, rows: 0, rejected: 0, held: 0, failedBatches: 0, durationMs: 0 };
  try {
    const pending = await connectorFor(source).listBatches();
    const landOptions = {
      knownLocations: config.locations.map((location) => location.id),
      maxFullDrop: source.max_full_drop ?? config.ingest.max_full_drop,
    };
    for (const [index, batch] of pending.entries()) {
      const result = await landBatch(db, batch, batch.stage, landOptions);
      if (result.status === 'skipped') summary.skipped += 1;
      else summary.batches += 1;
      if (result.status === 'held') summary.held += 1;
      if (result.status === 'failed' || result.status === 'rejected') summary.failedBatches += 1;
      summary.rows += result.rows;
      summary.rejected += result.rejected;
      options.onProgress?.({ source: source.name, done: index + 1, total: pending.length, result });
    }
    if (pending.length === 0) options.onProgress?.({ source: source.name, done: 0, total: 0 });
  } catch (error) {
    summary.status = 'failed';
    summary.error = causeMessage(error);
    logger.error({ err: error, source: source.name }, 'ingest run failed');
  }
  summary.durationMs = Date.now() - startedAt;
  await db.run(sql`
    update ingest.runs set finished_at = now(), status = ${summary.status}, batches = ${summary.batches}, rows = ${summary.rows},
      rejected = ${summary.rejected}, held = ${summary.held}, error = ${summary.error ?? null}
    where run_id = ${runId}`);
  return summary;
}
