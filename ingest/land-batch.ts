import { createHash } from 'node:crypto';
import path from 'node:path';
import { IngestError, causeMessage } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import { pipeline } from '../core/pipeline-coordinator.ts';
import { sql, type Connection, type Database, type SQLQuery } from '../db/database.ts';
import { guardEmptyExtract, writeLedger, writeLedgers } from './batch-ledger.ts';
import { columnChecks, strictCast, textOf, typedValue, type NumberFormat } from './cell-checks.ts';
import type { BatchDescriptor, PendingBatch, StageInput, StagedInput } from './batch-contract.ts';
import { entitySpecs, type Entity } from './entities.ts';
import {
  appendStaging,
  batchChecked,
  batchIds,
  batchInput,
  batchLines,
  batchMap,
  batchMapInput,
  batchReadRejects,
  batchStamps,
  createStagingTable,
  dropStagingTables,
} from './staging-tables.ts';

export type BatchStatus = 'landed' | 'skipped' | 'held' | 'rejected' | 'failed';

export interface LandResult {
  batchId: string;
  status: BatchStatus;
  rows: number;
  rejected: number;
  error?: string;
  /** For a skipped batch: its outcome when it was read (a rejected file stays rejected until its content changes). */
  previously?: BatchStatus;
}

/**
 * What a batch the ledger already decided comes to when it is found again: skipped. A file rejected
 * before is not read again, but it is still there unlanded, so its rejection is said every run.
 */
export function skippedResult(batchId: string, earlier: { status: BatchStatus; error: string | null }): LandResult {
  if (earlier.status === 'rejected') return { batchId, status: 'skipped', rows: 0, rejected: 0, previously: 'rejected', error: earlier.error ?? undefined };
  return { batchId, status: 'skipped', rows: 0, rejected: 0 };
}

export interface LandOptions {
  /** Location ids from the config; a row naming another location is quarantined. Empty: any. */
  knownLocations: readonly string[];
  /** Share a full batch may shrink by against the source's previous full batch before it is held. */
  maxFullDrop: number;
  /** How the source writes numbers (file exports in a locale's format); plain 1200.5 when absent. */
  numberFormat?: NumberFormat;
  now?: Date;
}

/** Columns of `batchInput` that are the protocol's, not the input's. */
const internalColumns = new Set(Object.keys(batchInput.columns));

/**
 * Deterministic batch id: the same content from the same source is the same batch. A file's name
 * (which carries its capture time) is part of what it says: two header-only deltas an hour apart
 * are two captures that each prove the source alive, not one file landed twice. A webhook's
 * `file` names its delivery id, so a redelivery stays the same batch.
 */
