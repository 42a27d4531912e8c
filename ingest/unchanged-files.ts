import { sql, type Database } from '../db/database.ts';
import type { FileStamp } from './files/drop-folder.ts';
import { skippedResult, type BatchStatus, type LandResult } from './land-batch.ts';

/** A file found unchanged, and what its batch comes to this run (skipped, with its earlier rejection if it was rejected). */
export interface UnchangedFile {
  file: string;
  result: LandResult;
}

/**
 * The files of one source whose batches the ledger has decided (landed, skipped, held or
 * rejected), by path, size and modification time as they were read. A file listed with the same
 * stamp is the same file: its connector leaves it out instead of reading and hashing it again, and
 * the run reports it with its earlier outcome. A file rewritten in place changes its size or
 * modification time and is read again; a failed batch is retried; a batch recorded without a stamp
 * (landed before the ledger kept them) never matches, so its file is hashed once more and stamped.
 * One run owns an instance: `claim` records each match for that run's summary.
 */
export class UnchangedFiles {
  readonly claimed: UnchangedFile[] = [];

  private constructor(private readonly decided: Map<string, LandResult>) {}

  static async load(db: Database, source: string): Promise<UnchangedFiles> {
    const rows = await db.rows<{ batch_id: string; file: string; file_size_bytes: number; file_mtime_ms: number; status: BatchStatus; error: string | null }>(sql`
      select batch_id, file, file_size_bytes, file_mtime_ms, status, error from ingest.batches
      where source = ${source} and file is not null and file_size_bytes is not null and file_mtime_ms is not null
        and status in ('landed', 'skipped', 'held', 'rejected')`);
    return new UnchangedFiles(new Map(rows.map((row) => [keyOf(row.file, { sizeBytes: Number(row.file_size_bytes), mtimeMs: row.file_mtime_ms }), skippedResult(row.batch_id, row)])));
  }

  /** Whether the file is unchanged since its batch was decided; a match is kept in `claimed`. */
  claim(file: string, stamp: FileStamp | undefined): boolean {
    const result = stamp && this.decided.get(keyOf(file, stamp));
    if (!result) return false;
    this.claimed.push({ file, result });
    return true;
  }
}

const keyOf = (file: string, stamp: FileStamp) => `${file}\0${stamp.sizeBytes}\0${stamp.mtimeMs}`;
