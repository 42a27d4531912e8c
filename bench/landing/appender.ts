// Part of bench/landing.bench.ts: API-shaped rows through the Appender, staged and landed.
import path from 'node:path';
import { Database } from '../../db/database.ts';
import { ensureLandingSchema } from '../../ingest/ensure-schema.ts';
import { landBatch } from '../../ingest/land-batch.ts';
import { rowsBatch, stageRows, type CellValue } from '../../ingest/stage-rows.ts';

const rowCount = Number(process.env.BENCH_APPENDER_ROWS ?? 1_000_000);
const columns = ['location_id', 'sku', 'source_updated_at', 'on_hand', 'committed', 'reserved_other', 'damaged', 'quality_control', 'safety_stock', 'incoming', 'available_reported', 'quantity_semantics', 'channel'];
const rows: CellValue[][] = Array.from({ length: rowCount }, (_, index) => [
  `WH-${index % 20}`, `SKU-${index}`, '2026-11-01T05:00:00Z', index % 90, index % 4, 0, index % 3, 0, 2, 0, (index % 90) - 6, 'salable', 'web',
]);
const db = await Database.open(path.join(process.argv[2], 'appender.duckdb'));
await ensureLandingSchema(db);

// CPU time beside the wall clock: on a shared machine it is the steadier figure.
const stagedStart = performance.now();
const stagedCpu = process.cpuUsage();
await db.withConnection((connection) => stageRows(connection, { columns, rows }));
const stageMs = performance.now() - stagedStart;
const stageCpuMs = cpuMs(process.cpuUsage(stagedCpu));

const landStart = performance.now();
const batch = rowsBatch({ source: 'api', entity: 'stock', mode: 'full', capturedAt: new Date('2026-11-01T06:00:00Z') }, { columns, rows });
const result = await landBatch(db, batch, batch.stage, { knownLocations: [], maxFullDrop: 0.5 });
const landMs = performance.now() - landStart;
db.closeSync();
if (result.rows !== rowCount) throw new Error(`landed ${result.rows} of ${rowCount}: ${result.error}`);
console.log(JSON.stringify({
  appenderRows: rowCount,
  appenderRowsPerSecond: Math.round(rowCount / (stageMs / 1000)),
  appenderRowsPerCpuSecond: Math.round(rowCount / (stageCpuMs / 1000)),
  apiLandedRowsPerSecond: Math.round(rowCount / (landMs / 1000)),
}));

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}
