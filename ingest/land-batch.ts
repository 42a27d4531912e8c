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

/** Where a record of the input sits in its file: the physical line number and the line as written. */
export interface LocatedLine {
  line: number;
  text: string;
}

/** What a stage knows beyond the rows it staged. */
export interface StagedInput {
  /**
   * Maps record numbers (`__row`, 1-based in reading order) of quarantined rows to their line and
   * original text. Without it the quarantine names the record number and the row as JSON.
   */
  locate?: (rows: number[]) => Promise<Map<number, LocatedLine>>;
}

/**
 * Fills the temporary table `batch_input` on the connection: `__row` (the record number, 1-based in
 * reading order), every canonical column present as text, any extra columns the input carries
 * (kept in `raw`), and optionally `__raw` (the vendor's row as JSON, for connectors that map
 * vendor columns). Lines the reader itself refused go to the temporary table `batch_read_rejects`
 * (line, column, reason, raw_line), which exists, empty, when the stage starts. Throws IngestError when the input cannot be read at all.
 */
export type StageInput = (connection: Connection) => Promise<StagedInput | void>;

const internalColumns = new Set(['__row', '__raw']);

/** Deterministic batch id: the same content from the same source is the same batch. */
export function batchIdFor(source: string, contentSha256: string): string {
  return `${source}-${createHash('sha256').update(`${source}\0${contentSha256}`).digest('hex').slice(0, 16)}`;
}

/**
 * Lands one batch in one transaction with its ledger row (DESIGN §6): either the rows, their
 * quarantined rejects and the ledger row all commit, or none of them does.
 */
export async function landBatch(db: Database, batch: BatchDescriptor, stage: StageInput, options: LandOptions): Promise<LandResult> {
  // One batch at a time per process: schedules and webhooks share the database, and two landings
  // of the same batch racing past the ledger check must not both commit.
  const turn = landingQueue.then(() => landBatchNow(db, batch, stage, options));
  landingQueue = turn.catch(() => undefined);
  return turn;
}

let landingQueue: Promise<unknown> = Promise.resolve();

async function landBatchNow(db: Database, batch: BatchDescriptor, stage: StageInput, options: LandOptions): Promise<LandResult> {
  const batchId = batchIdFor(batch.source, batch.contentSha256);
  return db.withConnection(async (connection) => {
    // Timestamps written without an offset are UTC, whatever the machine's zone.
    await connection.run("set TimeZone = 'UTC'");
    const existing = await connection.one<{ status: string }>(sql`select status from ingest.batches where batch_id = ${batchId}`);
    if (existing && existing.status !== 'failed') return { batchId, status: 'skipped', rows: 0, rejected: 0 };
    const startedAt = new Date();
    try {
      return await connection.transaction(async () => {
        if (existing) await connection.run(sql`delete from ingest.batches where batch_id = ${batchId}`);
        const staged = await stageOrReject(connection, stage, batch);
        if (typeof staged === 'string') throw new BatchRejection(staged);
        const counts = await castAndLand(connection, batchId, batch, options, staged);
        const status = await guardEmptyExtract(connection, batch, counts.rows, options.maxFullDrop);
        const error = status === 'held' ? 'full batch shrank beyond max_full_drop: held until `stocklens ingest --accept`' : undefined;
        await writeLedger(connection, batchId, batch, { status, ...counts, error }, startedAt);
        return { batchId, status, ...counts, error };
      });
    } catch (error) {
      if (error instanceof BatchRejection) {
        // A reader error aborts DuckDB's transaction: the rejection is recorded in a fresh one.
        const outcome = { status: 'rejected' as const, rows: 0, rejected: 0, error: error.message };
        await connection.transaction(async () => {
          if (existing) await connection.run(sql`delete from ingest.batches where batch_id = ${batchId}`);
          await writeLedger(connection, batchId, batch, outcome, startedAt);
        });
        return { batchId, ...outcome };
      }
      const message = causeMessage(error);
      logger.error({ err: error, batchId, file: batch.file }, 'batch failed');
      await writeLedger(connection, batchId, batch, { status: 'failed', rows: 0, rejected: 0, error: message }, startedAt, { keepExisting: true }).catch(() => {});
      return { batchId, status: 'failed', rows: 0, rejected: 0, error: message };
    } finally {
      await connection.run('drop table if exists batch_input; drop table if exists batch_checked; drop table if exists batch_read_rejects; drop table if exists batch_lines').catch(() => {});
    }
  });
}

