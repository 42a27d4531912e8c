// Part of bench/landing.bench.ts: one large csv-drop file landed under a DuckDB memory limit.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { writeLines } from './synthetic-drop.ts';

const work = process.argv[2];
const targetBytes = Number(process.env.BENCH_LARGE_MB ?? 1024) * 1e6;
const memoryLimit = process.env.BENCH_MEMORY_LIMIT ?? '1GB';
const folder = path.join(work, 'large');
const line = (index: number) => `WH-${index % 50},SKU-${String(index).padStart(9, '0')},${index % 90},${index % 4},0,1,0,2,0,3,${(index % 90) - 7},physical`;
const rowCount = Math.ceil(targetBytes / (line(123_456).length + 1));
await import('node:fs').then((fs) => fs.mkdirSync(folder, { recursive: true }));
const file = path.join(folder, 'stock_20261101T000000Z_delta.csv');
await writeLines(file, 'location_id,sku,on_hand,committed,reserved_other,damaged,quality_control,safety_stock,in_transit,incoming,available_reported,quantity_semantics', function* () {
  for (let index = 0; index < rowCount; index++) yield line(index);
});
const config = parseConfig(`data_dir: ${JSON.stringify(work)}\nsources:\n  - { name: big, system: wms, connector: csv-drop, quiet_period: 0s, path: ${JSON.stringify(folder)} }\n`, path.join(work, 'large.yaml'));
const db = await Database.open(path.join(work, 'large.duckdb'), { settings: { memory_limit: memoryLimit, temp_directory: path.join(work, 'spill') } });
const baseline = peakRssBytes();
const started = performance.now();
const [summary] = await runIngest(config, db);
const ms = performance.now() - started;
db.closeSync();
if (summary.rows !== rowCount) throw new Error(`landed ${summary.rows} of ${rowCount}: ${summary.error}`);
console.log(JSON.stringify({
  largeFileMb: Math.round(statSync(file).size / 1e6),
  largeFileRows: rowCount,
  largeFileMemoryLimit: memoryLimit,
  largeFileLandingMs: Math.round(ms),
  largeFilePeakRssMb: Math.round(peakRssBytes() / 1e6),
  baselineRssMb: Math.round(baseline / 1e6),
}));

/** VmHWM: the kernel's high-water mark of this process's resident memory. */
function peakRssBytes(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : process.memoryUsage().rss;
}
