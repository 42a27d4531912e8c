import { createHash } from 'node:crypto';
import { IngestError, causeMessage } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import { sql, type Connection, type Database, type SQLQuery } from '../db/database.ts';
import { entitySpecs, type ColumnSpec, type Entity } from './entities.ts';

export interface BatchDescriptor {
  source: string;
  entity: Entity;
  file?: string;
  mode: 'full' | 'delta';
  capturedAt: Date;
  contentSha256: string;
}

export type BatchStatus = 'landed' | 'skipped' | 'held' | 'rejected' | 'failed';

export interface LandResult {
  batchId: string;
  status: BatchStatus;
  rows: number;
  rejected: number;
  error?: string;
}

export interface LandOptions {
  /** Location ids from the config; a row naming another location is quarantined. Empty: any. */
  knownLocations: readonly string[];
  /** Share a full batch may shrink by against the source's previous full batch before it is held. */
  maxFullDrop: number;
  now?: Date;
}

/**
 * Fills the temporary table `batch_input` on the connection: every column as text plus `__line`
 * (the line number in the file). Throws IngestError when the input cannot be read at all.
 */
export type StageInput = (connection: Connection) => Promise<void>;

/** Deterministic batch id: the same content from the same source is the same batch. */
export function batchIdFor(source: string, contentSha256: string): string {
  return `${source}-${createHash('sha256').update(`${source}\0${contentSha256}`).digest('hex').slice(0, 16)}`;
}

/**
 * Lands one batch in one transaction with its ledger row (DESIGN §6): either the rows, their
 * quarantined rejects and the ledger row all commit, or none of them does.
 */
export async function landBatch(db: Database, batch: BatchDescriptor, stage: StageInput, options: LandOptions): Promise<LandResult> {
  const batchId = batchIdFor(batch.source, batch.contentSha256);
  return db.withConnection(async (connection) => {
    const existing = await connection.one<{ status: string }>(sql`select status from ingest.batches where batch_id = ${batchId}`);
    if (existing && existing.status !== 'failed') return { batchId, status: 'skipped', rows: 0, rejected: 0 };
    const startedAt = new Date();
    try {
      return await connection.transaction(async () => {
        if (existing) await connection.run(sql`delete from ingest.batches where batch_id = ${batchId}`);
        const rejection = await stageOrReject(connection, stage, batch);
        if (rejection !== undefined) {
          await writeLedger(connection, batchId, batch, { status: 'rejected', rows: 0, rejected: 0, error: rejection }, startedAt);
          return { batchId, status: 'rejected' as const, rows: 0, rejected: 0, error: rejection };
        }
        const counts = await castAndLand(connection, batchId, batch, options);
        const status = await guardEmptyExtract(connection, batch, counts.rows, options.maxFullDrop);
        const error = status === 'held' ? 'full batch shrank beyond max_full_drop: held until `stocklens ingest --accept`' : undefined;
        await writeLedger(connection, batchId, batch, { status, ...counts, error }, startedAt);
        return { batchId, status, ...counts, error };
      });
    } catch (error) {
      const message = causeMessage(error);
      logger.error({ err: error, batchId, file: batch.file }, 'batch failed');
      await writeLedger(connection, batchId, batch, { status: 'failed', rows: 0, rejected: 0, error: message }, startedAt).catch(() => {});
      return { batchId, status: 'failed', rows: 0, rejected: 0, error: message };
    } finally {
      await connection.run('drop table if exists batch_input').catch(() => {});
    }
  });
}

async function stageOrReject(connection: Connection, stage: StageInput, batch: BatchDescriptor): Promise<string | undefined> {
  try {
    await stage(connection);
  } catch (error) {
    if (error instanceof IngestError) return error.message;
    throw error;
  }
  const present = new Set((await connection.rows<{ column_name: string }>('select column_name from (describe batch_input)')).map((row) => row.column_name));
  const missing = entitySpecs[batch.entity].columns.filter((column) => column.required && !present.has(column.name)).map((column) => column.name);
  if (missing.length > 0) {
    return `missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (a ${batch.entity} file needs ${requiredColumns(batch.entity).join(', ')})`;
  }
  return undefined;
}

