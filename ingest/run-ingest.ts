import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { SourceConfig } from '../core/config-schema.ts';
import { causeMessage } from '../core/errors.ts';
import type { Config } from '../core/load-config.ts';
import { logger } from '../core/logger.ts';
import { pipeline } from '../core/pipeline-coordinator.ts';
import { sql, type Database } from '../db/database.ts';
import type { PendingBatch } from './batch-contract.ts';
import type { IgnoredFile } from './connectors/connector.ts';
import { connectorFor } from './connectors/index.ts';
import { ensureLandingSchema } from './ensure-schema.ts';
import { landBatches, type LandResult } from './land-batch.ts';
import { isTransient } from './retry.ts';
import { UnchangedFiles } from './unchanged-files.ts';

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
  /** The run failed on something worth retrying (network, 429, 5xx). */
  transient?: boolean;
  /** What the connector noticed but landed around (warehouses mapped to no location), once per run. */
  warnings?: string[];
  /** Every file of the run that did not land, with the reason and the fix: the user's to-do list. */
  problems: FileProblem[];
  /** The run's quarantined rows grouped by reason, most rows first, each with its first file and line. */
  quarantined?: QuarantineGroup[];
}

/** Rows of one run quarantined for the same reason: how many, and where the first one is. */
export interface QuarantineGroup {
  reason: string;
  rows: number;
  file: string;
  line: number | null;
}

/**
 * A file that did not land: `rejected` whole (a wrong header, an unreadable file; `again` when it was
 * rejected by an earlier run and is still in the folder unchanged), `failed` (retried next run),
 * `ignored` by its connector (a name it cannot read) or `waiting` (still changing within the
 * source's quiet_period: a later run takes it, nothing for the user to do).
 */
export interface FileProblem {
  file: string;
  outcome: 'rejected' | 'failed' | 'ignored' | 'waiting';
  reason: string;
  fix: string;
  again?: boolean;
}

/** What to do about a file rejected whole: its content identifies it, so a corrected file is read again. */
export const rejectedFix = 'correct the file and save it again (same name or a new one): the next ingest reads a changed file again';
export const failedFix = 'the next ingest tries it again; if it keeps failing, run with --verbose and look at the error';

export interface IngestProgress {
  source: string;
  done: number;
  total: number;
  result?: LandResult;
}

export type IngestTrigger = 'manual' | 'schedule' | 'catch-up' | 'webhook';

export interface IngestOptions {
  sources?: readonly string[];
  trigger?: IngestTrigger;
  /** Which try of a scheduled run this is (recorded in ingest.runs). */
  attempt?: number;
  onProgress?: (progress: IngestProgress) => void;
}

/**
 * Lands every new batch of the selected sources, recording each run; summaries come in config
 * order. Sources land side by side, as many at a time as the machine has cores: each landing
 * group runs single-threaded on its own connection (the coordinator's threads lease), and sources never
 * share a batch, so each keeps its own atomic, exactly-once landing.
 */
export async function runIngest(config: Config, db: Database, options: IngestOptions = {}): Promise<SourceSummary[]> {
  await ensureLandingSchema(db);
  const selected = options.sources?.length ? config.sources.filter((source) => options.sources!.includes(source.name)) : config.sources;
  // Sources that push (webhooks) have nothing to pull.
  const pulling = selected.filter((source) => source.connector !== 'shopify-webhook');
  const summaries: SourceSummary[] = new Array(pulling.length);
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < pulling.length; index = next++) {
      const source = pulling[index];
      summaries[index] = await ingestBatches(config, db, source, (ignore, unchanged) => connectorFor(source, config).listBatches(ignore, unchanged), options);
    }
  };
  // One threads lease for the whole run, not one per group (changing DuckDB's threads costs).
  await pipeline.withOneThread(db, () => Promise.all(Array.from({ length: Math.min(parallelSources, pulling.length) }, lane)));
  return summaries;
}

/** How many sources land at once: one per core, each landing on one DuckDB thread. */
const parallelSources = Math.max(1, availableParallelism());

/**
 * One run of one source, recorded in `ingest.runs`: lists its pending batches and lands them in
 * groups (see `landingGroups`), each group in one transaction. Files the ledger decided as they
 * are now are left out of the listing and count as skipped. Listing failures (a Shopify outage) fail the run with nothing landed.
 */
