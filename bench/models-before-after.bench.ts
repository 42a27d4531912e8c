import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../core/load-config.ts';
import { Database } from '../db/database.ts';
import { duckdbSettings } from '../db/duckdb-settings.ts';
import { replayInbox } from '../fixtures/replay-inbox.ts';
import { runIngest } from '../ingest/run-ingest.ts';
import { buildModels, type BuildSummary } from '../models/runner/build.ts';

/**
 * Two versions of the models on the same data, for a change that must keep the marts and their
 * cost: each version builds a copy of the landed output in full, then the output's last hour is
 * landed and built incrementally. The versions alternate, round after round, in one session (on a
 * shared machine the load moves both alike); each build runs in a process of its own and reports
 * its process CPU seconds. Then every mart table of each pair of builds is compared: row counts
 * and `except all` both ways, `refreshed_at` (when a row was written) aside.
 *
 *   node --import tsx bench/models-before-after.bench.ts OUTPUT BEFORE_MODELS AFTER_MODELS [ROUNDS]
 *
 * OUTPUT is a `stocklens generate` output; BEFORE_MODELS a models folder, for example main's:
 * `git archive main models | tar -x -C /tmp/before` gives /tmp/before/models.
 */
const self = fileURLToPath(import.meta.url);
const [command, ...args] = process.argv.slice(2);

