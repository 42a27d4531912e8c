import { toCsv } from '../../core/csv-writer.ts';
import { Command, Option } from 'commander';
import { QueryError, causeMessage } from '../../core/errors.ts';
import { configFrom, openDatabase, type GlobalOptions } from '../context.ts';
import { formatTable } from '../terminal.ts';
import { findServer, queryServer } from './server-client.ts';

type Format = 'table' | 'csv' | 'json';

export function sqlCommand(): Command {
  return new Command('sql')
    .description('run a read-only SQL query over the models and print the result on stdout (through the running server when there is one)')
    .argument('<query>', 'one SELECT statement')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .addHelpText('after', '\nWith a server running, the query goes to its /api/sql (found through <data_dir>/server.json, or STOCKLENS_URL and STOCKLENS_TOKEN).')
    .action(async (query: string, options: { format: Format }, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      // The server holds the database file while it runs: ask it rather than fail on the lock.
      const server = await findServer(config);
      const { names, rows } = server ? await queryServer(server, query) : await queryFile(config, query);
      process.stdout.write(`${render(options.format, names, rows)}\n`);
    });
}

async function queryFile(config: Parameters<typeof openDatabase>[0], query: string): Promise<{ names: string[]; rows: unknown[][] }> {
  const db = await openDatabase(config, { readOnly: true });
  let result: Awaited<ReturnType<typeof db.columns>>;
  try {
    result = await db.columns(query);
  } catch (error) {
    throw new QueryError(`query failed: ${causeMessage(error)}`, { cause: error });
  }
  return { names: result.names, rows: Array.from({ length: result.rowCount }, (_, row) => result.columns.map((column) => column[row])) };
}

function render(format: Format, names: string[], rows: unknown[][]): string {
  switch (format) {
    case 'table':
      return formatTable(names, rows);
    case 'json':
      return JSON.stringify(rows.map((row) => Object.fromEntries(names.map((name, index) => [name, row[index]]))));
    case 'csv':
      return toCsv(names, rows).replace(/\n$/, '');
  }
}

