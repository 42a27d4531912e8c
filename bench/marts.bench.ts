import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../core/load-config.ts';
import { replayInbox } from '../fixtures/replay-inbox.ts';
import { Database, sql } from '../db/database.ts';
import { duckdbSettings } from '../db/duckdb-settings.ts';
import { runIngest } from '../ingest/run-ingest.ts';
import { buildModels, type BuildSummary } from '../models/runner/build.ts';
import type { NodeResult } from '../models/runner/run-history.ts';

/**
 * The marts at scale m: a full build, then three more hours of captures landed one at a
 * time, each followed by a build (incremental): an ordinary hour as a user runs it, `stocklens
 * ingest` then `stocklens build` from the CLI (wall time, process start and the listing of every
 * file still in the drop folders included); then in-process, per model, another ordinary hour and
 * the last one, midnight, when every system sends its daily full snapshot. Wall and CPU time per
 * model and the process's peak memory (DuckDB runs in-process, under the product's memory limit).
 *
 * Input: a folder with a stocklens.config.yaml whose data/stocklens.duckdb has the m output landed
 * (`stocklens generate --scale m --out M`, then `stocklens ingest` in a folder whose config points
 * at M's inbox; default /work/bench-data/m-built, or `npm run bench -- marts DIR`), and the
 * simulator output itself (STOCKLENS_BENCH_M_OUTPUT, default /work/bench-data/m). The bench works
 * on a copy: it takes the last three hours' batches out of it (rows and ledger), builds in full, then
 * replays the output's inbox an hour at a time.
 */
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'stocklens.js');
const dataDir = process.argv[2] ?? process.env.STOCKLENS_BENCH_M_DIR ?? '/work/bench-data/m-built';
const configFile = path.join(dataDir, 'stocklens.config.yaml');
const config = existsSync(configFile) ? loadConfig(configFile) : undefined;
if (!config || !existsSync(config.databaseFile)) {
  process.stderr.write(`marts bench: no landed database under ${dataDir} (generate: stocklens generate --scale m --out DIR; then stocklens ingest in DIR)\n`);
  process.exit(1);
}

const outputDir = process.env.STOCKLENS_BENCH_M_OUTPUT ?? '/work/bench-data/m';
const work = mkdtempSync(path.join(os.tmpdir(), 'stocklens-marts-bench-'));
const replay = replayInbox(outputDir, work);
const replayConfig = loadConfig(replay.configFile);
mkdirSync(path.dirname(replayConfig.databaseFile), { recursive: true });
copyFileSync(config.databaseFile, replayConfig.databaseFile);
const settings = duckdbSettings(replayConfig);
let db = await Database.open(replayConfig.databaseFile, { settings });
say(`DuckDB ${Object.entries(settings).map(([key, value]) => `${key}=${value}`).join(' ')}`);

