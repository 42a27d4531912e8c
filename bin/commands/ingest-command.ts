import { Command } from 'commander';
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
          say(`accepted batch ${accepted.batchId} of ${accepted.source} (${accepted.rows} rows); the server at ${server.url} rebuilt the models with it`);
        } else {
          const accepted = await acceptBatch(await openDatabase(config, { mustExist: true }), options.accept);
          say(`accepted batch ${accepted.batchId} of ${accepted.source} (${accepted.rows} rows): the next build uses it`);
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
      if (summaries.some((summary) => summary.status === 'failed' || summary.failedBatches > 0)) process.exitCode = 1;
    });
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
  const rejected = summaries.reduce((sum, s) => sum + s.rejected, 0);
  if (rejected > 0) say(`${rejected} rows quarantined: see ingest.quarantine (stocklens sql "select * from ingest.quarantine")`);
  const held = summaries.reduce((sum, s) => sum + s.held, 0);
  if (held > 0) say(`${held} full batch${held > 1 ? 'es' : ''} held by the empty-extract guard: check them, then \`stocklens ingest --accept BATCH\` (ids: stocklens sql "select batch_id, source, rows, error from ingest.batches where status = 'held'")`);
}
