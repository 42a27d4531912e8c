import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadConfig, type Config } from '../core/load-config.ts';
import { Database } from '../db/database.ts';
import { duckdbSettings } from '../db/duckdb-settings.ts';
import { buildModels } from '../models/runner/build.ts';
import { pipeline } from '../core/pipeline-coordinator.ts';
import { httpDuration } from '../server/metrics.ts';
import { startServer } from '../server/start-server.ts';
import { openScaleDatabase, rebuildScaleMarts, scale } from './contract-marts-at-scale.ts';

/**
 * The dashboard's endpoints under load: autocannon, 50 connections for 30 s each
 * (STOCKLENS_BENCH_SECONDS), first idle, then while a build runs, at the `m` scale. The server and
 * its build run in a child process, as `stocklens serve` does, so the load generator does not share
 * their event loop. With STOCKLENS_BENCH_M_DIR pointing at a built `m` folder it serves that
 * database and rebuilds its models; otherwise it generates the contract marts at m's shape and
 * re-runs their SQL and the roll-up models. Target: zero errors and p95 under 100 ms while building.
 */
const log = (message: string) => process.stderr.write(`${message}\n`);
const durationS = Number(process.env.STOCKLENS_BENCH_SECONDS ?? 30);
const connections = 50;

type ToServer = { type: 'build' } | { type: 'stop' };
type FromServer =
  | { type: 'ready'; url: string; token: string; mode: string; locations: string[]; skus: string[]; flagged: string[] }
  | { type: 'stopped'; builds: number[]; routes: [string, number, number][]; eventLoop: EventLoopLoad };

/** How busy the server's event loop was while building: the share of time it ran, and how late its timers fired. */
interface EventLoopLoad {
  utilization: number;
  delayP99Ms: number;
  delayMaxMs: number;
}

async function openTarget(): Promise<{ config: Config; db: Database; mode: string; build: () => Promise<void> }> {
  const mDir = process.env.STOCKLENS_BENCH_M_DIR;
  if (mDir && existsSync(path.join(mDir, 'data', 'stocklens.duckdb'))) {
    const config = loadConfig(path.join(mDir, 'stocklens.config.yaml'));
    // As `stocklens serve` opens it: the config's memory limit (60% of the machine, at most 6 GB), not DuckDB's 80%.
    const db = await Database.open(config.databaseFile, { settings: duckdbSettings(config) });
    return { config, db, mode: `the built m scale in ${mDir}`, build: async () => void (await buildModels(config, db)) };
  }
  const dir = process.env.STOCKLENS_BENCH_API_DIR ?? path.join(os.tmpdir(), 'stocklens-api-bench');
  const { config, db } = await openScaleDatabase(dir, log);
  return {
    config,
    db,
    mode: `generated contract marts at m's shape (${scale.skus} SKUs x ${scale.locations} locations x ${scale.days} days; the real m build was not available)`,
    build: () => rebuildScaleMarts(config, db),
  };
}

/** The child: serves, and rebuilds in a loop once told to, until told to stop. */
async function serveAndBuild(): Promise<void> {
  const send = (message: FromServer) => process.send!(message);
  const { config, db, mode, build } = await openTarget();
  const server = await startServer(config, db, 0);
  const { token } = await server.tokens.create('viewer', 'api bench');
  const skus = (await db.rows<{ sku: string }>('select distinct sku from marts.rpt_sync_priority using sample 2000 rows')).map((row) => row.sku);
  // The SKUs the Sync priority page lists first: where people drill down from.
  const flagged = (await db.rows<{ sku: string }>('select sku from marts.rpt_sync_priority group by sku order by max(exposure) desc, sku limit 20')).map((row) => row.sku);
  let building = false;
  const builds: number[] = [];
  // Every answer but a miss is made on the event loop: when it is busy all the time, requests queue there.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let busySince = performance.eventLoopUtilization();
  let loop: Promise<void> = Promise.resolve();
  process.on('message', async (message: ToServer) => {
    if (message.type === 'build') {
      httpDuration.reset();
      delay.reset();
      delay.enable();
      busySince = performance.eventLoopUtilization();
      building = true;
      loop = (async () => {
        while (building) {
          const started = Date.now();
          await build();
          pipeline.published();
          builds.push((Date.now() - started) / 1000);
        }
      })();
      return;
    }
    building = false;
    delay.disable();
    const eventLoop = { utilization: performance.eventLoopUtilization(busySince).utilization, delayP99Ms: delay.percentile(99) / 1e6, delayMaxMs: delay.max / 1e6 };
    const routes = new Map<string, { le: number; count: number }[]>();
    for (const value of (await httpDuration.get()).values) {
      const labels = value.labels as Record<string, string | number>;
      if (!value.metricName?.endsWith('_bucket')) continue;
      routes.set(String(labels.route), [...(routes.get(String(labels.route)) ?? []), { le: Number(labels.le), count: value.value }]);
    }
    const summary: [string, number, number][] = [...routes].map(([route, buckets]) => {
      const total = Math.max(...buckets.map((bucket) => bucket.count));
      const bound = buckets.sort((a, b) => a.le - b.le).find((bucket) => bucket.count >= 0.95 * total)?.le ?? Infinity;
      return [route, total, bound * 1000];
    });
    await loop;
    send({ type: 'stopped', builds, routes: summary.filter(([, total]) => total > 0).sort(), eventLoop });
    await server.close();
    db.closeSync();
    process.exit(0);
  });
  send({ type: 'ready', url: server.url, token, mode, locations: config.locations.map((l) => l.id), skus, flagged });
}

