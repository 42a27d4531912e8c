import { IngestError } from '../core/errors.ts';
import { sql, type Database } from '../db/database.ts';
import { ensureLandingSchema } from './ensure-schema.ts';

/**
 * `stocklens ingest --accept BATCH`: releases a batch the empty-extract guard held, so the models
 * use it. Only a held batch can be accepted; anything else is an operator's mistake worth naming.
 */
export async function acceptBatch(db: Database, batchId: string): Promise<{ batchId: string; source: string; rows: number }> {
  await ensureLandingSchema(db);
  return db.transaction(async (connection) => {
    const batch = await connection.one<{ source: string; status: string; rows: number }>(sql`select source, status, rows from ingest.batches where batch_id = ${batchId}`);
    if (!batch) throw new IngestError(`no batch ${batchId} (see \`stocklens sql "select batch_id, source, status from ingest.batches where status = 'held'"\`)`, { batch: batchId });
    if (batch.status !== 'held') throw new IngestError(`batch ${batchId} is ${batch.status}, not held: only a held batch can be accepted`, { batch: batchId });
    await connection.run(sql`update ingest.batches set status = 'landed', error = coalesce(error, '') || ${` (accepted ${new Date().toISOString()})`} where batch_id = ${batchId}`);
    return { batchId, source: batch.source, rows: Number(batch.rows) };
  });
}