/** The whole batch is refused (unreadable, a required column missing): recorded, never retried. */
class BatchRejection extends Error {}

/** Stages the input; a string is the reason the whole batch is rejected. */
async function stageOrReject(connection: Connection, stage: StageInput, batch: BatchDescriptor): Promise<string | StagedInput & { present: Set<string> }> {
  let staged: StagedInput;
  await connection.run('create or replace temp table batch_read_rejects (line bigint, "column" varchar, reason varchar, raw_line varchar)');
  try {
    staged = (await stage(connection)) ?? {};
  } catch (error) {
    if (error instanceof IngestError && !error.context.transient) return error.message;
    throw error;
  }
  const present = new Set((await connection.rows<{ column_name: string }>('select column_name from (describe batch_input)')).map((row) => row.column_name));
  const spec = entitySpecs[batch.entity];
  const missing = spec.columns.filter((column) => column.required && !present.has(column.name)).map((column) => column.name);
  if (missing.length > 0) {
    return `missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (a ${batch.entity} file needs ${requiredColumns(batch.entity).join(', ')})`;
  }
  const uncovered = (spec.oneOf ?? []).find((group) => !group.some((name) => present.has(name)));
  if (uncovered) return `missing column: a ${batch.entity} file needs ${uncovered.join(' or ')}`;
  return { ...staged, present };
}

function requiredColumns(entity: Entity): string[] {
  return entitySpecs[entity].columns.filter((column) => column.required).map((column) => column.name);
}

/** Casts every row from text, quarantines the rows that fail with the first reason, lands the rest. */
async function castAndLand(connection: Connection, batchId: string, batch: BatchDescriptor, options: LandOptions, staged: StagedInput & { present: Set<string> }) {
  const spec = entitySpecs[batch.entity];
  const present = staged.present;
  const canonical = new Set(spec.columns.map((column) => column.name));
  const inputColumns = [...present].filter((name) => !internalColumns.has(name));
  const extras = inputColumns.filter((name) => !canonical.has(name));
  const cells = spec.columns.filter((column) => present.has(column.name));
  const typed = spec.columns.map((column) => sql`${typedValue(column, present, batch)} as ${sql.ident(column.name)}`);
  const checks = spec.columns.flatMap((column) => columnChecks(column, present, options));
  const keyColumns = spec.key.filter((name) => present.has(name));
  if (keyColumns.length > 0) {
    checks.push({ column: null, failed: sql`__duplicate`, reason: sql`${`duplicate key (${keyColumns.join(', ')}) within the batch`}` });
  }
  // Later rows repeating a key are the duplicates: found with an aggregate and a hash join, which
  // costs far less than a window partitioned by the key on every batch.
  const duplicate =
    keyColumns.length > 0
      ? {
          flag: sql`coalesce(i.__row > d.__first_row, false)`,
          join: sql`left join (
            select ${sql.join(keyColumns.map((name) => sql.ident(name)), ', ')}, min(__row) as __first_row
            from batch_input group by all having count(*) > 1
          ) d on ${sql.join(keyColumns.map((name) => sql`d.${sql.ident(name)} is not distinct from i.${sql.ident(name)}`), ' AND ')}`,
        }
      : { flag: sql`false`, join: sql`` };
  // raw keeps what the canonical columns cannot: the vendor's own row, or the columns a file carries
  // beyond the canonical ones (DESIGN §6: unknown extra columns are kept).
  const rawValue = present.has('__raw') ? sql`i.__raw::json` : extras.length > 0 ? sql`to_json(${packColumns(extras)})` : sql`null::json`;
  // Each cell is trimmed and cast once (text "t:<name>", value "v:<name>"); the checks and the
  // landed values read those, so the statement stays small whatever the number of checks.
  const failure = checks.length > 0 ? sql`case ${sql.join(checks.map((check) => sql`when ${check.failed} then [${check.column === null ? sql`null::varchar` : sql`${check.column}`}, ${check.reason}]`), sql` `)} end` : sql`null::varchar[]`;
  await connection.run(sql`
    create or replace temp table batch_checked as
    with cells as (
      select i.__row, ${duplicate.flag} as __duplicate, ${rawValue} as raw
        ${sql.join(cells.map((column) => sql`, ${textOf(column)} as ${sql.ident(`t:${column.name}`)}, ${strictCast(textOf(column), column)} as ${sql.ident(`v:${column.name}`)}`), sql` `)}
      from batch_input i ${duplicate.join}
    ), failures as (
      select __row, ${sql.join(typed, ', ')}, ${failure} as __failure, raw from cells
    )
    select * exclude (__failure), __failure[1] as __column, __failure[2] as __reason from failures`);
  const counts = await connection.one<{ rows: number; rejected: number }>(
    'select count(*) filter (where __reason is null) as rows, count(*) filter (where __reason is not null) as rejected from batch_checked',
  );
  const rejected = Number(counts?.rejected ?? 0);
  if (rejected > 0) await quarantineRows(connection, batchId, staged, packColumns(inputColumns, 'i'));
  const columnNames = spec.columns.map((column) => sql.ident(column.name));
  await connection.run(sql`
    insert into ${sql.ident('raw', spec.table)} (batch_id, source, ${sql.join(columnNames, ', ')}, raw)
    select ${batchId}, ${batch.source}, ${sql.join(columnNames, ', ')}, raw
    from batch_checked where __reason is null order by __row`);
  await connection.run('drop table batch_checked');
  const unreadable = await landReadRejects(connection, batchId);
  return { rows: Number(counts?.rows ?? 0), rejected: rejected + unreadable };
}

