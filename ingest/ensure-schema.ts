import { readFileSync } from 'node:fs';
import { sql, type Database } from '../db/database.ts';
import { entitySpecs, quantityType } from './entities.ts';

const schemaSql = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');

/**
 * Creates the raw and ingest schemas when they are missing; safe to run at every start. Callers
 * on one database share one run: two transactions creating the same tables at once conflict in
 * DuckDB's catalog even with `if not exists` (sources landing side by side start together).
 */
export async function ensureLandingSchema(db: Database): Promise<void> {
  let created = ensured.get(db);
  if (!created) {
    created = db.run(schemaSql).then(() => widenQuantities(db)).then(() => allowKeptStates(db)).then(() => addFileStamps(db));
    ensured.set(db, created);
    created.catch(() => ensured.delete(db));
  }
  await created;
}

const ensured = new WeakMap<Database, Promise<void>>();

/**
 * A database created when quantities were integers (stock figures, order line quantities, event
 * deltas) gets those columns widened to decimal in place (once: a widened table is left alone), so
 * decimal quantities land unrounded.
 */
async function widenQuantities(db: Database): Promise<void> {
  for (const spec of Object.values(entitySpecs)) {
    const quantities = spec.columns.filter((column) => column.type === quantityType).map((column) => column.name);
    const narrow = await db.rows<{ column_name: string }>(sql`
      select column_name from information_schema.columns
      where table_schema = 'raw' and table_name = ${spec.table} and data_type = 'INTEGER' and column_name in (${sql.join(quantities.map((name) => sql`${name}`), ', ')})`);
    for (const { column_name: name } of narrow) {
      await db.run(sql`alter table ${sql.ident('raw', spec.table)} alter column ${sql.ident(name)} type ${sql.__dangerous__rawValue(quantityType)}`);
    }
  }
}

/**
 * A database created before delta files kept the states they leave out gets those columns made
 * nullable (once), so a delta can land "not stated" for them.
 */
async function allowKeptStates(db: Database): Promise<void> {
  const spec = entitySpecs.stock;
  const kept = spec.columns.filter((column) => column.keptInDelta).map((column) => column.name);
  const required = await db.rows<{ column_name: string }>(sql`
    select column_name from information_schema.columns
    where table_schema = 'raw' and table_name = ${spec.table} and is_nullable = 'NO' and column_name in (${sql.join(kept.map((name) => sql`${name}`), ', ')})`);
  for (const { column_name: name } of required) await db.run(sql`alter table ${sql.ident('raw', spec.table)} alter column ${sql.ident(name)} drop not null`);
}

/**
 * A ledger created before batches kept their file's size and modification time gets the two
 * columns (null in its earlier rows: those files are hashed once more, then recorded).
 */
async function addFileStamps(db: Database): Promise<void> {
  const present = new Set(
    (await db.rows<{ column_name: string }>(sql`select column_name from information_schema.columns where table_schema = 'ingest' and table_name = 'batches'`)).map((row) => row.column_name),
  );
  if (!present.has('file_size_bytes')) await db.run('alter table ingest.batches add column file_size_bytes bigint');
  if (!present.has('file_mtime_ms')) await db.run('alter table ingest.batches add column file_mtime_ms double');
}

/**
 * Runs a previous process left `running` (it was killed mid-landing; its batches rolled back) are
 * closed as `interrupted`; only the process that owns the database may call it, when it starts.
 */
export async function closeInterruptedIngestRuns(db: Database): Promise<number> {
  await ensureLandingSchema(db);
  const closed = await db.rows(sql`
    update ingest.runs set status = 'interrupted', finished_at = now(), error = 'the process stopped before the run finished (killed or crashed); its batches were not landed'
    where status = 'running' returning run_id`);
  return closed.length;
}
