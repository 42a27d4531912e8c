import { Command, CommanderError, Option } from 'commander';
import { StocklensError } from '../core/errors.ts';
import { setLogFormat, setVerbose, type LogFormat } from '../core/logger.ts';
import { say } from './terminal.ts';

/**
 * Every command by name, with the line `stocklens --help` shows and how to load it. Only the
 * command asked for is imported: each one pulls in its stage (DuckDB, express, the simulator), and
 * importing them all made every call pay for all of them.
 */
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  init: { summary: 'look at a folder of exports and write a stocklens.config.yaml that ingests, builds and serves them', load: async () => (await import('./commands/init-command.ts')).initCommand() },
  doctor: { summary: 'check the config and the drop folders: sources never compared, locations without a truth, missing folders, files no connector reads', load: async () => (await import('./commands/doctor-command.ts')).doctorCommand() },
  demo: { summary: 'generate the demo data and config into a folder, ingest it, build the models and serve the dashboard', load: async () => (await import('./commands/demo-command.ts')).demoCommand() },
  generate: { summary: "simulate a multi-warehouse business: every system's files, a config wiring them and the ground truth", load: async () => (await import('./commands/generate-command.ts')).generateCommand() },
  ingest: { summary: 'land every new batch of the configured sources into the database', load: async () => (await import('./commands/ingest-command.ts')).ingestCommand() },
  build: { summary: 'build the SQL models (staging, intermediate, marts) in dependency order, testing each before it is published', load: async () => (await import('./commands/build-command.ts')).buildCommand() },
  test: { summary: "run the models' data tests and source freshness checks against what is published", load: async () => (await import('./commands/test-command.ts')).testCommand() },
  retry: { summary: 'rebuild what the last build left undone: its failed, skipped and unfinished models', load: async () => (await import('./commands/retry-command.ts')).retryCommand() },
  serve: { summary: 'serve the dashboard and the API (the process that owns the database file)', load: async () => (await import('./commands/serve-command.ts')).serveCommand() },
  sql: { summary: 'run a read-only SQL query over the models and print the result on stdout (through the running server when there is one)', load: async () => (await import('./commands/sql-command.ts')).sqlCommand() },
  token: { summary: 'create, list and revoke API tokens (viewer < analyst < admin)', load: async () => (await import('./commands/token-command.ts')).tokenCommand() },
  alerts: { summary: 'evaluate the alert rules and deliver what is due; silence, backtest and test-send', load: async () => (await import('./commands/alerts-command.ts')).alertsCommand() },
};

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

const requested = requestedCommand(process.argv.slice(2));
for (const [name, { summary, load }] of Object.entries(commands)) {
  // The others stay a name and a line for the help: asking for one loads it, as this process never does.
  const command = name === requested ? await load() : new Command(name).description(summary).allowUnknownOption().allowExcessArguments();
  program.addCommand(command.showHelpAfterError().exitOverride());
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Commander already printed its message (or the help); only the exit code is left to set.
  if (error instanceof CommanderError) await exit(error.exitCode);
  if (error instanceof StocklensError) say(`stocklens: ${error.message}`);
  else if (error instanceof Error && !(error as NodeJS.ErrnoException).code && error.constructor === Error) say(`stocklens: ${error.message}`);
  else if (program.opts().verbose) say(`stocklens: unexpected error: ${error instanceof Error ? error.stack : String(error)}`);
  else say(`stocklens: unexpected error: ${error instanceof Error ? error.message : String(error)} (run again with --verbose for the stack trace)`);
  await exit(error instanceof StocklensError ? error.exitCode : 1);
}

/** The command named on the command line (`stocklens -c x.yaml sql …`, `stocklens help sql`), skipping global options and their values. */
function requestedCommand(args: string[]): string | undefined {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === '-c' || arg === '--config' || arg === '--log-format') index++;
    else if (!arg.startsWith('-')) return arg === 'help' ? args[index + 1] : arg;
  }
  return undefined;
}

/** Closes the databases a command opened (only a command that ran loaded the database module), then exits. */
async function exit(code: number): Promise<never> {
  if (requested && requested in commands) await (await import('../db/database.ts')).Database.closeAll();
  process.exit(code);
}