function requiredColumns(entity: Entity): string[] {
  return entitySpecs[entity].columns.filter((column) => column.required).map((column) => column.name);
}

/** Casts every row from text, quarantines the rows that fail with the first reason, lands the rest. */
async function castAndLand(connection: Connection, batchId: string, batch: BatchDescriptor, options: LandOptions) {
  const spec = entitySpecs[batch.entity];
  const present = new Set((await connection.rows<{ column_name: string }>('select column_name from (describe batch_input)')).map((row) => row.column_name));
  const typed = spec.columns.map((column) => sql`${typedValue(column, present, batch)} as ${sql.ident(column.name)}`);
  const checks = spec.columns.flatMap((column) => columnChecks(column, present, options, batch));
  const keyColumns = spec.key.filter((name) => present.has(name));
  const duplicateCheck =
    keyColumns.length > 0
      ? sql`when count(*) over (partition by ${sql.join(keyColumns.map((name) => sql.ident('i', name)), ', ')}) > 1 and row_number() over (partition by ${sql.join(keyColumns.map((name) => sql.ident('i', name)), ', ')} order by i.__line) > 1
            then ${`duplicate key (${keyColumns.join(', ')}) within the batch`}`
      : sql``;
  await connection.run(sql`
    create or replace temp table batch_checked as
    select i.__line, ${sql.join(typed, ', ')},
      case ${sql.join(checks.map((check) => sql`when ${check.failed} then ${check.reason}`), sql` `)} ${duplicateCheck} end as __reason,
      case ${sql.join(checks.map((check) => sql`when ${check.failed} then ${check.column}`), sql` `)} end as __column,
      to_json(i) as __raw
    from batch_input i`);
  await connection.run(sql`
    insert into ingest.quarantine (batch_id, line, "column", reason, raw_line)
    select ${batchId}, __line, __column, __reason, __raw::varchar from batch_checked where __reason is not null`);
  const columnNames = spec.columns.map((column) => sql.ident(column.name));
  await connection.run(sql`
    insert into ${sql.ident('raw', spec.table)} (batch_id, source, ${sql.join(columnNames, ', ')}, raw)
    select ${batchId}, ${batch.source}, ${sql.join(columnNames, ', ')}, __raw
    from batch_checked where __reason is null order by __line`);
  const counts = await connection.one<{ rows: number; rejected: number }>(
    'select count(*) filter (where __reason is null) as rows, count(*) filter (where __reason is not null) as rejected from batch_checked',
  );
  await connection.run('drop table batch_checked');
  const unreadable = await landReadRejects(connection, batchId);
  return { rows: Number(counts?.rows ?? 0), rejected: Number(counts?.rejected ?? 0) + unreadable };
}

/** Lines the reader itself could not parse (wrong field count, bad quoting) are quarantined too. */
async function landReadRejects(connection: Connection, batchId: string): Promise<number> {
  const exists = await connection.one<{ n: number }>("select count(*) as n from duckdb_tables() where temporary and table_name = 'batch_read_rejects'");
  if (!exists?.n) return 0;
  await connection.run(sql`insert into ingest.quarantine (batch_id, line, "column", reason, raw_line) select ${batchId}, line, "column", reason, raw_line from batch_read_rejects`);
  const counted = await connection.one<{ n: number }>('select count(*) as n from batch_read_rejects');
  await connection.run('drop table batch_read_rejects');
  return Number(counted?.n ?? 0);
}

function typedValue(column: ColumnSpec, present: Set<string>, batch: BatchDescriptor): SQLQuery {
  if (!present.has(column.name)) {
    if (column.whenAbsent === 'captured_at') return sql`${batch.capturedAt.toISOString()}::timestamptz`;
    return sql.__dangerous__rawValue(`${column.whenAbsent ?? 'null'}::${column.type}`);
  }
  const text = sql`nullif(trim(${sql.ident('i', column.name)}), '')`;
  const cast = sql`try_cast(${text} as ${sql.__dangerous__rawValue(column.type)})`;
  if (column.whenAbsent === 'captured_at') return sql`coalesce(${cast}, ${batch.capturedAt.toISOString()}::timestamptz)`;
  if (column.whenAbsent !== undefined) return sql`coalesce(${cast}, ${sql.__dangerous__rawValue(column.whenAbsent)})`;
  return cast;
}

