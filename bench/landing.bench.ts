/**
 * Landing throughput, in one run:
 *  1. csv-drop landing (validation, quarantine, ledger; files of one header landed in groups, one
 *     read and one transaction per group) against DuckDB's
 *     bare `read_csv` of the same files into a table: the ratio is the landing's overhead;
 *  2. API rows through the Appender (staging) and landed end to end, rows/s;
 *  3. peak memory landing one large file with a DuckDB memory limit, against the file's size.
 * `node --import tsx bench/landing.bench.ts [folder-with-csv-drop-sources]`; without a folder it
 * uses /work/bench-data/m when READY, else a synthetic drop (BENCH_PAIRS, BENCH_DAYS).
 * BENCH_LARGE_MB sizes the large file (default 1024), BENCH_ROUNDS the alternations (default 2),
 * BENCH_PARTS the parts after the landing (default `appender,large-file`; empty for none).
 * BENCH_BASELINE=<git revision> lands the same files with that revision's ingest too, alternated
 * with this one's in every round, so a change's ratio before and after comes from one run.
 * Landings run in their own process; CPU seconds (every DuckDB thread's) are the steadier figure
 * on a shared machine.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database, literal } from '../db/database.ts';
import { writeSyntheticDrop } from './landing/synthetic-drop.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(path.join(os.tmpdir(), 'stocklens-landing-bench-'));
const figures: Record<string, unknown> = {};

try {
  const { folders, label } = await dropFolders();
  figures.data = label;
  const files = folders.flatMap((folder) => readdirSync(folder).filter((name) => /^(stock|orders|events)_.*\.csv$/.test(name)).map((name) => path.join(folder, name)));
  figures.files = files.length;
  figures.megabytes = Math.round(files.reduce((sum, file) => sum + statSync(file).size, 0) / 1e6);

  // Alternate them (twice by default) and keep each one's best: the machine is shared, the load moves.
  const baselineRef = process.env.BENCH_BASELINE;
  const roots: [string, string][] = [['landing', path.dirname(here)], ...(baselineRef ? [['baseline', exportRevision(baselineRef)] as [string, string]] : [])];
  const bare: Timing[] = [];
  const grouped: Timing[] = [];
  const landings = new Map<string, Timing[]>(roots.map(([name]) => [name, []]));
  let landedRows = 0;
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  for (let round = 0; round < rounds; round++) {
    bare.push(await bareReadCsv(files, path.join(work, `bare-${round}.duckdb`)));
    rmSync(path.join(work, `bare-${round}.duckdb`), { force: true });
    grouped.push(await groupedReadCsv(files, path.join(work, `grouped-${round}.duckdb`)));
    rmSync(path.join(work, `grouped-${round}.duckdb`), { force: true });
    const said = [`bare read_csv ${Math.round(bare[round].ms)} ms (${Math.round(bare[round].cpuMs)} ms CPU)`];
    for (const [name, root] of roots) {
      const result = landFolders(root, folders, path.join(work, `${name}-${round}.duckdb`));
      rmSync(path.join(work, `${name}-${round}.duckdb`), { force: true });
      landings.get(name)!.push(result);
      if (name === 'landing') landedRows = result.rows;
      else if (result.rows !== landedRows) process.stderr.write(`${name} landed ${result.rows} rows, this checkout ${landedRows}\n`);
      said.push(`${name} ${Math.round(result.ms)} ms (${Math.round(result.cpuMs)} ms CPU), ${result.rows} rows`);
    }
    process.stderr.write(`round ${round + 1}: ${said.join(', ')}\n`);
  }
  const best = (timings: Timing[], key: keyof Timing) => Math.min(...timings.map((timing) => timing[key]));
  figures.landedRows = landedRows;
  figures.bareReadCsvMs = best(bare, 'ms');
  figures.bareReadCsvCpuMs = best(bare, 'cpuMs');
  figures.groupedReadCsvMs = best(grouped, 'ms');
  for (const [name, timings] of landings) {
    figures[`${name}Ms`] = best(timings, 'ms');
    figures[`${name}CpuMs`] = best(timings, 'cpuMs');
    figures[`${name}OverBareRatio`] = +(best(timings, 'ms') / best(bare, 'ms')).toFixed(2);
    figures[`${name}OverBareCpuRatio`] = +(best(timings, 'cpuMs') / best(bare, 'cpuMs')).toFixed(2);
    figures[`${name}OverGroupedRatio`] = +(best(timings, 'ms') / best(grouped, 'ms')).toFixed(2);
  }
  figures.landingRowsPerSecond = Math.round(landedRows / (best(landings.get('landing')!, 'ms') / 1000));

  for (const part of (process.env.BENCH_PARTS ?? 'appender,large-file').split(',').filter(Boolean)) {
    Object.assign(figures, childFigures(part));
    process.stderr.write(`${JSON.stringify(figures)}\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(JSON.stringify({ bench: 'landing', ...figures }, null, 1));

/** The csv-drop folders to land: the lead's `m` scale when ready, else a synthetic drop. */
async function dropFolders(): Promise<{ folders: string[]; label: string }> {
  const given = process.argv[2] ?? (existsSync('/work/bench-data/m/READY') ? '/work/bench-data/m' : undefined);
  if (given) {
    const inbox = path.join(given, 'inbox');
    const folders = ['wms', 'erp', 'oms', 'amazon'].map((name) => path.join(inbox, name)).filter((folder) => existsSync(folder));
    return { folders, label: `${given} (${folders.map((folder) => path.basename(folder)).join(', ')})` };
  }
  const pairs = Number(process.env.BENCH_PAIRS ?? 100_000);
  const days = Number(process.env.BENCH_DAYS ?? 2);
  const folder = path.join(work, 'synthetic');
  await writeSyntheticDrop(folder, { pairs, days });
  return { folders: [folder], label: `synthetic drop: ${pairs} pairs, ${days} days (/work/bench-data/m/READY missing)` };
}