export function batchIdFor(batch: Pick<BatchDescriptor, 'source' | 'contentSha256' | 'file'>): string {
  const identity = batch.file === undefined ? `${batch.source}\0${batch.contentSha256}` : `${batch.source}\0${batch.contentSha256}\0${path.basename(batch.file)}`;
  return `${batch.source}-${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}

export async function landBatch(db: Database, batch: BatchDescriptor, stage: StageInput, options: LandOptions): Promise<LandResult> {
  const [result] = await landBatches(db, [{ ...batch, stage }], options);
  return result;
}

/**
 * Lands batches of one source and entity in one transaction with their ledger rows:
 * either every batch's rows, quarantined rejects and ledger row commit, or none does. More than one
 * batch needs a shared `read` (one read stages them all). Results come in the order given.
 */
export async function landBatches(db: Database, batches: readonly PendingBatch[], options: LandOptions): Promise<LandResult[]> {
  // One landing at a time per source (the coordinator's contract): a batch id names its source, so
  // landings of different sources never race for a batch and run side by side.
  return pipeline.landInTurn(db, batches[0]?.source ?? '', () => landGroupOrSplit(db, batches, options));
}

/** A group the landing could not take whole (one file unreadable, a failure) is landed batch by batch, so each gets its own outcome. */
async function landGroupOrSplit(db: Database, batches: readonly PendingBatch[], options: LandOptions): Promise<LandResult[]> {
  const landed = await landGroupNow(db, batches, options);
  if (landed !== 'split') return landed;
  const results: LandResult[] = [];
  for (const batch of batches) results.push(...((await landGroupNow(db, [batch], options)) as LandResult[]));
  return results;
}

async function landGroupNow(db: Database, batches: readonly PendingBatch[], options: LandOptions): Promise<LandResult[] | 'split'> {
  const ids = batches.map((batch) => batchIdFor(batch));
  const first = batches[0];
  if (batches.some((batch) => batch.source !== first.source || batch.entity !== first.entity || (batches.length > 1 && batch.read?.key !== first.read?.key))) {
    throw new Error('landBatches: a group must share its source, entity and read');
  }
  return db.withConnection(async (connection) => {
    // Timestamps written without an offset are UTC, whatever the machine's zone.
    await connection.run("set TimeZone = 'UTC'");
    // The group's ids go in through the appender: a statement binding hundreds of values costs
    // more to plan than the landing's own work on a group of small files.
    await createStagingTable(connection, batchIds);
    await appendStaging(connection, batchIds, { batch_id: ids });
    const existing = new Map(
      (await connection.rows<{ batch_id: string; status: BatchStatus; error: string | null }>(sql`select b.batch_id, b.status, b.error from ingest.batches b join ${batchIds.ident} using (batch_id)`)).map((row) => [row.batch_id, row]),
    );
    const results: (LandResult | undefined)[] = ids.map((batchId) => {
      const earlier = existing.get(batchId);
      if (earlier === undefined || earlier.status === 'failed') return undefined;
      return skippedResult(batchId, earlier);
    });
    await restamp(connection, batches.filter((_, index) => results[index] !== undefined), ids.filter((_, index) => results[index] !== undefined));
    const todo = batches.map((batch, index) => ({ batch, batchId: ids[index], index })).filter(({ index }) => results[index] === undefined);
    if (todo.length === 0) return results as LandResult[];
    const stage = todo.length === 1 ? todo[0].batch.stage : todo[0].batch.read!.stage(todo.map(({ batch }) => batch.file!));
    const retried = todo.filter(({ batchId }) => existing.has(batchId)).map(({ batchId }) => sql`${batchId}`);
    const startedAt = new Date();
    try {
      // Staging and checking fill only this connection's temporary tables, so they run before the
      // transaction: nothing durable happens there, and DuckDB can spill them to its temp directory
      // under its memory limit, which it cannot do for a transaction's own uncommitted temp data
      // (a 5 GB file ran out of memory inside one). The transaction holds every durable write.
      await writeBatchMap(connection, todo);
      const staged = await stageOrReject(connection, stage, first.entity);
      if (typeof staged === 'string') throw new BatchRejection(staged);
      const checked = await checkRows(connection, first, todo.length, options, staged);
      const outcomes = await connection.transaction(async () => {
        if (retried.length > 0) await connection.run(sql`delete from ingest.batches where batch_id in (${sql.join(retried, ', ')})`);
        const counts = await landChecked(connection, first, checked);
        const statuses = await guardEmptyExtract(connection, todo.map(({ batch }) => batch), counts, options.maxFullDrop);
        const held = 'full batch shrank beyond max_full_drop: held until `stocklens ingest --accept`';
        const landed = counts.map((count, index) => ({ status: statuses[index], ...count, error: statuses[index] === 'held' ? held : undefined }));
        await writeLedgers(connection, landed, startedAt);
        return landed;
      });
      todo.forEach(({ batchId, index }, position) => {
        results[index] = { batchId, ...outcomes[position] };
      });
      return results as LandResult[];
    } catch (error) {
      if (todo.length > 1) {
        logger.warn({ err: error, source: first.source, batches: todo.length }, 'group landing failed: landing its batches one by one');
        return 'split';
      }
      const [{ batch, batchId, index }] = todo;
      if (error instanceof BatchRejection) {
        const outcome = { status: 'rejected' as const, rows: 0, rejected: 0, error: error.message };
        await connection.transaction(async () => {
          if (retried.length > 0) await connection.run(sql`delete from ingest.batches where batch_id = ${batchId}`);
          await writeLedger(connection, batchId, batch, outcome, startedAt);
        });
        results[index] = { batchId, ...outcome };
        return results as LandResult[];
      }
      const message = causeMessage(error);
      logger.error({ err: error, batchId, file: batch.file }, 'batch failed');
      await writeLedger(connection, batchId, batch, { status: 'failed', rows: 0, rejected: 0, error: message }, startedAt, { keepExisting: true }).catch(() => {});
      results[index] = { batchId, status: 'failed', rows: 0, rejected: 0, error: message };
      return results as LandResult[];
    } finally {
      await connection
        .run(dropStagingTables(batchInput, batchChecked, batchReadRejects, batchLines, batchMap, batchIds))
        .catch(() => {});
    }
  });
}

/**
 * A file found again with content the ledger already holds (touched, copied back, or landed before
 * stamps were kept) gets its current stamp, so the next run skips it without reading it.
 */
async function restamp(connection: Connection, batches: readonly BatchDescriptor[], ids: readonly string[]): Promise<void> {
  const stamped = batches.flatMap((batch, index) => (batch.fileStamp && batch.file !== undefined ? [{ batchId: ids[index], file: batch.file, stamp: batch.fileStamp }] : []));
  if (stamped.length === 0) return;
  await createStagingTable(connection, batchStamps);
  await appendStaging(connection, batchStamps, {
    batch_id: stamped.map(({ batchId }) => batchId),
    file: stamped.map(({ file }) => file),
    file_size_bytes: stamped.map(({ stamp }) => stamp.sizeBytes),
    file_mtime_ms: stamped.map(({ stamp }) => stamp.mtimeMs),
  });
  const s = batchStamps.as('s');
  await connection.run(sql`
    update ingest.batches b set file = ${s.file}, file_size_bytes = ${s.file_size_bytes}::bigint, file_mtime_ms = ${s.file_mtime_ms}
    from ${batchStamps.ident} s where b.batch_id = ${s.batch_id};
    drop table ${batchStamps.ident}`);
}

/** The whole batch is refused (unreadable, a required column missing): recorded, never retried. */
class BatchRejection extends Error {}

/** Fills `batchMap` with the group's batches, by index. */
async function writeBatchMap(connection: Connection, todo: readonly { batch: BatchDescriptor; batchId: string }[]): Promise<void> {
  await createStagingTable(connection, batchMapInput);
  await appendStaging(connection, batchMapInput, {
    __batch: todo.map((_, index) => index),
    batch_id: todo.map(({ batchId }) => batchId),
    captured_at: todo.map(({ batch }) => batch.capturedAt.toISOString()),
    source: todo.map(({ batch }) => batch.source),
    entity: todo.map(({ batch }) => batch.entity),
    file: todo.map(({ batch }) => batch.file ?? null),
    mode: todo.map(({ batch }) => batch.mode),
    content_sha256: todo.map(({ batch }) => batch.contentSha256),
    file_size_bytes: todo.map(({ batch }) => batch.fileStamp?.sizeBytes ?? null),
    file_mtime_ms: todo.map(({ batch }) => batch.fileStamp?.mtimeMs ?? null),
  });
  const [capturedAt, sizeBytes] = [batchMapInput.column('captured_at'), batchMapInput.column('file_size_bytes')];
  await connection.run(sql`
    create or replace temp table ${batchMap.ident} as select * replace (${capturedAt}::timestamptz as captured_at, ${sizeBytes}::bigint as file_size_bytes) from ${batchMapInput.ident};
    drop table ${batchMapInput.ident}`);
}

/** Stages the input; a string is the reason the whole batch is rejected. */
async function stageOrReject(connection: Connection, stage: StageInput, entity: Entity): Promise<string | StagedInput & { present: Set<string> }> {
  let staged: StagedInput;
  await createStagingTable(connection, batchReadRejects);
  try {
    staged = (await stage(connection)) ?? {};
  } catch (error) {
    if (error instanceof IngestError && !error.context.transient) return error.message;
    throw error;
  }
  const present = new Set((await connection.rows<{ column_name: string }>(sql`select column_name from (describe ${batchInput.ident})`)).map((row) => row.column_name));
  // A stage of one batch may leave out its index.
  if (!present.has('__batch')) await connection.run(sql`alter table ${batchInput.ident} add column ${batchInput.column('__batch')} ${sql.__dangerous__rawValue(batchInput.columns.__batch)} default 0`);
  const spec = entitySpecs[entity];
  const missing = spec.columns.filter((column) => column.required && !present.has(column.name)).map((column) => column.name);
  const header = [...present].filter((name) => !internalColumns.has(name));
  if (missing.length > 0) {
    return `missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (a ${entity} file needs ${requiredColumns(entity).join(', ')})${headerHint(header, missing)}`;
  }
  const uncovered = (spec.oneOf ?? []).find((group) => !group.some((name) => present.has(name)));
  if (uncovered) return `missing column: a ${entity} file needs ${uncovered.join(' or ')}${headerHint(header, uncovered)}`;
  return { ...staged, present };
}

/** What the header had, and the rename that would fix it when a column is a near miss of a wanted one (`onhand`, `On Hand`). */
function headerHint(header: readonly string[], wanted: readonly string[]): string {
  if (header.length === 0) return '';
  const squash = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const renames = wanted.flatMap((name) => header.filter((column) => squash(column) === squash(name)).map((column) => `rename ${column} to ${name}`));
  return `; the header has ${header.join(', ')}${renames.length > 0 ? `: ${renames.join(', ')}` : ''}`;
}

function requiredColumns(entity: Entity): string[] {
  return entitySpecs[entity].columns.filter((column) => column.required).map((column) => column.name);
}

export interface BatchCounts {
  rows: number;
  rejected: number;
}

/** A group's rows cast and checked into `batch_checked`, ready to land. */
interface CheckedRows {
  /** Rows to land and rows failing a check, per batch of the group by index (the reader's rejects not yet counted). */
  counts: BatchCounts[];
  /** The input row as JSON, for quarantined rows the stage cannot locate in a file. */
  packedInput: SQLQuery;
}

/**
 * Casts every row from text into the temporary table `batch_checked`, with the first reason a row
 * fails, and locates the failing rows' lines (`batch_lines`); writes nothing durable.
 */
async function checkRows(connection: Connection, batch: BatchDescriptor, size: number, options: LandOptions, staged: StagedInput & { present: Set<string> }): Promise<CheckedRows> {
  const spec = entitySpecs[batch.entity];
  const present = staged.present;
  const canonical = new Set(spec.columns.map((column) => column.name));
  const inputColumns = [...present].filter((name) => !internalColumns.has(name));
  const extras = inputColumns.filter((name) => !canonical.has(name));
  const cells = spec.columns.filter((column) => present.has(column.name));
  const typed = spec.columns.map((column) => sql`${typedValue(column, present)} as ${sql.ident(column.name)}`);
  const checks = spec.columns.flatMap((column) => columnChecks(column, present, options));
  const keyColumns = spec.key.filter((name) => present.has(name));
  if (keyColumns.length > 0) {
    checks.push({ column: null, failed: sql`__duplicate`, reason: sql`${`duplicate key (${keyColumns.join(', ')}) within the batch`}` });
  }
  const [i, m] = [batchInput.as('i'), batchMap.as('m')];
  // Later rows of a batch repeating a key are the duplicates: found with an aggregate and a hash
  // join, which costs far less than a window partitioned by the key.
  const duplicate =
    keyColumns.length > 0
      ? {
          flag: sql`coalesce(${i.__row} > d.__first_row, false)`,
          join: sql`left join (
            select __batch, ${sql.join(keyColumns.map((name) => sql.ident(name)), ', ')}, min(__row) as __first_row
            from ${batchInput.ident} group by all having count(*) > 1
          ) d on d.__batch = ${i.__batch} AND ${sql.join(keyColumns.map((name) => sql`d.${sql.ident(name)} is not distinct from i.${sql.ident(name)}`), ' AND ')}`,
        }
      : { flag: sql`false`, join: sql`` };
  // raw keeps what the canonical columns cannot: the vendor's own row, or the columns a file carries
  // beyond the canonical ones (unknown extra columns are kept).
  const rawValue = present.has('__raw') ? sql`${i.__raw}::json` : extras.length > 0 ? sql`to_json(${packColumns(extras)})` : sql`null::json`;
  // Each cell is trimmed and cast once (text "t:<name>", value "v:<name>"); the checks and the
  // landed values read those, so the statement stays small whatever the number of checks.
  const failure = checks.length > 0 ? sql`case ${sql.join(checks.map((check) => sql`when ${check.failed} then [${check.column === null ? sql`null::varchar` : sql`${check.column}`}, ${check.reason}]`), sql` `)} end` : sql`null::varchar[]`;
  await connection.run(sql`
    create or replace temp table ${batchChecked.ident} as
    with cells as (
      select ${i.__batch}, ${i.__row}, ${m.captured_at} as __captured_at, ${m.mode} = 'delta' as __delta, ${duplicate.flag} as __duplicate, ${rawValue} as raw
        ${sql.join(cells.map((column) => sql`, ${textOf(column)} as ${sql.ident(`t:${column.name}`)}, ${strictCast(textOf(column), column, options.numberFormat)} as ${sql.ident(`v:${column.name}`)}`), sql` `)}
      from ${i.from} join ${m.from} on ${m.__batch} = ${i.__batch} ${duplicate.join}
    ), failures as (
      select __batch, __row, ${sql.join(typed, ', ')}, ${failure} as __failure, raw from cells
    )
    select * exclude (__failure), __failure[1] as __column, __failure[2] as __reason from failures`);
  const counted = await connection.rows<{ __batch: number; rows: number; rejected: number }>(
    sql`select __batch, count(*) filter (where __reason is null) as rows, count(*) filter (where __reason is not null) as rejected from ${batchChecked.ident} group by __batch`,
  );
  const counts: BatchCounts[] = Array.from({ length: size }, () => ({ rows: 0, rejected: 0 }));
  for (const row of counted) counts[Number(row.__batch)] = { rows: Number(row.rows), rejected: Number(row.rejected) };
  const packedInput = packColumns(inputColumns, 'i');
  await createStagingTable(connection, batchLines);
  if (staged.locate && counts.some((count) => count.rejected > 0)) await locateRejectedRows(connection, staged.locate);
  return { counts, packedInput };
}

/**
 * Inside the landing's transaction: quarantines the checked rows that failed and the lines the
 * reader refused, lands the rest; answers the counts of each batch of the group, by index.
 */
async function landChecked(connection: Connection, batch: BatchDescriptor, checked: CheckedRows): Promise<BatchCounts[]> {
  const spec = entitySpecs[batch.entity];
  const counts = checked.counts.map((count) => ({ ...count }));
  if (counts.some((count) => count.rejected > 0)) await quarantineRows(connection, checked.packedInput);
  const columnNames = spec.columns.map((column) => sql.ident(column.name));
  const [c, m] = [batchChecked.as('c'), batchMap.as('m')];
  await connection.run(sql`
    insert into ${sql.ident('raw', spec.table)} (batch_id, source, ${sql.join(columnNames, ', ')}, raw)
    select ${m.batch_id}, ${m.source}, ${sql.join(columnNames.map((name) => sql`c.${name}`), ', ')}, ${c.raw}
    from ${c.from} join ${m.from} on ${m.__batch} = ${c.__batch} where ${c.__reason} is null order by ${c.__batch}, ${c.__row}`);
  for (const [index, unreadable] of await landReadRejects(connection)) counts[index].rejected += unreadable;
  return counts;
}

function packColumns(names: string[], alias = 'i'): SQLQuery {
  if (names.length === 0) return sql`null`;
  return sql`struct_pack(${sql.join(names.map((name) => sql`${sql.ident(name)} := ${sql.ident(alias, name)}`), ', ')})`;
}

/**
 * The physical line and original text of each row that failed a check, from the stage's locator
 * (walking only the files that have such rows), into `batch_lines`.
 */
async function locateRejectedRows(connection: Connection, locate: NonNullable<StagedInput['locate']>): Promise<void> {
  const [batch, row, reason] = (['__batch', '__row', '__reason'] as const).map((name) => batchChecked.column(name));
  const rejected = await connection.rows<{ __batch: number; __row: number }>(sql`select ${batch}, ${row} from ${batchChecked.ident} where ${reason} is not null order by ${batch}, ${row}`);
  const byBatch = new Map<number, number[]>();
  for (const row of rejected) {
    const rows = byBatch.get(Number(row.__batch)) ?? [];
    rows.push(Number(row.__row));
    byBatch.set(Number(row.__batch), rows);
  }
  const appender = await connection.appender('main', batchLines.name, 'temp');
  try {
    for (const [batch, rows] of byBatch) {
      for (const [row, { line, text }] of await locate(batch, rows)) {
        appender.appendInteger(batch);
        appender.appendBigInt(BigInt(row));
        appender.appendBigInt(BigInt(line));
        appender.appendVarchar(text);
        appender.endRow();
      }
    }
  } finally {
    appender.closeSync();
  }
}

/** Writes the rejected rows to the quarantine with the line they came from where located; else the record number and the row as JSON. */
async function quarantineRows(connection: Connection, packedInput: SQLQuery): Promise<void> {
  const [c, m, i, l] = [batchChecked.as('c'), batchMap.as('m'), batchInput.as('i'), batchLines.as('l')];
  await connection.run(sql`
    insert into ingest.quarantine (batch_id, line, "column", reason, raw_line)
    select ${m.batch_id}, coalesce(${l.line}, ${c.__row}), ${c.__column}, ${c.__reason}, coalesce(${l.text}, to_json(${packedInput})::varchar)
    from ${c.from}
    join ${m.from} on ${m.__batch} = ${c.__batch}
    join ${i.from} on ${i.__batch} = ${c.__batch} and ${i.__row} = ${c.__row}
    left join ${l.from} on ${l.__batch} = ${c.__batch} and ${l.__row} = ${c.__row}
    where ${c.__reason} is not null
    order by ${c.__batch}, ${c.__row}`);
}

/** Lines the reader itself could not parse (wrong field count, bad quoting) are quarantined too; answers their count per batch. */
async function landReadRejects(connection: Connection): Promise<Map<number, number>> {
  const [r, m] = [batchReadRejects.as('r'), batchMap.as('m')];
  const batch = batchReadRejects.column('__batch');
  const counted = await connection.rows<{ __batch: number; n: number }>(sql`select ${batch}, count(*) as n from ${batchReadRejects.ident} group by ${batch}`);
  if (counted.length > 0) {
    await connection.run(sql`
      insert into ingest.quarantine (batch_id, line, "column", reason, raw_line)
      select ${m.batch_id}, ${r.line}, ${r.column}, ${r.reason}, ${r.raw_line} from ${r.from} join ${m.from} on ${m.__batch} = ${r.__batch} order by ${r.__batch}, ${r.line}`);
  }
  return new Map(counted.map((row) => [Number(row.__batch), Number(row.n)]));
}
