import { Command } from 'commander';
import { configFrom, type GlobalOptions } from '../context.ts';
import { nothingRun, report, runModelsHereOrInServer, withRunFlags, type RunFlags } from './build-command.ts';

export function testCommand(): Command {
  return withRunFlags(new Command('test').description('run the models\' data tests and source freshness checks against what is published'))
    .action(async (flags: RunFlags, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const summary = await report('test', async () => (await runModelsHereOrInServer(config, 'test', flags)) ?? nothingRun);
      if (!summary.ok) process.exitCode = 1;
    });
}