function next<T extends FromServer['type']>(child: ChildProcess, type: T): Promise<Extract<FromServer, { type: T }>> {
  return new Promise((resolve, reject) => {
    child.on('message', (message: FromServer) => message.type === type && resolve(message as Extract<FromServer, { type: T }>));
    child.once('exit', (code) => reject(new Error(`the bench server exited with ${code}`)));
  });
}

async function load(url: string, token: string, requests: autocannon.Request[]) {
  const latenciesMs: number[] = [];
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    headers: { authorization: `Bearer ${token}` },
    requests,
    setupClient: (client) => client.on('response', (_status: number, _bytes: number, responseTimeMs: number) => latenciesMs.push(responseTimeMs)),
  });
  latenciesMs.sort((a, b) => a - b);
  const at = (p: number) => Math.round(latenciesMs[Math.min(latenciesMs.length - 1, Math.floor((p / 100) * latenciesMs.length))] ?? NaN);
  return { result, p50: at(50), p95: at(95), p99: at(99), max: Math.round(latenciesMs.at(-1) ?? NaN), errors: result.errors + result.timeouts + result.non2xx };
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, STOCKLENS_API_BENCH_CHILD: '1', STOCKLENS_LOG_LEVEL: 'warn' } });
  const ready = await next(child, 'ready');
  const pick = <T>(values: T[]) => values[Math.floor(Math.random() * values.length)];
  // What the dashboard's pages ask for; the SKU drill-down and the mismatch list vary, so they miss the cache.
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
  // The drill-downs vary: a flagged SKU's timeline at some location, a location's mismatch list.
  const variedPaths = [
    () => `/api/sku-timeline?sku=${encodeURIComponent(pick(ready.flagged))}&location=${pick(ready.locations)}`,
    () => `/api/mismatch?location=${pick(ready.locations)}&limit=100`,
  ];
  const dashboard: autocannon.Request[] = [
    ...fixedPaths.map((path) => ({ method: 'GET' as const, path })),
    ...variedPaths.map((vary) => ({ method: 'GET' as const, setupRequest: (request: autocannon.Request) => ({ ...request, path: vary() }) })),
  ];
  // The worst case: every request a timeline of a random SKU that nobody asked for before (no cache).
  const coldDrillDown: autocannon.Request[] = [
    { method: 'GET', setupRequest: (request: autocannon.Request) => ({ ...request, path: `/api/sku-timeline?sku=${encodeURIComponent(pick(ready.skus))}&location=${pick(ready.locations)}` }) },
  ];
  for (const path of [...fixedPaths, ...variedPaths.map((vary) => vary())]) {
    const response = await fetch(`${ready.url}${path}`, { headers: { authorization: `Bearer ${ready.token}` } });
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  }
  log(`api bench on ${ready.mode}: ${durationS} s idle, then twice ${durationS} s while building`);
  const idle = await load(ready.url, ready.token, dashboard);
  const stopped = next(child, 'stopped');
  child.send({ type: 'build' } satisfies ToServer);
  const busy = await load(ready.url, ready.token, dashboard);
  const cold = await load(ready.url, ready.token, coldDrillDown);
  child.send({ type: 'stop' } satisfies ToServer);
  const { builds, routes, eventLoop } = await stopped;

  console.log(`API under load (${ready.mode})`);
  console.log(`  machine: ${os.availableParallelism()} cores, load average ${os.loadavg().map((value) => value.toFixed(1)).join(' / ')} (1/5/15 min) at the end`);
  console.log(`  ${connections} connections, ${durationS} s each. Dashboard mix: ${dashboard.length} requests in rotation (pages, a flagged SKU's timeline, a location's mismatches)`);
  for (const [name, run] of [['dashboard, idle', idle], ['dashboard, building', busy], ['random-SKU timelines, building', cold]] as const) {
    console.log(`  ${name.padEnd(31)} ${String(run.result.requests.total).padStart(7)} requests  ${run.result.requests.average.toFixed(0).padStart(5)} req/s  latency ms p50 ${run.p50}  p95 ${run.p95}  p99 ${run.p99}  max ${run.max}  errors ${run.errors} (timeouts ${run.result.timeouts}, non-2xx ${run.result.non2xx})`);
  }
  console.log(`  builds while loading: ${builds.length} (${builds.map((s) => `${s.toFixed(1)} s`).join(', ')}; the last one finished after the load stopped)`);
  console.log(
    `  server event loop while building, both mixes: busy ${(eventLoop.utilization * 100).toFixed(0)}% of the time, timer delay p99 ${eventLoop.delayP99Ms.toFixed(0)} ms, max ${eventLoop.delayMaxMs.toFixed(0)} ms`,
  );
  console.log('  while building, per route, both mixes (server side from the first middleware, so without the time a request queued for a busy event loop; p95 as a histogram bucket bound):');
  for (const [route, total, p95] of routes) console.log(`    ${route.padEnd(26)} ${String(total).padStart(7)} requests  p95 <= ${p95} ms`);
  console.log(`  ratio p95 building / idle: ${(busy.p95 / idle.p95).toFixed(1)}`);
  console.log(`  target, dashboard mix while building (zero errors, p95 < 100 ms): ${busy.errors === 0 && busy.p95 < 100 ? 'met' : 'NOT met'}`);
}

if (process.env.STOCKLENS_API_BENCH_CHILD) await serveAndBuild();
else await main();
