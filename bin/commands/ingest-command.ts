import path from 'node:path';
import { Command } from 'commander';
import { counted } from '../../core/counted.ts';
import { formatDuration } from '../../core/duration.ts';
import { acceptBatch } from '../../ingest/accept-batch.ts';
import { runIngest, type SourceSummary } from '../../ingest/run-ingest.ts';
import { configFrom, openDatabase, type GlobalOptions } from '../context.ts';
import { formatTable, progressLine, say } from '../terminal.ts';
import { acceptOnServer, findServer, ingestOnServer } from './server-client.ts';

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('land every new batch of the configured sources into the database')
    .option('-s, --source <name...>', 'only these sources')
    .option('--accept <batch>', 'release a batch the empty-extract guard held (status held → landed), then exit')
    .action(async (options: { source?: string[]; accept?: string }, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      // The running server owns the database file: it lands (and rebuilds) for this command.
      const server = await findServer(config);
      if (options.accept) {
        if (server) {
          const accepted = await acceptOnServer(server, options.accept);
          say(`accepted batch ${accepted.batchId} of ${accepted.source} (${counted(accepted.rows, 'row')}); the server at ${server.url} rebuilt the models with it`);
        } else {
          const accepted = await acceptBatch(await openDatabase(config, { mustExist: true }), options.accept);
          say(`accepted batch ${accepted.batchId} of ${accepted.source} (${counted(accepted.rows, 'row')}): the next build uses it`);
        }
        return;
      }
      const unknown = options.source?.filter((name) => !config.sources.some((source) => source.name === name)) ?? [];
      if (unknown.length > 0) throw new Error(`unknown source ${unknown.join(', ')} (configured: ${config.sources.map((s) => s.name).join(', ')})`);
      let summaries: SourceSummary[];
      if (server) {
        say(`landing in the running server at ${server.url} (it owns ${config.databaseFile}; it rebuilds the models after what lands)`);
        summaries = await ingestOnServer(server, options.source);
        printIngest(summaries);
      } else {
        summaries = await ingestWithProgress(config, await openDatabase(config), options.source);
      }
      process.exitCode = ingestExitCode(summaries);
    });
}

/**
 * The exit codes of `stocklens ingest` (README, Commands): 0 when every file landed whole; 1 when a
 * source could not be read at all (a missing folder, a database refusing) or a file failed; 2 when
 * the run finished but something waits for the user: a file rejected or ignored, rows quarantined,
 * a full batch held.
 */
export function ingestExitCode(summaries: readonly SourceSummary[]): number {
  if (summaries.some((summary) => summary.status === 'failed' || summary.problems.some((problem) => problem.outcome === 'failed'))) return 1;
  if (summaries.some((summary) => summary.problems.some((problem) => problem.outcome !== 'waiting') || summary.rejected > 0 || summary.held > 0)) return 2;
  return 0;
}

export async function ingestWithProgress(config: Parameters<typeof runIngest>[0], db: Parameters<typeof runIngest>[1], sources?: string[]): Promise<SourceSummary[]> {
  const progress = progressLine('ingest');
  const summaries = await runIngest(config, db, {
    sources,
    onProgress: ({ source, done, total }) => progress.update(done, total, source),
  });
  progress.done();
  printIngest(summaries);
  return summaries;
}

/** What each source landed, and what needs a look (quarantined rows, held batches). */
function printIngest(summaries: SourceSummary[]): void {
  say(
    formatTable(
      ['source', 'status', 'batches', 'skipped', 'rows', 'rejected', 'held', 'failed', 'duration'],
      summaries.map((s) => [s.source, s.status, s.batches, s.skipped, s.rows, s.rejected, s.held, s.failedBatches, formatDuration(s.durationMs)]),
    ),
  );
  for (const summary of summaries.filter((s) => s.error)) say(`${summary.source}: ${summary.error}`);
  for (const summary of summaries) for (const warning of summary.warnings ?? []) say(`${summary.source}: warning: ${warning}`);
  for (const summary of summaries) for (const line of problemLines(summary)) say(line);
  const rejected = summaries.reduce((sum, s) => sum + s.rejected, 0);
  if (rejected > 0) {
    say(`${rejected} row${rejected > 1 ? 's' : ''} quarantined (the rest of their files landed): each with its line and reason on Data health, or stocklens sql "select * from ingest.quarantine"`);
    for (const group of summaries.flatMap((s) => s.quarantined ?? [])) {
      const where = group.line === null ? displayPath(group.file) : `${displayPath(group.file)} line ${group.line}`;
      say(`  ${group.rows} × ${group.reason} (${group.rows > 1 ? 'first at ' : ''}${where})`);
    }
  }
  const held = summaries.reduce((sum, s) => sum + s.held, 0);
  if (held > 0) say(`${held} full batch${held > 1 ? 'es' : ''} held by the empty-extract guard: check them, then \`stocklens ingest --accept BATCH\` (ids: stocklens sql "select batch_id, source, rows, error from ingest.batches where status = 'held'")`);
}

/** Each file of a source that did not land, with the reason and the fix, grouped by what happened to it. */
function problemLines(summary: SourceSummary): string[] {
  const lines: string[] = [];
  const groups = [
    { outcome: 'rejected', title: (n: number) => `${n} file${n > 1 ? 's' : ''} of ${summary.source} rejected (none of ${n > 1 ? 'their' : 'its'} rows landed):` },
    { outcome: 'failed', title: (n: number) => `${n} file${n > 1 ? 's' : ''} of ${summary.source} failed to land:` },
    { outcome: 'ignored', title: (n: number) => `${n} file${n > 1 ? 's' : ''} in ${summary.source}'s folder ignored:` },
    { outcome: 'waiting', title: (n: number) => `${n} file${n > 1 ? 's' : ''} in ${summary.source}'s folder not taken yet:` },
  ] as const;
  for (const { outcome, title } of groups) {
    const problems = summary.problems.filter((problem) => problem.outcome === outcome);
    if (problems.length === 0) continue;
    lines.push(title(problems.length));
    for (const problem of problems) {
      lines.push(`  ${displayPath(problem.file)}${problem.again ? ' (rejected by an earlier ingest, unchanged since)' : ''}: ${problem.reason}`);
      lines.push(`    fix: ${problem.fix}`);
    }
  }
  return lines;
}

/** A file as the user would type it: relative to the working folder when it lies inside it. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
