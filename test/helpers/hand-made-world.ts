import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { type Config, parseConfig } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { runIngest, type SourceSummary } from '../../ingest/run-ingest.ts';
import { buildModels } from '../../models/runner/build.ts';

export interface HandMadeWorld {
  config: Config;
  db: Database;
  summaries: SourceSummary[];
}

/**
 * A world written by hand, every figure checkable against its files: writes `files` (a path under
 * `dir` → its content) and the config, lands every file through the configured connectors and
 * builds the models, failing the set-up when a model does not build. The caller closes `db`.
 */
export async function landAndBuild(dir: string, configText: string, files: Record<string, string>): Promise<HandMadeWorld> {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content.endsWith('\n') ? content : `${content}\n`);
  }
  const config = parseConfig(configText, path.join(dir, 'stocklens.config.yaml'));
  const db = await Database.open(config.databaseFile);
  const summaries = await runIngest(config, db);
  const build = await buildModels(config, db);
  expect(build.results.filter((result) => result.status !== 'success')).toEqual([]);
  return { config, db, summaries };
}
