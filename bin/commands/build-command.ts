import { Command, InvalidArgumentError } from 'commander';
import { counted } from '../../core/counted.ts';
import { formatDuration } from '../../core/duration.ts';
import type { Config } from '../../core/load-config.ts';
import type { Database } from '../../db/database.ts';
import { buildModels, type BuildOptions, type BuildSummary } from '../../models/runner/build.ts';
import { runModelCommand, type ModelCommand } from '../../models/runner/model-command.ts';
import type { NodeResult } from '../../models/runner/run-history.ts';
import { configFrom, openDatabase, type GlobalOptions } from '../context.ts';
import { say } from '../terminal.ts';
import { findServer, runModelsOnServer } from './server-client.ts';

export interface RunFlags {
  select?: string[];
  fullRefresh?: boolean;
  threads?: number;
  failFast?: boolean;
}

export function buildCommand(): Command {
  return withRunFlags(new Command('build').description('build the SQL models (staging, intermediate, marts) in dependency order, testing each before it is published'))
    .option('--full-refresh', 'rebuild incremental models from scratch')
    .action(async (flags: RunFlags, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const summary = await report('build', async () => (await runModelsHereOrInServer(config, 'build', flags)) ?? nothingRun);
      if (!summary.ok) process.exitCode = 1;
    });
}

/** What a run that had nothing to do reports (a retry after a build that finished everything). */
export const nothingRun: BuildSummary = { runId: '', results: [], tests: [], ok: true };

/**
 * `stocklens build|test|retry`, with live progress: in the running server when there is one (the
 * process that owns the database file), else on the file here.
 */
export async function runModelsHereOrInServer(config: Config, command: ModelCommand, flags: RunFlags): Promise<BuildSummary | undefined> {
  const options = withProgress(runOptions(flags));
  const server = await findServer(config);
  if (server) {
    say(`${command} in the running server at ${server.url} (it owns ${config.databaseFile})`);
    return runModelsOnServer(server, command, options);
  }
  return runModelCommand(config, await openDatabase(config, { mustExist: true }), command, options);
}

export function withRunFlags(command: Command): Command {
  return command
    .option('-s, --select <selector...>', 'models to run: name, +name (and upstream), name+ (and downstream), tag:x; commas intersect')
    .option('--threads <n>', 'models built at once, each on its own connection (default: models.threads in the config, 2)', threadCount)
    .option('--fail-fast', 'stop starting models after the first failure');
}

export function threadCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return count;
}

export function runOptions(flags: RunFlags): BuildOptions {
  return { select: flags.select, fullRefresh: flags.fullRefresh, threads: flags.threads, failFast: flags.failFast };
}

/** The demo and the scheduler build through here too: live progress, then a summary, on stderr. */
export async function buildWithProgress(config: Config, db: Database, options: BuildOptions = {}): Promise<BuildSummary> {
  return report('build', () => buildModels(config, db, withProgress(options)));
}

/**
 * One line per node as it finishes (dbt-style), failing tests under their model, and on a terminal
 * a last line naming the models building now and for how long.
 */
export function withProgress(options: BuildOptions): BuildOptions {
  const running = runningLine();
  return {
    ...options,
    onStart: (node) => running.start(node),
    onTest: (outcome) => {
      if (outcome.status !== 'pass') running.print(`      ${outcome.status.toUpperCase()} ${outcome.node}: ${outcome.test}${outcome.failures ? ` (${counted(outcome.failures, 'row')})` : ''}${outcome.error ? `: ${outcome.error}` : ''}`);
    },
    onNode: (result, done, total) => {
      running.finish(result.node);
      running.print(`${String(done).padStart(String(total).length)}/${total} ${label(result)} ${result.node}${details(result)}`);
    },
  };
}

function runningLine() {
  const interactive = Boolean(process.stderr.isTTY);
  const running = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    if (!interactive) return;
    const now = Date.now();
    const text = [...running].map(([node, started]) => `${node} ${formatDuration(now - started)}`).join(', ');
    process.stderr.write(`\r\x1b[2K${text ? `running ${text}` : ''}`);
  };
  return {
    start(node: string) {
      running.set(node, Date.now());
      if (interactive && !timer) {
        timer = setInterval(draw, 1000);
        timer.unref();
      }
      draw();
    },
    finish(node: string) {
      running.delete(node);
      if (running.size === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    },
    print(line: string) {
      if (interactive) process.stderr.write('\r\x1b[2K');
      say(line);
      draw();
    },
  };
}

export async function report(verb: string, run: () => Promise<BuildSummary>): Promise<BuildSummary> {
  const started = Date.now();
  const summary = await run();
  const count = (status: NodeResult['status']) => summary.results.filter((result) => result.status === status).length;
  const failed = summary.results.filter((result) => result.status === 'error');
  if (summary.fullRefreshReason) say(summary.fullRefreshReason);
  for (const result of failed) say(`\nFAILED ${result.node}: ${result.error}`);
  if (summary.results.length > 0) {
    const models = summary.results.filter((result) => result.kind === 'model');
    const built = models.filter((result) => result.status === 'success' || result.status === 'warn').length;
    const head = verb === 'test' ? `tested ${summary.tests.length} checks` : `built ${built} of ${models.length} models`;
    const tail = `${count('warn')} warn, ${failed.length} failed, ${count('skipped')} skipped`;
    // Published first, then the checkpoint that writes the build's log to the database file.
    const took = summary.publishedMs ?? Date.now() - started;
    const checkpoint =
      summary.checkpointMs !== undefined ? `; checkpoint ${formatDuration(summary.checkpointMs)}`
      : summary.checkpointError ? `; checkpoint failed (DuckDB retries once its log passes checkpoint_threshold): ${summary.checkpointError}`
      : '';
    say(`${head} in ${formatDuration(took)} (${tail})${checkpoint}${failed.length && verb !== 'test' ? '; `stocklens retry` rebuilds what failed' : ''}`);
  }
  return summary;
}

function label(result: NodeResult): string {
  return { success: 'OK  ', warn: 'WARN', error: 'FAIL', skipped: 'SKIP' }[result.status];
}

function details(result: NodeResult): string {
  const parts = [result.rows !== undefined ? counted(result.rows, 'row') : '', result.status === 'skipped' ? '' : formatDuration(result.durationMs)].filter(Boolean);
  const note = result.status === 'skipped' || result.status === 'warn' ? ` — ${result.error}` : '';
  return `${parts.length ? ` (${parts.join(', ')})` : ''}${note}`;
}
