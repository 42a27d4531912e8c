import { Command, Option } from 'commander';
import { QueryError, causeMessage } from '../../core/errors.ts';
import { configFrom, openDatabase, type GlobalOptions } from '../context.ts';
import { formatTable } from '../terminal.ts';

type Format = 'table' | 'csv' | 'json';

export function sqlCommand(): Command {
  return new Command('sql')
    .description('run a read-only SQL query over the models and print the result on stdout')
    .argument('<query>', 'one SELECT statement')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .action(async (query: string, options: { format: Format }, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const db = await openDatabase(config, { readOnly: true });
      let result;
      try {
        result = await db.columns(query);
      } catch (error) {
        throw new QueryError(`query failed: ${causeMessage(error)}`, { cause: error });
      }
      const rows = Array.from({ length: result.rowCount }, (_, row) => result.columns.map((column) => column[row]));
      process.stdout.write(`${render(options.format, result.names, rows)}\n`);
    });
}

function render(format: Format, names: string[], rows: unknown[][]): string {
  switch (format) {
    case 'table':
      return formatTable(names, rows);
    case 'json':
      return JSON.stringify(rows.map((row) => Object.fromEntries(names.map((name, index) => [name, row[index]]))));
    case 'csv':
      return [names, ...rows].map((row) => row.map(csvCell).join(',')).join('\n');
  }
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
