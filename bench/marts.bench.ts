import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../core/load-config.ts';
import { Database } from '../db/database.ts';
import { buildModels, type BuildSummary } from '../models/runner/build.ts';
import { landSimulated } from '../test/marts/land-simulated.ts';

/**
 * The marts on a simulator output (default the `m` scale the lead generates at /work/bench-data/m;
 * `npm run bench -- marts DIR` for another): a full build, then one more hour of captures and the
 * build again, with wall time per model and the process's peak memory (DuckDB runs in-process).
 *
 * Landing is not measured here (bench/landing is): the history up to the last hour is landed once
 * into a cached DuckDB file next to the OS temp dir and copied for each run.
 */
const dataDir = process.argv[2] ?? process.env.STOCKLENS_BENCH_DATA ?? '/work/bench-data/m';
if (!existsSync(path.join(dataDir, 'stocklens.config.yaml'))) {
  process.stderr.write(`marts bench: no simulator output at ${dataDir} (generate one: stocklens generate --scale m --out DIR)\n`);
  process.exit(1);
}

const lastCapture = latestStamp(path.join(dataDir, 'inbox', 'wms'));
const lastHourStart = new Date(lastCapture.getTime() - 3600_000);
const cacheDir = path.join(os.tmpdir(), 'stocklens-bench-marts');
mkdirSync(cacheDir, { recursive: true });
const cached = path.join(cacheDir, `${path.basename(dataDir)}-until-${lastHourStart.toISOString().slice(0, 13)}.duckdb`);
if (!existsSync(cached)) {
  const started = performance.now();
  const db = await Database.open(cached);
  await landSimulated(db, dataDir, { until: lastHourStart });
  const landed = await db.one<{ rows: number }>('select (select count(*) from raw.stock_snapshot) + (select count(*) from raw.order_line) + (select count(*) from raw.inventory_event) as rows');
  db.closeSync();
  say(`landed the history once (${landed?.rows} rows) in ${seconds(performance.now() - started)} into ${cached}`);
}

const work = path.join(cacheDir, 'run.duckdb');
rmSync(work, { force: true });
copyFileSync(cached, work);
const config = loadConfig(path.join(dataDir, 'stocklens.config.yaml'));
// DuckDB takes 80% of RAM by default; under a limit it spills to disk instead (the 8 GB budget of issue 6).
const memoryLimit = process.env.STOCKLENS_BENCH_MEMORY ?? '6GB';
const db = await Database.open(work, { settings: { memory_limit: memoryLimit, preserve_insertion_order: 'false' } });
say(`DuckDB memory_limit ${memoryLimit}`);

const full = await timed(() => buildModels(config, db));
report('full build', full.summary, full.ms, full.cpuMs);

await landSimulated(db, dataDir, { after: lastHourStart });
const hour = await timed(() => buildModels(config, db));
report('build after one more hour of captures', hour.summary, hour.ms, hour.cpuMs);

const rows = await db.one<Record<string, number>>(`
  select (select count(*) from raw.stock_snapshot) as stock_rows, (select count(*) from intermediate.int_stock_intervals) as intervals,
    (select count(*) from intermediate.int_compare_segments) as segments, (select count(*) from marts.fct_mismatch) as mismatches`);
say(`landed stock rows ${rows?.stock_rows}, change intervals ${rows?.intervals}, compared segments ${rows?.segments}, mismatched comparisons ${rows?.mismatches}`);
say(`after one hour / full build: ${(hour.ms / full.ms).toFixed(2)}`);
say(`peak memory (max RSS of this process, DuckDB included): ${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(2)} GB`);
say(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((load) => load.toFixed(1)).join(' ')}`);
db.closeSync();
rmSync(work, { force: true });

async function timed(fn: () => Promise<BuildSummary>): Promise<{ summary: BuildSummary; ms: number; cpuMs: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const summary = await fn();
  const used = process.cpuUsage(cpu);
  return { summary, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

/** Wall time, and CPU time: on a shared machine the CPU seconds over the cores bound the idle wall time. */
function report(label: string, summary: BuildSummary, ms: number, cpuMs: number): void {
  say(`${label}: ${seconds(ms)} wall, ${seconds(cpuMs)} CPU (${os.cpus().length} cores) ${summary.ok ? '' : '(FAILED)'}`);
  for (const result of [...summary.results].sort((a, b) => b.durationMs - a.durationMs).slice(0, 8)) {
    say(`  ${result.node.padEnd(28)} ${seconds(result.durationMs).padStart(8)} ${result.status}${result.error ? ` ${result.error}` : ''}`);
  }
}

function latestStamp(folder: string): Date {
  const stamps = readdirSync(folder)
    .map((name) => /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(name))
    .filter((match) => match !== null)
    .map((match) => Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6]));
  return new Date(Math.max(...stamps));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
