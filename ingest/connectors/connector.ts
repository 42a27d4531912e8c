import type { SourceConfig } from '../../core/config-schema.ts';
import type { Config } from '../../core/load-config.ts';
import type { BatchDescriptor, StageInput } from '../land-batch.ts';

/** A batch a connector found and can stage: the descriptor for the ledger and how to read it. */
export interface PendingBatch extends BatchDescriptor {
  stage: StageInput;
}

/** Every connector turns its system's export into pending batches of canonical entities. */
export interface Connector {
  listBatches(): Promise<PendingBatch[]>;
}

export type ConnectorFactory = (source: SourceConfig, config: Config) => Connector;
