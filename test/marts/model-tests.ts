import type { Config } from '../../core/load-config.ts';
import type { Database } from '../../db/database.ts';
import { testModels } from '../../models/runner/build.ts';

export interface FailedCheck {
  node: string;
  test: string;
  status: string;
  failures?: number;
  error?: string;
}

/**
 * Runs every model's header tests and the singular tests through the runner (`stocklens test`)
 * against what is published, and returns the ones that did not pass, warnings included.
 */
export async function runModelTests(config: Config, db: Database): Promise<FailedCheck[]> {
  const summary = await testModels(config, db);
  return summary.tests
    .filter((outcome) => outcome.status !== 'pass')
    .map(({ node, test, status, failures, error }) => ({ node, test, status, failures, error }));
}
