import { onTestFinished } from 'vitest';
import { Database } from '../../db/database.ts';

/**
 * Opens a database file for the running test and closes it when the test ends, passed or failed:
 * a failed expect must not leave the file locked for the next test.
 */
export async function openTestDb(file: string): Promise<Database> {
  const db = await Database.open(file);
  onTestFinished(() => db.closeSync());
  return db;
}
