import { Command, CommanderError } from 'commander';
import { StocklensError } from '../core/errors.ts';
import { setLogLevel } from '../core/logger.ts';
import { Database } from '../db/database.ts';
import { buildCommand } from './commands/build-command.ts';
import { demoCommand } from './commands/demo-command.ts';
import { generateCommand } from './commands/generate-command.ts';
import { ingestCommand } from './commands/ingest-command.ts';
import { serveCommand } from './commands/serve-command.ts';
import { sqlCommand } from './commands/sql-command.ts';
import { tokenCommand } from './commands/token-command.ts';
import { say } from './terminal.ts';

const program = new Command('stocklens')
  .description('Stocklens: which stock can we actually sell, where, and which system is wrong?')
  .option('-c, --config <file>', 'config file', 'stocklens.config.yaml')
  .option('-v, --verbose', 'structured logs on stderr')
  .showHelpAfterError()
  .exitOverride()
  .hook('preAction', (command) => {
    if (command.opts().verbose) setLogLevel('info');
  });

for (const command of [demoCommand(), generateCommand(), ingestCommand(), buildCommand(), serveCommand(), sqlCommand(), tokenCommand()]) {
  program.addCommand(command.showHelpAfterError().exitOverride());
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help); only the exit code is left to set.
    await Database.closeAll();
    process.exit(error.exitCode);
  }
  if (error instanceof StocklensError) say(`stocklens: ${error.message}`);
  else if (error instanceof Error && !(error as NodeJS.ErrnoException).code && error.constructor === Error) say(`stocklens: ${error.message}`);
  else say(`stocklens: unexpected error: ${error instanceof Error ? error.stack : String(error)}`);
  await Database.closeAll();
  process.exit(error instanceof StocklensError ? error.exitCode : 1);
}