/**
 * DuckDB alone: each file read by read_csv (sniffed, typed) into a table of its own; one table per
 * file because the simulator's malformed rows make one file's sniffed types refuse another's rows.
 */
interface Timing {
  ms: number;
  cpuMs: number;
}

/** Times `fn` on the wall clock and in this process's CPU (DuckDB's threads included). */
async function timed(fn: () => Promise<void>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * DuckDB alone: each file read by read_csv (sniffed, typed) into a table of its own; one table per
 * file because the simulator's malformed rows make one file's sniffed types refuse another's rows.
 */
async function bareReadCsv(files: string[], file: string): Promise<Timing> {
  const db = await Database.open(file);
  const timing = await timed(() =>
    db.withConnection(async (connection) => {
      for (const [index, csv] of files.entries()) await connection.run(`create table bare_${index} as select * from read_csv(${literal(csv)})`);
    }),
  );
  db.closeSync();
  return timing;
}

/**
 * DuckDB alone at its fastest: the files of one folder and entity (one header) in ONE read_csv
 * into one table, malformed rows skipped (ignore_errors), as the landing reads up to 500 files at
 * once. The stricter baseline of the two.
 */
async function groupedReadCsv(files: string[], file: string): Promise<Timing> {
  const groups = new Map<string, string[]>();
  for (const csv of files) {
    const key = `${path.dirname(csv)}/${path.basename(csv).split('_')[0]}`;
    groups.set(key, [...(groups.get(key) ?? []), csv]);
  }
  const db = await Database.open(file);
  const timing = await timed(() =>
    db.withConnection(async (connection) => {
      for (const [index, list] of [...groups.values()].entries()) {
        await connection.run(`create table grouped_${index} as select * from read_csv(${literal(list)}, ignore_errors = true)`);
      }
    }),
  );
  db.closeSync();
  return timing;
}

/** Lands the folders through the real ingest of the checkout at `root`, in a process of its own. */
function landFolders(root: string, folders: string[], file: string): Timing & { rows: number } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'landing', 'land-folders.ts'), root, file, ...folders], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], cwd: root });
  if (result.status !== 0) throw new Error(`landing with ${root} failed: exit ${result.status}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Timing & { rows: number };
}

/** The files of a git revision of this repository, beside this checkout's node_modules, for a landing to compare with. */
function exportRevision(ref: string): string {
  const root = path.join(work, 'baseline');
  mkdirSync(root);
  const repository = path.dirname(here);
  execFileSync('sh', ['-c', 'git archive "$0" | tar -x -C "$1"', ref, root], { cwd: repository });
  symlinkSync(path.join(repository, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

/** Runs a part in its own process, so its peak memory is its own. */
function childFigures(part: string): Record<string, unknown> {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'landing', `${part}.ts`), work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) return { [`${part}Error`]: `exit ${result.status}` };
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}
