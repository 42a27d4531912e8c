import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { loadConfig, type Config } from '../core/load-config.ts';
import { Database } from '../db/database.ts';
import { buildModels } from '../models/runner/build.ts';
import { martsPublished } from '../server/marts-published.ts';
import { httpDuration } from '../server/metrics.ts';
import { startServer } from '../server/start-server.ts';
import { buildSql, openScaleDatabase, scale } from './contract-marts-at-scale.ts';

/**
 * The dashboard's endpoints under load while a build runs: autocannon, 50 connections for 30 s
 * (STOCKLENS_BENCH_SECONDS), at the `m` scale. With STOCKLENS_BENCH_M_DIR pointing at a built `m`
 * folder (stocklens generate --scale m, ingest, build) it loads that database and rebuilds its
 * models meanwhile; otherwise it generates the contract marts at m's shape and re-runs their SQL.
 * Target: zero errors and p95 under 100 ms.
 */
const log = (message: string) => process.stderr.write(`${message}\n`);
const durationS = Number(process.env.STOCKLENS_BENCH_SECONDS ?? 30);
const connections = 50;

async function openTarget(): Promise<{ config: Config; db: Database; mode: string; build: () => Promise<void> }> {
  const mDir = process.env.STOCKLENS_BENCH_M_DIR;
  if (mDir && existsSync(path.join(mDir, 'data', 'stocklens.duckdb'))) {
    const config = loadConfig(path.join(mDir, 'stocklens.config.yaml'));
    const db = await Database.open(config.databaseFile);
    return { config, db, mode: `the built m scale in ${mDir}`, build: async () => void (await buildModels(config, db)) };
  }
  const dir = process.env.STOCKLENS_BENCH_API_DIR ?? path.join(os.tmpdir(), 'stocklens-api-bench');
  const { config, db } = await openScaleDatabase(dir, log);
  return { config, db, mode: `generated contract marts at m's shape (${scale.skus} SKUs x ${scale.locations} locations x ${scale.days} days; set STOCKLENS_BENCH_M_DIR for the real build)`, build: () => db.run(buildSql) };
}

const { config, db, mode, build } = await openTarget();
const server = await startServer(config, db, 0);
const { token } = await server.tokens.create('viewer', 'api bench');
const locations = config.locations.map((location) => location.id);
const skus = (await db.rows<{ sku: string }>('select distinct sku from marts.rpt_sync_priority using sample 2000 rows')).map((row) => row.sku);
const pick = <T>(values: T[]) => values[Math.floor(Math.random() * values.length)];

// What the dashboard's pages ask for; the SKU drill-down and mismatch list vary, so they miss the cache.
const fixedPaths = [
  '/api/me',
  '/api/filters',
  '/api/weekly-health',
  '/api/ats',
  '/api/ats-daily?from=2026-03-09',
  '/api/mismatch-rate?grain=week',
  '/api/warehouses?from=2026-03-09&to=2026-03-15',
  '/api/sync-priority?needs_faster_sync=true&limit=100',
  '/api/cancellations?grain=week',
  '/api/order-lines?stock_cause=confirmed&limit=100',
  '/api/freshness',
  '/api/models/runs?limit=100',
];
const variedPaths = [
  () => `/api/sku-timeline?sku=${encodeURIComponent(pick(skus))}&location=${pick(locations)}`,
  () => `/api/mismatch?location=${pick(locations)}&limit=100`,
];
const requests: autocannon.Request[] = [
  ...fixedPaths.map((path) => ({ method: 'GET' as const, path })),
  ...variedPaths.map((next) => ({ method: 'GET' as const, setupRequest: (request: autocannon.Request) => ({ ...request, path: next() }) })),
];

log(`api bench on ${mode}`);
for (const path of [...fixedPaths, ...variedPaths.map((next) => next())]) {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
}
httpDuration.reset();

let building = true;
let builds = 0;
const buildDurationsS: number[] = [];
const buildLoop = (async () => {
  while (building) {
    const started = Date.now();
    await build();
    martsPublished();
    builds += 1;
    buildDurationsS.push((Date.now() - started) / 1000);
  }
})();

const latenciesMs: number[] = [];
const result = await autocannon({
  url: server.url,
  connections,
  duration: durationS,
  headers: { authorization: `Bearer ${token}` },
  requests,
  setupClient: (client) => client.on('response', (_status: number, _bytes: number, responseTimeMs: number) => latenciesMs.push(responseTimeMs)),
});
building = false;
await buildLoop;

latenciesMs.sort((a, b) => a - b);
const percentile = (p: number) => latenciesMs[Math.min(latenciesMs.length - 1, Math.floor((p / 100) * latenciesMs.length))];
const errors = result.errors + result.timeouts + result.non2xx;
const routes = (await httpDuration.get()).values.filter((value) => value.metricName?.endsWith('_bucket'));
const perRoute = new Map<string, { le: number; count: number }[]>();
for (const value of routes) {
  const labels = value.labels as Record<string, string | number>;
  perRoute.set(String(labels.route), [...(perRoute.get(String(labels.route)) ?? []), { le: Number(labels.le), count: value.value }]);
}

console.log(`API under load while building (${mode})`);
console.log(`  ${connections} connections for ${durationS} s: ${result.requests.total} requests, ${result.requests.average.toFixed(0)} req/s`);
console.log(`  latency ms: p50 ${percentile(50)}  p95 ${percentile(95)}  p99 ${percentile(99)}  max ${latenciesMs.at(-1)}`);
console.log(`  errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}`);
console.log(`  builds during the run: ${builds} (${buildDurationsS.map((s) => `${s.toFixed(1)} s`).join(', ')})`);
console.log('  p95 per route (server side, histogram bucket bound):');
for (const [route, buckets] of [...perRoute].sort()) {
  const total = Math.max(...buckets.map((bucket) => bucket.count));
  if (total === 0) continue;
  const bound = buckets.sort((a, b) => a.le - b.le).find((bucket) => bucket.count >= 0.95 * total)!.le;
  console.log(`    ${route.padEnd(26)} ${String(total).padStart(7)} requests  p95 <= ${bound * 1000} ms`);
}
const ok = errors === 0 && percentile(95) < 100;
console.log(`  target (zero errors, p95 < 100 ms): ${ok ? 'met' : 'NOT met'}`);
await server.close();
db.closeSync();
process.exit(0);
