import { Command, CommanderError, Option } from 'commander';
import { StocklensError } from '../core/errors.ts';
import { setLogFormat, setVerbose, type LogFormat } from '../core/logger.ts';
import { Database } from '../db/database.ts';
import { alertsCommand } from './commands/alerts-command.ts';
import { buildCommand } from './commands/build-command.ts';
import { demoCommand } from './commands/demo-command.ts';
import { generateCommand } from './commands/generate-command.ts';
import { ingestCommand } from './commands/ingest-command.ts';
import { retryCommand } from './commands/retry-command.ts';
import { serveCommand } from './commands/serve-command.ts';
import { sqlCommand } from './commands/sql-command.ts';
import { testCommand } from './commands/test-command.ts';
import { tokenCommand } from './commands/token-command.ts';
import { say } from './terminal.ts';

const program = new Command('stocklens')
  .description('Stocklens: which stock can we actually sell, where, and which system is wrong?')
  .option('-c, --config <file>', 'config file', 'stocklens.config.yaml')
  .option('-v, --verbose', 'every log entry on stderr, and stack traces')
  .addOption(new Option('--log-format <format>', 'logs on stderr as one readable line each, or JSON (default: text on a terminal, else json)').choices(['text', 'json']))
  .showHelpAfterError()
  .exitOverride()
  .hook('preAction', (command) => {
    const options = command.opts<{ verbose?: boolean; logFormat?: LogFormat }>();
    if (options.verbose) setVerbose();
    if (options.logFormat) setLogFormat(options.logFormat);
  });

for (const command of [demoCommand(), generateCommand(), ingestCommand(), buildCommand(), testCommand(), retryCommand(), serveCommand(), sqlCommand(), tokenCommand(), alertsCommand()]) {
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
  else if (program.opts().verbose) say(`stocklens: unexpected error: ${error instanceof Error ? error.stack : String(error)}`);
  else say(`stocklens: unexpected error: ${error instanceof Error ? error.message : String(error)} (run again with --verbose for the stack trace)`);
  await Database.closeAll();
  process.exit(error instanceof StocklensError ? error.exitCode : 1);
}