interface Check {
  column: string;
  failed: SQLQuery;
  reason: SQLQuery;
}

function columnChecks(column: ColumnSpec, present: Set<string>, options: LandOptions, batch: BatchDescriptor): Check[] {
  if (!present.has(column.name)) return [];
  const raw = sql.ident('i', column.name);
  const text = sql`nullif(trim(${raw}), '')`;
  const cast = sql`try_cast(${text} as ${sql.__dangerous__rawValue(column.type)})`;
  const checks: Check[] = [];
  if (column.required) checks.push({ column: column.name, failed: sql`${text} is null`, reason: sql`${`${column.name} is empty`}` });
  const kind = column.type === 'integer' ? 'an integer' : column.type === 'timestamptz' ? 'a timestamp' : column.type.startsWith('decimal') ? 'a number' : undefined;
  if (kind) {
    checks.push({ column: column.name, failed: sql`${text} is not null and ${cast} is null`, reason: sql`${`${column.name}: `} || to_json(${raw})::varchar || ${` is not ${kind}`}` });
  }
  if (column.nonNegative) checks.push({ column: column.name, failed: sql`${cast} < 0`, reason: sql`${`${column.name} is negative: `} || ${raw}` });
  if (column.name === 'location_id' && options.knownLocations.length > 0) {
    checks.push({ column: column.name, failed: sql`${text} is not null and ${text} not in (${sql.join(options.knownLocations.map((id) => sql`${id}`), ', ')})`, reason: sql`${'unknown location '} || to_json(${raw})::varchar` });
  }
  if (column.type === 'timestamptz' && ['captured_at', 'placed_at', 'occurred_at'].includes(column.name)) {
    // A capture from the future is a clock or time-zone error upstream; landing it would poison as-of joins.
    const limit = new Date((options.now ?? new Date()).getTime() + 5 * 60_000).toISOString();
    checks.push({ column: column.name, failed: sql`${cast} > ${limit}::timestamptz`, reason: sql`${`${column.name} is in the future: `} || ${raw}` });
  }
  void batch;
  return checks;
}

/** DESIGN §6 empty-extract guard: a full batch far smaller than the previous full one is held. */
async function guardEmptyExtract(connection: Connection, batch: BatchDescriptor, rows: number, maxFullDrop: number): Promise<BatchStatus> {
  if (batch.entity !== 'stock' || batch.mode !== 'full') return 'landed';
  const previous = await connection.one<{ rows: number }>(sql`
    select rows from ingest.batches
    where source = ${batch.source} and entity = 'stock' and mode = 'full' and status = 'landed' and captured_at < ${batch.capturedAt.toISOString()}::timestamptz
    order by captured_at desc limit 1`);
  if (previous && rows < previous.rows * (1 - maxFullDrop)) return 'held';
  return 'landed';
}

async function writeLedger(
  connection: Connection,
  batchId: string,
  batch: BatchDescriptor,
  outcome: { status: BatchStatus; rows: number; rejected: number; error?: string },
  startedAt: Date,
): Promise<void> {
  await connection.run(sql`
    insert or replace into ingest.batches (batch_id, source, entity, file, mode, captured_at, content_sha256, rows, rejected, status, started_at, finished_at, error)
    values (${batchId}, ${batch.source}, ${batch.entity}, ${batch.file ?? null}, ${batch.mode}, ${batch.capturedAt.toISOString()}::timestamptz,
            ${batch.contentSha256}, ${outcome.rows}, ${outcome.rejected}, ${outcome.status}, ${startedAt.toISOString()}::timestamptz, now(), ${outcome.error ?? null})`);
}