export async function ingestBatches(
  config: Config,
  db: Database,
  source: SourceConfig,
  list: (ignore: (file: IgnoredFile) => void, unchanged: UnchangedFiles) => Promise<PendingBatch[]>,
  options: IngestOptions = {},
): Promise<SourceSummary> {
  await ensureLandingSchema(db);
  const runId = randomUUID();
  const startedAt = Date.now();
  await db.run(sql`insert into ingest.runs (run_id, source, trigger, attempt, started_at, status) values (${runId}, ${source.name}, ${options.trigger ?? 'manual'}, ${options.attempt ?? 1}, now(), 'running')`);
  const summary: SourceSummary = { source: source.name, status: 'succeeded', batches: 0, skipped: 0, rows: 0, rejected: 0, held: 0, failedBatches: 0, durationMs: 0, problems: [] };
  try {
    const ignored: IgnoredFile[] = [];
    const unchanged = await UnchangedFiles.load(db, source.name);
    const pending = await list((file) => ignored.push(file), unchanged);
    for (const { waiting, ...file } of ignored) summary.problems.push({ ...file, outcome: waiting ? 'waiting' : 'ignored' });
    await recordIgnoredFiles(db, source.name, ignored.filter((file) => !file.waiting));
    const landOptions = {
      knownLocations: config.locations.map((location) => location.id),
      maxFullDrop: source.max_full_drop ?? config.ingest.max_full_drop,
      numberFormat: source.decimal || source.thousands ? { decimal: source.decimal ?? '.', thousands: source.thousands } : undefined,
    };
    // What the connector noticed while reading (unmapped warehouses), said once per run.
    const warnings = [...new Set(pending.flatMap((batch) => batch.warnings ?? []))];
    for (const warning of warnings) logger.warn({ source: source.name }, warning);
    if (warnings.length > 0) summary.warnings = warnings;
    let done = 0;
    const total = unchanged.claimed.length + pending.length;
    const withRejects = new Map<string, string>();
    const count = (file: string, result: LandResult) => {
      tally(summary, file, result);
      if (result.status !== 'skipped' && result.rejected > 0) withRejects.set(result.batchId, file);
      options.onProgress?.({ source: source.name, done: ++done, total, result });
    };
    for (const { file, result } of unchanged.claimed) count(file, result);
    for (const group of landingGroups(pending)) {
      const results = await landBatches(db, group, landOptions);
      for (const [index, result] of results.entries()) count(group[index].file ?? result.batchId, result);
    }
    if (total === 0) options.onProgress?.({ source: source.name, done: 0, total: 0 });
    if (withRejects.size > 0) summary.quarantined = await quarantineGroups(db, withRejects);
  } catch (error) {
    summary.status = 'failed';
    summary.error = causeMessage(error);
    summary.transient = isTransient(error);
    // The summary carries the error to whoever asked (the CLI prints it, the scheduler logs it).
    logger.debug({ err: error, source: source.name }, 'ingest run failed');
  }
  summary.durationMs = Date.now() - startedAt;
  await db.run(sql`
    update ingest.runs set finished_at = now(), status = ${summary.status}, batches = ${summary.batches}, rows = ${summary.rows},
      rejected = ${summary.rejected}, held = ${summary.held}, error = ${summary.error ?? null}
    where run_id = ${runId}`);
  if (summary.batches - summary.failedBatches - summary.held > 0) pipeline.landed(summary);
  return summary;
}

/** The quarantined rows of the given batches (id → file) grouped by reason, the most frequent first, at most ten reasons. */
async function quarantineGroups(db: Database, files: ReadonlyMap<string, string>): Promise<QuarantineGroup[]> {
  const ids = [...files.keys()];
  const rows = await db.rows<{ reason: string; rows: number; batch_id: string; line: number | null }>(sql`
    select reason, count(*) over (partition by reason) as rows, batch_id, line
    from ingest.quarantine where batch_id in (${sql.join(ids.map((id) => sql`${id}`), ', ')})
    qualify row_number() over (partition by reason order by line nulls last, batch_id) = 1
    order by rows desc, reason limit 10`);
  return rows.map((row) => ({ reason: row.reason, rows: Number(row.rows), file: files.get(row.batch_id) ?? row.batch_id, line: row.line === null ? null : Number(row.line) }));
}

/** Adds one batch's outcome to the run's summary; a file that did not land joins its problems. */
function tally(summary: SourceSummary, file: string, result: LandResult): void {
  if (result.status === 'rejected' || result.previously === 'rejected') {
    summary.problems.push({ file, outcome: 'rejected', reason: result.error ?? 'rejected', fix: rejectedFix, again: result.previously === 'rejected' });
  }
  if (result.status === 'failed') summary.problems.push({ file, outcome: 'failed', reason: result.error ?? 'failed', fix: failedFix });
  if (result.status === 'skipped') summary.skipped += 1;
  else summary.batches += 1;
  if (result.status === 'held') summary.held += 1;
  if (result.status === 'failed' || result.status === 'rejected') summary.failedBatches += 1;
  summary.rows += result.rows;
  summary.rejected += result.rejected;
}

/** Files read together per landing: large enough that per-statement costs vanish, small enough to keep a group's memory modest. */
const maxGroupSize = 500;

/**
 * Plans the landing of a source's pending batches (in capture order): batches sharing a read (same
 * entity, format and header) join one group of up to `maxGroupSize`, landed in one transaction.
 * Entities interleave freely, but within an entity the groups keep capture order, so the
 * empty-extract guard always compares a full batch with the full ones before it. A batch without a
 * shared read is a group of one.
 */
export function landingGroups(pending: readonly PendingBatch[]): PendingBatch[][] {
  const groups: PendingBatch[][] = [];
  const open = new Map<string, PendingBatch[]>();
  for (const batch of pending) {
    const current = open.get(batch.entity);
    if (batch.read && current && current.length < maxGroupSize && current[0].read?.key === batch.read.key) {
      current.push(batch);
      continue;
    }
    const group = [batch];
    groups.push(group);
    if (batch.read) open.set(batch.entity, group);
    else open.delete(batch.entity);
  }
  return groups;
}

/** The files a source's folder holds that its connector leaves aside, as of its last listing (Data health shows them). */
async function recordIgnoredFiles(db: Database, source: string, ignored: readonly IgnoredFile[]): Promise<void> {
  await db.transaction(async (connection) => {
    await connection.run(sql`delete from ingest.ignored_files where source = ${source}`);
    for (const file of ignored) {
      await connection.run(sql`insert into ingest.ignored_files (source, file, reason, fix, seen_at) values (${source}, ${file.file}, ${file.reason}, ${file.fix}, now())`);
    }
  });
}