function packColumns(names: string[], alias = 'i'): SQLQuery {
  if (names.length === 0) return sql`null`;
  return sql`struct_pack(${sql.join(names.map((name) => sql`${sql.ident(name)} := ${sql.ident(alias, name)}`), ', ')})`;
}

/**
 * Writes the rejected rows to the quarantine with the line they came from: the stage's locator
 * gives the physical line and its original text; without one, the record number and the row as JSON.
 */
async function quarantineRows(connection: Connection, batchId: string, staged: StagedInput, packedInput: SQLQuery): Promise<void> {
  await connection.run('create or replace temp table batch_lines (__row bigint, line bigint, text varchar)');
  if (staged.locate) {
    const rows = (await connection.rows<{ __row: number }>('select __row from batch_checked where __reason is not null order by __row')).map((row) => Number(row.__row));
    const located = await staged.locate(rows);
    const appender = await connection.appender('main', 'batch_lines', 'temp');
    for (const [row, { line, text }] of located) {
      appender.appendBigInt(BigInt(row));
      appender.appendBigInt(BigInt(line));
      appender.appendVarchar(text);
      appender.endRow();
    }
    appender.closeSync();
  }
  await connection.run(sql`
    insert into ingest.quarantine (batch_id, line, "column", reason, raw_line)
    select ${batchId}, coalesce(l.line, c.__row), c.__column, c.__reason, coalesce(l.text, to_json(${packedInput})::varchar)
    from batch_checked c
    join batch_input i using (__row)
    left join batch_lines l using (__row)
    where c.__reason is not null
    order by c.__row`);
}

/** Lines the reader itself could not parse (wrong field count, bad quoting) are quarantined too. */
async function landReadRejects(connection: Connection, batchId: string): Promise<number> {
  const counted = Number((await connection.one<{ n: number }>('select count(*) as n from batch_read_rejects'))?.n ?? 0);
  if (counted > 0) {
    await connection.run(sql`insert into ingest.quarantine (batch_id, line, "column", reason, raw_line) select ${batchId}, line, "column", reason, raw_line from batch_read_rejects`);
  }
  return counted;
}

// The ::varchar is free on text and lets typed staging (integers from an API) share every check.
const textOf = (column: ColumnSpec) => sql`nullif(trim(${sql.ident('i', column.name)}::varchar), '')`;
const text = (column: ColumnSpec) => sql.ident(`t:${column.name}`);
const value = (column: ColumnSpec) => sql.ident(`v:${column.name}`);

