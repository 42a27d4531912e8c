import type { Config } from '../../core/load-config.ts';
import type { Database } from '../../db/database.ts';
import { buildModels, testModels, type BuildOptions, type BuildSummary } from './build.ts';
import { retryModels } from './retry.ts';

export const modelCommands = ['build', 'test', 'retry'] as const;
export type ModelCommand = (typeof modelCommands)[number];

/**
 * `stocklens build|test|retry` on a database this process holds (the CLI's own, or the serving
 * process's for a command sent over HTTP). Undefined when a retry finds nothing left to do.
 */
export function runModelCommand(config: Config, db: Database, command: ModelCommand, options: BuildOptions): Promise<BuildSummary | undefined> {
  if (command === 'test') return testModels(config, db, options);
  if (command === 'retry') return retryModels(config, db, options);
  return buildModels(config, db, options);
}
