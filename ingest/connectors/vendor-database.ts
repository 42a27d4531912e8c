import type { SourceConfig } from '../../core/config-schema.ts';
import { IngestError, causeMessage } from '../../core/errors.ts';
import type { PendingBatch } from '../batch-contract.ts';
import { isTransient, retryPolicyFor, withRetry } from '../retry.ts';
import { rowsBatch, type FetchedRows } from '../stage-rows.ts';

export type DatabaseSettings = NonNullable<SourceConfig['database']>;

/**
 * The skeleton of a connector reading an ERP's own database (ERPNext in MariaDB, Odoo in
 * PostgreSQL): one query for the whole stock picture, retried on transient failures, a failure
 * naming the system, host and database; the rows land as one full stock batch captured when the
 * read began.
 */
export async function vendorDatabaseSnapshot<T>(
  source: SourceConfig,
  system: string,
  read: (settings: DatabaseSettings) => Promise<T>,
  toRows: (records: T) => FetchedRows,
): Promise<PendingBatch[]> {
  const settings = source.database!;
  const capturedAt = new Date();
  const records = await withRetry(async () => {
    try {
      return await read(settings);
    } catch (error) {
      throw new IngestError(`source ${source.name}: ${system} database ${settings.host}/${settings.database}: ${causeMessage(error)}`, { source: source.name, transient: isTransient(error) }, { cause: error });
    }
  }, retryPolicyFor(source));
  return [rowsBatch({ source: source.name, entity: 'stock', mode: 'full', capturedAt }, toRows(records))];
}