function typedValue(column: ColumnSpec, present: Set<string>, batch: BatchDescriptor): SQLQuery {
  if (!present.has(column.name)) {
    if (column.whenAbsent === 'captured_at') return sql`${batch.capturedAt.toISOString()}::timestamptz`;
    return sql.__dangerous__rawValue(`${column.whenAbsent ?? 'null'}::${column.type}`);
  }
  if (column.whenAbsent === 'captured_at') return sql`coalesce(${value(column)}, ${batch.capturedAt.toISOString()}::timestamptz)`;
  if (column.whenAbsent !== undefined) return sql`coalesce(${value(column)}, ${sql.__dangerous__rawValue(column.whenAbsent)})`;
  return value(column);
}

/**
 * DuckDB's cast to integer accepts 2.5 (rounding it), 1e3, 0x1F and 1_000: a quantity must be
 * written as plain digits, anything else is quarantined rather than silently reinterpreted.
 */
function strictCast(cellText: SQLQuery, column: ColumnSpec): SQLQuery {
  const cast = sql`try_cast(${cellText} as ${sql.__dangerous__rawValue(column.type)})`;
  return column.type === 'integer' ? sql`case when regexp_full_match(${cellText}, '[+-]?[0-9]+') then ${cast} end` : cast;
}

interface Check {
  column: string | null;
  failed: SQLQuery;
  reason: SQLQuery;
}

/** The checks of one present column, over its trimmed text and cast value, in the order they are reported. */
function columnChecks(column: ColumnSpec, present: Set<string>, options: LandOptions): Check[] {
  if (!present.has(column.name)) return [];
  const [cellText, cast] = [text(column), value(column)];
  const checks: Check[] = [];
  if (column.required || column.notEmpty) checks.push({ column: column.name, failed: sql`${cellText} is null`, reason: sql`${`${column.name} is empty`}` });
  const kind = column.type === 'integer' ? 'an integer' : column.type === 'timestamptz' ? 'a timestamp' : column.type.startsWith('decimal') ? 'a number' : undefined;
  if (kind) {
    checks.push({ column: column.name, failed: sql`${cellText} is not null and ${cast} is null`, reason: sql`${`${column.name}: `} || to_json(${cellText})::varchar || ${` is not ${kind}`}` });
  }
  if (column.nonNegative) checks.push({ column: column.name, failed: sql`${cast} < 0`, reason: sql`${`${column.name} is negative: `} || ${cellText}` });
  if (column.name === 'location_id' && options.knownLocations.length > 0) {
    checks.push({ column: column.name, failed: sql`${cellText} is not null and ${cellText} not in (${sql.join(options.knownLocations.map((id) => sql`${id}`), ', ')})`, reason: sql`${'unknown location '} || to_json(${cellText})::varchar` });
  }
  if (column.type === 'timestamptz' && ['captured_at', 'placed_at', 'occurred_at'].includes(column.name)) {
    // A capture from the future is a clock or time-zone error upstream; landing it would poison as-of joins.
    const limit = new Date((options.now ?? new Date()).getTime() + 5 * 60_000).toISOString();
    checks.push({ column: column.name, failed: sql`${cast} > ${limit}::timestamptz`, reason: sql`${`${column.name} is in the future: `} || ${cellText}` });
  }
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
  { keepExisting = false } = {},
): Promise<void> {
  // A failure is recorded only where no outcome exists: it must never overwrite a landed batch.
  const verb = keepExisting ? sql`insert or ignore` : sql`insert or replace`;
  await connection.run(sql`
    ${verb} into ingest.batches (batch_id, source, entity, file, mode, captured_at, content_sha256, rows, rejected, status, started_at, finished_at, error)
    values (${batchId}, ${batch.source}, ${batch.entity}, ${batch.file ?? null}, ${batch.mode}, ${batch.capturedAt.toISOString()}::timestamptz,
            ${batch.contentSha256}, ${outcome.rows}, ${outcome.rejected}, ${outcome.status}, ${startedAt.toISOString()}::timestamptz, now(), ${outcome.error ?? null})`);
}
