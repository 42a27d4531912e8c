import { Command } from 'commander';
import { configFrom, type GlobalOptions } from '../context.ts';
import { say } from '../terminal.ts';
import { nothingRun, report, runModelsHereOrInServer, threadCount, type RunFlags } from './build-command.ts';

export function retryCommand(): Command {
  return new Command('retry')
    .description('rebuild what the last build left undone: its failed, skipped and unfinished models')
    .option('--threads <n>', 'models built at once, each on its own connection (default: models.threads in the config, 2)', threadCount)
    .option('--fail-fast', 'stop starting models after the first failure')
    .action(async (flags: RunFlags, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      let nothing = false;
      const summary = await report('retry', async () => {
        const retried = await runModelsHereOrInServer(config, 'retry', flags);
        nothing = !retried;
        return retried ?? nothingRun;
      });
      if (nothing) say('nothing to retry: the last build finished every model');
      if (!summary.ok) process.exitCode = 1;
    });
}
