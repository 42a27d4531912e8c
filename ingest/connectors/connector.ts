import type { SourceConfig } from '../../core/config-schema.ts';
import type { Config } from '../../core/load-config.ts';
import type { LandableBatch } from '../land-batch.ts';

/**
 * A batch a connector found and can stage: the descriptor for the ledger, how to read it alone and,
 * for a file that can be read together with others of its source, how (`read`).
 */
export type PendingBatch = LandableBatch;

/** Every connector turns its system's export into pending batches of canonical entities. */
export interface Connector {
  listBatches(): Promise<PendingBatch[]>;
}

export type ConnectorFactory = (source: SourceConfig, config: Config) => Connector;