try {
  const rewound = await rewind(db, 3);
  say(`took the last three hours (captured after ${rewound.after}) out of the copy: ${rewound.batches} batches`);
  // The replay's folders are new paths to the ledger: one ingest over the files landed before finds
  // their content already landed and records where they are now, as a second hourly run would.
  replay.revealUntil(new Date(rewound.afterMs));
  const settleStarted = performance.now();
  await runIngest(replayConfig, db);
  say(`the files already landed found at their replay paths (read and hashed once): ${seconds(performance.now() - settleStarted)}`);
  const progress = { onNode: (result: NodeResult) => process.stderr.write(`  ${result.node} ${seconds(result.durationMs)} ${result.status}\n`) };

  const full = await timed(() => buildModels(replayConfig, db, { fullRefresh: true, ...progress }));
  report('full build', full.summary, full.ms, full.cpuMs);

  // The hour as a user lives it: two CLI processes on the database file, which this one lets go of meanwhile.
  replay.revealUntil(new Date(replay.lastCapture.getTime() - 2 * 3600_000));
  db.closeSync();
  const byCli = (command: string) => {
    const started = performance.now();
    execFileSync(process.execPath, [cli, command, '--config', replay.configFile], { stdio: ['ignore', 'ignore', 'inherit'] });
    return performance.now() - started;
  };
  const [cliIngestMs, cliBuildMs] = [byCli('ingest'), byCli('build')];
  say(`an ordinary hour from the CLI: stocklens ingest ${seconds(cliIngestMs)} + stocklens build ${seconds(cliBuildMs)} = ${seconds(cliIngestMs + cliBuildMs)} wall`);
  db = await Database.open(replayConfig.databaseFile, { settings });

  const hours: { label: string; ms: number; cpuMs: number }[] = [];
  for (const [label, until] of [
    ['an ordinary hour', new Date(replay.lastCapture.getTime() - 3600_000)],
    ['the midnight hour (every daily full snapshot)', replay.lastCapture],
  ] as const) {
    replay.revealUntil(until);
    const landStarted = performance.now();
    const landed = await runIngest(replayConfig, db);
    say(`landed ${label} through the real ingest: ${landed.reduce((sum, source) => sum + source.batches, 0)} batches in ${seconds(performance.now() - landStarted)}`);
    const hour = await timed(() => buildModels(replayConfig, db, progress));
    report(`incremental build after ${label}`, hour.summary, hour.ms, hour.cpuMs);
    hours.push({ label, ms: hour.ms, cpuMs: hour.cpuMs });
  }

  const rows = await db.one<Record<string, number>>(`
    select (select count(*) from raw.stock_snapshot) as stock_rows, (select count(*) from raw.order_line) as order_rows,
      (select count(*) from intermediate.int_stock_intervals) as intervals, (select count(*) from intermediate.int_compare_segments) as segments,
      (select count(*) from marts.fct_mismatch) as mismatches`);
  say(`landed stock rows ${rows?.stock_rows}, order rows ${rows?.order_rows}, change intervals ${rows?.intervals}, compared segments ${rows?.segments}, mismatched comparisons ${rows?.mismatches}`);
  for (const hour of hours) say(`incremental after ${hour.label} / full build: ${(hour.ms / full.ms).toFixed(3)} (wall, checkpoints included), ${(hour.cpuMs / full.cpuMs).toFixed(3)} (CPU)`);
  say(`peak memory (max RSS of this process, DuckDB included): ${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(2)} GB`);
  say(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((load) => load.toFixed(1)).join(' ')}`);
} finally {
  db.closeSync();
  rmSync(work, { recursive: true, force: true });
}

/** Removes the batches captured in the last `hours` hours (every entity), so the ingest lands them anew. */
async function rewind(db: Database, hours: number): Promise<{ after: string; afterMs: number; batches: number }> {
  const bound = await db.one<{ after: string; after_ms: number }>(
    sql`select (max(captured_at) - to_hours(${hours}::bigint))::varchar as after, epoch_ms(max(captured_at) - to_hours(${hours}::bigint)) as after_ms from ingest.batches where entity = 'stock' and status = 'landed'`,
  );
  const after = bound!.after;
  const rewound = sql`select batch_id from ingest.batches where captured_at > ${after}::timestamptz`;
  const batches = await db.one<{ n: number }>(sql`select count(*) as n from (${rewound})`);
  await db.transaction(async (connection) => {
    for (const [schema, table] of [['raw', 'stock_snapshot'], ['raw', 'order_line'], ['raw', 'inventory_event'], ['ingest', 'quarantine']] as const) {
      await connection.run(sql`delete from ${sql.ident(schema, table)} where batch_id in (${rewound})`);
    }
    await connection.run(sql`delete from ingest.batches where batch_id in (${rewound})`);
  });
  return { after, afterMs: Number(bound!.after_ms), batches: Number(batches?.n ?? 0) };
}

async function timed(fn: () => Promise<BuildSummary>): Promise<{ summary: BuildSummary; ms: number; cpuMs: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const summary = await fn();
  const used = process.cpuUsage(cpu);
  return { summary, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

/** Wall time, and CPU time: on a shared machine the CPU seconds over the cores bound the idle wall time. */
function report(label: string, summary: BuildSummary, ms: number, cpuMs: number): void {
  // Published when the last model was; the checkpoint after it writes the build's log to the file.
  const checkpoint = summary.checkpointMs !== undefined ? `, published in ${seconds(summary.publishedMs ?? ms)} then checkpoint ${seconds(summary.checkpointMs)}` : `, checkpoint failed: ${summary.checkpointError}`;
  say(`${label}: ${seconds(ms)} wall${checkpoint}, ${seconds(cpuMs)} CPU (${os.cpus().length} cores) ${summary.ok ? '' : '(FAILED)'}`);
  for (const result of [...summary.results].sort((a, b) => b.durationMs - a.durationMs).slice(0, 10)) {
    const phases = result.phases ? ` (write ${seconds(result.phases.writeMs)}, tests ${seconds(result.phases.auditMs)}, publish ${seconds(result.phases.publishMs)})` : '';
    say(`  ${result.node.padEnd(28)} ${seconds(result.durationMs).padStart(8)} ${String(result.rows ?? '').padStart(10)} rows ${result.status}${phases}${result.error ? ` ${result.error}` : ''}`);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
