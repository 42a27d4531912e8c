import type { SourceConfig } from '../../core/config-schema.ts';
import type { Config } from '../../core/load-config.ts';
import type { PendingBatch } from '../batch-contract.ts';
import type { UnchangedFiles } from '../unchanged-files.ts';

/** A file in a source's folder that the connector will not land (its name says nothing it can read), and what to do about it. */
export interface IgnoredFile {
  file: string;
  reason: string;
  fix: string;
  /** Not left aside for good: still changing within the source's quiet_period, taken once it is quiet. */
  waiting?: boolean;
}

/**
 * Every connector turns its system's export into pending batches of canonical entities. A file
 * connector reports each file of its folder it leaves aside through `ignore`, so that the user
 * sees it in the ingest summary and on Data health instead of losing it silently, and leaves out
 * each file `unchanged` claims (the ledger decided it as it is now) without reading it.
 */
export interface Connector {
  listBatches(ignore?: (file: IgnoredFile) => void, unchanged?: UnchangedFiles): Promise<PendingBatch[]>;
}

export type ConnectorFactory = (source: SourceConfig, config: Config) => Connector;
