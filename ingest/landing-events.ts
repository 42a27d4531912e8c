import { EventEmitter } from 'node:events';
import type { SourceSummary } from './run-ingest.ts';

/**
 * Tells the serving process that batches landed, whoever landed them (a schedule, a catch-up run,
 * a webhook), so it can run an incremental model build.
 */
export const landingEvents = new EventEmitter<{ landed: [SourceSummary] }>();
