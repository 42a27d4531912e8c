import { Command } from 'commander';
import { formatDuration } from '../../core/duration.ts';
import type { Config } from '../../core/load-config.ts';
import type { Database } from '../../db/database.ts';
import { buildModels, type BuildSummary } from '../../models/runner/build.ts';
import { configFrom, openDatabase, type GlobalOptions } from '../context.ts';
import { progressLine, say } from '../terminal.ts';

export function buildCommand(): Command {
  return new Command('build')
    .description('build the SQL models (staging, intermediate, marts) in dependency order')
    .action(async (_options: object, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const db = await openDatabase(config, { mustExist: true });
      const summary = await buildWithProgress(config, db);
      if (!summary.ok) process.exitCode = 1;
    });
}

export async function buildWithProgress(config: Config, db: Database): Promise<BuildSummary> {
  const progress = progressLine('build');
  const started = Date.now();
  const summary = await buildModels(config, db, { onNode: (result, done, total) => progress.update(done, total, result.node) });
  progress.done();
  const failed = summary.results.filter((result) => result.status !== 'success');
  for (const result of failed) say(`${result.status === 'skipped' ? 'skipped' : 'FAILED'} ${result.node}: ${result.error}`);
  say(`built ${summary.results.length - failed.length} of ${summary.results.length} models in ${formatDuration(Date.now() - started)}`);
  return summary;
}