if (command === '--build') {
  await buildOnce(args[0]!, args[1]!, args[2]!);
} else if (command === '--compare') {
  process.exit((await compareMarts(args[0]!, args[1]!)) ? 0 : 1);
} else {
  const [output, before, after, rounds = '3'] = process.argv.slice(2);
  if (!output || !before || !after || !existsSync(path.join(output, 'inbox'))) {
    process.stderr.write('models-before-after: give OUTPUT (a stocklens generate output), BEFORE_MODELS and AFTER_MODELS [ROUNDS]\n');
    process.exit(1);
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'stocklens-models-ab-'));
  try {
    await prepare(output, work);
    const figures: Record<'before' | 'after', { full: number[]; hour: number[] }> = { before: { full: [], hour: [] }, after: { full: [], hour: [] } };
    let same = true;
    for (let round = 1; round <= Number(rounds); round++) {
      for (const [version, models] of [['before', before], ['after', after]] as const) {
        const line = execFileSync(process.execPath, ['--import', 'tsx', self, '--build', work, path.resolve(models), `${version}-${round}`], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
        const [full, hour] = line.split(' ').map(Number);
        figures[version].full.push(full!);
        figures[version].hour.push(hour!);
        say(`round ${round} ${version}: full ${full!.toFixed(2)} s CPU, an hour ${hour!.toFixed(2)} s CPU (load ${os.loadavg()[0]!.toFixed(1)})`);
      }
      for (const stage of ['full', 'hour']) {
        const pair = ['before', 'after'].map((version) => path.join(work, `${version}-${round}-${stage}.duckdb`));
        const result = execFileSync(process.execPath, ['--import', 'tsx', self, '--compare', pair[0]!, pair[1]!], { encoding: 'utf8' }).trim();
        say(`round ${round}, ${stage === 'full' ? 'full build' : 'after the hour'}: ${result.split('\n').at(-1)}`);
        same &&= result.endsWith('identical');
        for (const file of pair) rmSync(file, { force: true });
      }
    }
    for (const version of ['before', 'after'] as const) {
      say(`${version}: median full ${median(figures[version].full).toFixed(2)} s CPU, median hour ${median(figures[version].hour).toFixed(2)} s CPU`);
    }
    say(`after / before: full ${(median(figures.after.full) / median(figures.before.full)).toFixed(3)}, hour ${(median(figures.after.hour) / median(figures.before.hour)).toFixed(3)}; marts ${same ? 'identical in every round' : 'DIFFER'}`);
    if (!same) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The output landed up to an hour before its last capture (base.duckdb); the last hour's files are then shown too. */
async function prepare(output: string, work: string): Promise<void> {
  const replay = replayInbox(output, work);
  const config = loadConfig(replay.configFile);
  mkdirSync(path.dirname(config.databaseFile), { recursive: true });
  replay.revealUntil(new Date(replay.lastCapture.getTime() - 3600_000));
  const db = await Database.open(config.databaseFile, { settings: duckdbSettings(config) });
  await runIngest(config, db);
  db.closeSync();
  copyFileSync(config.databaseFile, path.join(work, 'base.duckdb'));
  replay.revealUntil(replay.lastCapture);
  say(`landed ${output} up to ${new Date(replay.lastCapture.getTime() - 3600_000).toISOString()}; the hour to ${replay.lastCapture.toISOString()} is built incrementally`);
}

/** One version: a full build of base.duckdb's copy, then the last hour landed and built. Prints "fullCpu hourCpu". */
async function buildOnce(work: string, modelsDir: string, label: string): Promise<void> {
  const config = loadConfig(path.join(work, 'stocklens.config.yaml'));
  for (const file of [config.databaseFile, `${config.databaseFile}.wal`]) rmSync(file, { force: true });
  copyFileSync(path.join(work, 'base.duckdb'), config.databaseFile);
  const db = await Database.open(config.databaseFile, { settings: duckdbSettings(config) });
  try {
    const full = await cpuOf(() => buildModels(config, db, { fullRefresh: true, modelsDir }));
    await db.checkpoint();
    copyFileSync(config.databaseFile, path.join(work, `${label}-full.duckdb`));
    await runIngest(config, db);
    const hour = await cpuOf(() => buildModels(config, db, { modelsDir }));
    await db.checkpoint();
    copyFileSync(config.databaseFile, path.join(work, `${label}-hour.duckdb`));
    process.stdout.write(`${full} ${hour}\n`);
  } finally {
    db.closeSync();
  }
}

async function cpuOf(build: () => Promise<BuildSummary>): Promise<number> {
  const started = process.cpuUsage();
  const summary = await build();
  const used = process.cpuUsage(started);
  if (!summary.ok) throw new Error(`build failed: ${summary.results.filter((result) => result.status === 'error').map((result) => result.error).join('; ')}`);
  return (used.user + used.system) / 1e6;
}

/** Every mart table of two builds: the same rows (refreshed_at aside)? Prints one line per table. */
async function compareMarts(before: string, after: string): Promise<boolean> {
  const db = await Database.open(':memory:');
  try {
    await db.run(`attach '${before}' as a (read_only)`);
    await db.run(`attach '${after}' as b (read_only)`);
    const tablesOf = async (catalog: string) =>
      (await db.rows<{ name: string }>(`select table_name as name from duckdb_tables() where database_name = '${catalog}' and schema_name = 'marts' order by 1`)).map((row) => row.name);
    const [tables, tablesAfter] = [await tablesOf('a'), await tablesOf('b')];
    let differing = tables.join() === tablesAfter.join() ? 0 : 1;
    for (const table of tables) {
      const columns = await db.rows<{ name: string }>(
        `select column_name as name from duckdb_columns() where database_name = 'a' and schema_name = 'marts' and table_name = '${table}' and column_name <> 'refreshed_at' order by column_index`,
      );
      const list = columns.map((column) => `"${column.name}"`).join(', ');
      const counts = await db.one<{ before: number; after: number; only_before: number; only_after: number }>(`select
        (select count(*) from a.marts."${table}") as before, (select count(*) from b.marts."${table}") as after,
        (select count(*) from (select ${list} from a.marts."${table}" except all select ${list} from b.marts."${table}")) as only_before,
        (select count(*) from (select ${list} from b.marts."${table}" except all select ${list} from a.marts."${table}")) as only_after`);
      const same = Number(counts!.before) === Number(counts!.after) && Number(counts!.only_before) === 0 && Number(counts!.only_after) === 0;
      if (!same) differing++;
      say(`${same ? 'same' : 'DIFFERENT'} ${table}: ${counts!.before} / ${counts!.after} rows, ${counts!.only_before} only before, ${counts!.only_after} only after`);
    }
    say(differing === 0 ? `all ${tables.length} mart tables identical` : `${differing} mart tables differ`);
    return differing === 0;
  } finally {
    db.closeSync();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
