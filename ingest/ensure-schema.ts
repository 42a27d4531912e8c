import { readFileSync } from 'node:fs';
import type { Database } from '../db/database.ts';

const schemaSql = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');

/** Creates the raw and ingest schemas when they are missing; safe to run at every start. */
export async function ensureLandingSchema(db: Database): Promise<void> {
  await db.run(schemaSql);
}
