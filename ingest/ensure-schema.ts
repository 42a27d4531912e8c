import { readFileSync } from 'node:fs';
import type { Database } from '../db/database.ts';

const schemaSql = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');

/**
 * Creates the raw and ingest schemas when they are missing; safe to run at every start. Callers
 * on one database share one run: two transactions creating the same tables at once conflict in
 * DuckDB's catalog even with `if not exists` (sources landing side by side start together).
 */
export async function ensureLandingSchema(db: Database): Promise<void> {
  let created = ensured.get(db);
  if (!created) {
    created = db.run(schemaSql);
    ensured.set(db, created);
    created.catch(() => ensured.delete(db));
  }
  await created;
}

const ensured = new WeakMap<Database, Promise<void>>();
