import { Command } from 'commander';
import { testModels } from '../../models/runner/build.ts';
import { configFrom, openDatabase, type GlobalOptions } from '../context.ts';
import { report, runOptions, withProgress, withRunFlags, type RunFlags } from './build-command.ts';

export function testCommand(): Command {
  return withRunFlags(new Command('test').description('run the models\' data tests and source freshness checks against what is published'))
    .action(async (flags: RunFlags, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const db = await openDatabase(config, { mustExist: true });
      const summary = await report('test', () => testModels(config, db, withProgress(runOptions(flags))));
      if (!summary.ok) process.exitCode = 1;
    });
}
