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
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../core/load-config.ts';
import { Database, literal } from '../db/database.ts';
import { runIngest } from '../ingest/run-ingest.ts';
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

  // Alternate the two twice and keep each one's best: the machine is shared, the load moves.
  const bare: number[] = [];
  const grouped: number[] = [];
  const landing: number[] = [];
  let landedRows = 0;
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  for (let round = 0; round < rounds; round++) {
    bare.push(await bareReadCsv(files, path.join(work, `bare-${round}.duckdb`)));
    rmSync(path.join(work, `bare-${round}.duckdb`), { force: true });
    grouped.push(await groupedReadCsv(files, path.join(work, `grouped-${round}.duckdb`)));
    rmSync(path.join(work, `grouped-${round}.duckdb`), { force: true });
    const result = await landFolders(folders, path.join(work, `landing-${round}.duckdb`));
    rmSync(path.join(work, `landing-${round}.duckdb`), { force: true });
    landing.push(result.ms);
    landedRows = result.rows;
    process.stderr.write(`round ${round + 1}: bare read_csv ${Math.round(bare[round])} ms, landing ${Math.round(result.ms)} ms, ${result.rows} rows\n`);
  }
  figures.landedRows = landedRows;
  figures.bareReadCsvMs = Math.min(...bare);
  figures.landingMs = Math.min(...landing);
  figures.landingOverBareRatio = +(Math.min(...landing) / Math.min(...bare)).toFixed(2);
  figures.groupedReadCsvMs = Math.min(...grouped);
  figures.landingOverGroupedRatio = +(Math.min(...landing) / Math.min(...grouped)).toFixed(2);
  figures.landingRowsPerSecond = Math.round(landedRows / (Math.min(...landing) / 1000));

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
async function bareReadCsv(files: string[], file: string): Promise<number> {
  const db = await Database.open(file);
  const started = performance.now();
  await db.withConnection(async (connection) => {
    for (const [index, csv] of files.entries()) await connection.run(`create table bare_${index} as select * from read_csv(${literal(csv)})`);
  });
  const ms = performance.now() - started;
  db.closeSync();
  return ms;
}

/**
 * DuckDB alone at its fastest: the files of one folder and entity (one header) in ONE read_csv
 * into one table, malformed rows skipped (ignore_errors), as the landing reads up to 500 files at
 * once. The stricter baseline of the two.
 */
async function groupedReadCsv(files: string[], file: string): Promise<number> {
  const groups = new Map<string, string[]>();
  for (const csv of files) {
    const key = `${path.dirname(csv)}/${path.basename(csv).split('_')[0]}`;
    groups.set(key, [...(groups.get(key) ?? []), csv]);
  }
  const db = await Database.open(file);
  const started = performance.now();
  await db.withConnection(async (connection) => {
    for (const [index, list] of [...groups.values()].entries()) {
      await connection.run(`create table grouped_${index} as select * from read_csv(${literal(list)}, ignore_errors = true)`);
    }
  });
  const ms = performance.now() - started;
  db.closeSync();
  return ms;
}

async function landFolders(folders: string[], file: string): Promise<{ ms: number; rows: number }> {
  const sources = folders.map((folder, index) => `  - { name: s${index}-${path.basename(folder)}, system: wms, connector: csv-drop, path: ${JSON.stringify(folder)} }`).join('\n');
  const config = parseConfig(`data_dir: ${JSON.stringify(path.dirname(file))}\nsources:\n${sources}\n`, path.join(work, 'stocklens.config.yaml'));
  const db = await Database.open(file);
  const started = performance.now();
  const summaries = await runIngest(config, db);
  const ms = performance.now() - started;
  db.closeSync();
  return { ms, rows: summaries.reduce((sum, summary) => sum + summary.rows, 0) };
}

/** Runs a part in its own process, so its peak memory is its own. */
function childFigures(part: string): Record<string, unknown> {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'landing', `${part}.ts`), work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) return { [`${part}Error`]: `exit ${result.status}` };
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}
