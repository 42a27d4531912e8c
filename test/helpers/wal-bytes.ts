import { existsSync, statSync } from 'node:fs';

/** The size of a DuckDB file's write-ahead log: 0 once a checkpoint has folded it into the file. */
export function walBytes(databaseFile: string): number {
  const wal = `${databaseFile}.wal`;
  return existsSync(wal) ? statSync(wal).size : 0;
}
