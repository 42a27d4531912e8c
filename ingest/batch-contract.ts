import type { Connection } from '../db/database.ts';
import type { Entity } from './entities.ts';
import type { FileStamp } from './files/drop-folder.ts';

/**
 * What connectors hand the landing: a batch's descriptor and how to stage its rows. Connectors
 * build these; the landing consumes them; neither reaches into the other's implementation.
 */

export interface BatchDescriptor {
  source: string;
  entity: Entity;
  file?: string;
  mode: 'full' | 'delta';
  capturedAt: Date;
  contentSha256: string;
  /** The file's size and modification time as it was read; the ledger keeps them so an unchanged file is not read again. */
  fileStamp?: FileStamp;
}

/** Where a record of the input sits in its file: the physical line number and the line as written. */
export interface LocatedLine {
  line: number;
  text: string;
}

/** What a stage knows beyond the rows it staged. */
export interface StagedInput {
  /**
   * Maps record numbers (`__row`) of quarantined rows of
   * one batch (`__batch`) to their line and original text. Without it the quarantine names the
   * record number and the row as JSON.
   */
  locate?: (batch: number, rows: number[]) => Promise<Map<number, LocatedLine>>;
}

/**
 * Fills the staging table `batchInput` on the connection; lines the reader itself refused go to
 * `batchReadRejects`, which exists, empty, when the stage starts (both declared in
 * staging-tables.ts). Throws IngestError when the input cannot be read at all.
 */
export type StageInput = (connection: Connection) => Promise<StagedInput | void>;

/**
 * How a file batch can be read together with others: batches whose reads share a key (same entity,
 * format, header and delimiter) are staged by one read of all their files, in the order given.
 */
export interface GroupRead {
  key: string;
  stage: (files: string[]) => StageInput;
}

/**
 * A batch a connector found and can stage: the descriptor for the ledger, how to read it alone and,
 * for a file that can be read together with others of its source, how (`read`).
 */
export interface PendingBatch extends BatchDescriptor {
  stage: StageInput;
  read?: GroupRead;
  /** What the connector noticed reading this batch and landed around; the run reports each once. */
  warnings?: readonly string[];
}
