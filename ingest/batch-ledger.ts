import { sql, type Connection } from '../db/database.ts';
import type { BatchDescriptor } from './batch-contract.ts';
import type { BatchCounts, BatchStatus } from './land-batch.ts';
import { appendStaging, batchMap, batchOutcomes, createStagingTable } from './staging-tables.ts';

/** The batch ledger: the empty-extract guard's verdict and each batch's `ingest.batches` row. */

/**
 * The empty-extract guard: a full batch far smaller than the previous full one of its source
 * (in capture order, landed before or earlier in this group) is held.
 */
export async function guardEmptyExtract(connection: Connection, batches: readonly BatchDescriptor[], counts: readonly BatchCounts[], maxFullDrop: number): Promise<BatchStatus[]> {
  const isFull = (batch: BatchDescriptor) => batch.entity === 'stock' && batch.mode === 'full';
  const fulls = batches.filter(isFull);
  if (fulls.length === 0) return batches.map(() => 'landed');
  const times = fulls.map((batch) => batch.capturedAt.getTime());
  const [from, to] = [new Date(Math.min(...times)).toISOString(), new Date(Math.max(...times)).toISOString()];
  const landedFull = sql`source = ${fulls[0].source} and entity = 'stock' and mode = 'full' and status = 'landed'`;
  // The last landed full before the group, and those landed between its batches (a rerun filling gaps).
  const earlier = (
    await connection.rows<{ captured_at: string; rows: number }>(sql`
      (select captured_at, rows from ingest.batches where ${landedFull} and captured_at < ${from}::timestamptz order by captured_at desc limit 1)
      union all
      (select captured_at, rows from ingest.batches where ${landedFull} and captured_at >= ${from}::timestamptz and captured_at < ${to}::timestamptz)`)
  ).map((row) => ({ at: Date.parse(row.captured_at), rows: Number(row.rows) }));
  return batches.map((batch, index) => {
    if (!isFull(batch)) return 'landed';
    const at = batch.capturedAt.getTime();
    const previous = earlier.filter((full) => full.at < at).reduce<{ at: number; rows: number } | undefined>((last, full) => (!last || full.at >= last.at ? full : last), undefined);
    const rows = counts[index].rows;
    if (previous && rows < previous.rows * (1 - maxFullDrop)) return 'held';
    earlier.push({ at, rows });
    return 'landed';
  });
}

/** The ledger rows of a landed group, from `batch_map` and each batch's outcome by index (staged through the appender). */
export async function writeLedgers(connection: Connection, outcomes: readonly (BatchCounts & { status: BatchStatus; error?: string })[], startedAt: Date): Promise<void> {
  await createStagingTable(connection, batchOutcomes);
  await appendStaging(connection, batchOutcomes, {
    __batch: outcomes.map((_, index) => index),
    rows: outcomes.map((outcome) => outcome.rows),
    rejected: outcomes.map((outcome) => outcome.rejected),
    status: outcomes.map((outcome) => outcome.status),
    error: outcomes.map((outcome) => outcome.error ?? null),
  });
  const [m, o] = [batchMap.as('m'), batchOutcomes.as('o')];
  await connection.run(sql`
    insert or replace into ingest.batches (batch_id, source, entity, file, mode, captured_at, content_sha256, rows, rejected, status, started_at, finished_at, error, file_size_bytes, file_mtime_ms)
    select ${m.batch_id}, ${m.source}, ${m.entity}, ${m.file}, ${m.mode}, ${m.captured_at}, ${m.content_sha256}, ${o.rows}, ${o.rejected}, ${o.status}, ${startedAt.toISOString()}::timestamptz, now(), ${o.error}, ${m.file_size_bytes}, ${m.file_mtime_ms}
    from ${m.from} join ${o.from} on ${o.__batch} = ${m.__batch}
    order by ${m.__batch}`);
  await connection.run(sql`drop table ${batchOutcomes.ident}`);
}

export async function writeLedger(
  connection: Connection,
  batchId: string,
  batch: BatchDescriptor,
  outcome: { status: BatchStatus; rows: number; rejected: number; error?: string },
  startedAt: Date,
  { keepExisting = false } = {},
): Promise<void> {
  // A failure is recorded only where no outcome exists: it must never overwrite a landed batch.
  const verb = keepExisting ? sql`insert or ignore` : sql`insert or replace`;
  await connection.run(sql`
    ${verb} into ingest.batches (batch_id, source, entity, file, mode, captured_at, content_sha256, rows, rejected, status, started_at, finished_at, error, file_size_bytes, file_mtime_ms)
    values (${batchId}, ${batch.source}, ${batch.entity}, ${batch.file ?? null}, ${batch.mode}, ${batch.capturedAt.toISOString()}::timestamptz,
            ${batch.contentSha256}, ${outcome.rows}, ${outcome.rejected}, ${outcome.status}, ${startedAt.toISOString()}::timestamptz, now(), ${outcome.error ?? null},
            ${batch.fileStamp?.sizeBytes ?? null}, ${batch.fileStamp?.mtimeMs ?? null}::double)`);
}
