import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { parseConfig, type Config } from '../core/load-config.ts';
import { Database } from '../db/database.ts';
import { bundleDashboard } from '../server/dashboard-bundle.ts';
import { startServer, type RunningServer } from '../server/start-server.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { signIn } from '../test/helpers/dashboard-tab.ts';
import { startDemoServer } from '../test/helpers/demo-server.ts';

/**
 * The dashboard's two budgets: Weekly health fully drawn within 1.5 s of navigation on
 * the `m` scale served locally, measured in the browser from navigation start to the page's
 * `stocklens:drawn:weekly` performance mark; and the gzipped script under 300 KB.
 * Uses /work/bench-data/m when its READY file exists (or STOCKLENS_BENCH_DATA), the demo otherwise.
 */
const runs = Number(process.env.BENCH_RUNS ?? 5);
const drawnMark = 'stocklens:drawn:weekly';
const navigateMark = 'stocklens:navigate';
const benchData = process.env.STOCKLENS_BENCH_DATA ?? '/work/bench-data/m';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function reportBundle(bundle: Awaited<ReturnType<typeof bundleDashboard>>): void {
  const gzipKb = gzipSync(bundle.js, { level: 9 }).length / 1024;
  console.log(`script: ${(bundle.js.length / 1024).toFixed(0)} KB minified, ${gzipKb.toFixed(1)} KB gzipped (budget 300 KB: ${gzipKb < 300 ? 'within' : 'OVER'})`);
  const byPackage = new Map<string, number>();
  for (const output of Object.values(bundle.metafile.outputs)) {
    for (const [file, input] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? 'dashboard (ours)';
      byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  const top = [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`  minified bytes by package: ${top.map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} KB`).join(', ')}`);
}

function databaseOf(dir: string): string | undefined {
  const configFile = path.join(dir, 'stocklens.config.yaml');
  return existsSync(configFile) ? parseConfig(readFileSync(configFile, 'utf8'), configFile).databaseFile : undefined;
}

/** Generated (READY) and also ingested and built: the bench times the dashboard, not the pipeline. */
function isBuilt(dir: string): boolean {
  const database = databaseOf(dir);
  return (existsSync(path.join(dir, 'READY')) || process.env.STOCKLENS_BENCH_DATA !== undefined) && database !== undefined && existsSync(database);
}

function reasonNotBuilt(dir: string): string {
  if (!existsSync(path.join(dir, 'stocklens.config.yaml'))) return `${dir} is not generated`;
  return `${dir} has no built database yet (stocklens ingest && stocklens build --config ${dir}/stocklens.config.yaml)`;
}

/** A built data set served from a private copy of its database (the original may be in use). */
async function serveBuilt(dir: string): Promise<{ url: string; token: string; label: string; close(): Promise<void> }> {
  const configFile = path.join(dir, 'stocklens.config.yaml');
  const original = parseConfig(readFileSync(configFile, 'utf8'), configFile);
  if (!existsSync(original.databaseFile)) throw new Error(`${original.databaseFile} is missing: build the ${dir} data first (stocklens ingest && stocklens build)`);
  const copy = mkdtempSync(path.join(os.tmpdir(), 'stocklens-bench-'));
  copyFileSync(original.databaseFile, path.join(copy, 'stocklens.duckdb'));
  const manifest = path.join(original.data_dir, 'manifest.json');
  if (existsSync(manifest)) copyFileSync(manifest, path.join(copy, 'manifest.json'));
  const config: Config = { ...original, data_dir: copy, databaseFile: path.join(copy, 'stocklens.duckdb') };
  const db = await Database.open(config.databaseFile);
  const server: RunningServer = await startServer(config, db, 0);
  const { token } = await server.tokens.create('viewer', 'bench');
  return {
    url: server.url,
    token,
    label: `${dir} (${config.locations.length} locations)`,
    async close() {
      await server.close();
      db.closeSync();
      rmSync(copy, { recursive: true, force: true });
    },
  };
}

async function serveDemo(reason: string): Promise<{ url: string; token: string; label: string; close(): Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stocklens-bench-'));
  const demo = await startDemoServer(dir);
  return {
    url: demo.server.url,
    token: demo.token,
    label: `the demo data (${demo.config.locations.length} locations) because ${reason}`,
    async close() {
      await demo.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Milliseconds from navigation start to Weekly health drawn, each run in a fresh browser context (no cache). */
async function firstVisits(browser: Browser, url: string, token: string): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // Signing in sets the session cookie; the timed navigation is the next one.
    await signIn(page, url, token);
    await page.goto(`${url}/#/weekly`);
    await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, drawnMark, { timeout: 60_000 });
    times.push(await page.evaluate((mark) => performance.getEntriesByName(mark)[0].startTime, drawnMark));
    await context.close();
  }
  return times;
}

/** Milliseconds from clicking "Weekly health" on another page to it being drawn (script already loaded). */
async function inAppVisits(browser: Browser, url: string, token: string): Promise<number[]> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await signIn(page, url, token, '/');
  const filters = (await (await fetch(`${url}/api/filters`, { headers: { authorization: `Bearer ${token}` } })).json()) as { locations: { location_id: string }[] };
  const locations = filters.locations.map((l) => l.location_id);
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    // A different location each time, so neither the server's nor the page's cache answers.
    await page.goto(`${url}/#/warehouses`);
    await page.waitForSelector('sl-warehouses-page[data-state="drawn"]', { timeout: 60_000 });
    await page.evaluate(() => performance.clearMarks());
    await page.evaluate((id) => (location.hash = `#/weekly?location=${encodeURIComponent(id)}`), locations[run % locations.length]);
    await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, drawnMark, { timeout: 60_000 });
    times.push(await page.evaluate(([drawn, navigate]) => performance.getEntriesByName(drawn)[0].startTime - performance.getEntriesByName(navigate).at(-1)!.startTime, [drawnMark, navigateMark]));
  }
  await context.close();
  return times;
}

const bundle = await bundleDashboard();
reportBundle(bundle);
const target = isBuilt(benchData) ? await serveBuilt(benchData) : await serveDemo(reasonNotBuilt(benchData));
const browser = await launchBrowser();
try {
  const first = await firstVisits(browser, target.url, target.token);
  const inApp = await inAppVisits(browser, target.url, target.token);
  const firstMedian = median(first.slice(1));
  console.log(`weekly health on ${target.label}:`);
  console.log(`  first visit, navigation start to drawn: ${first.map((t) => t.toFixed(0)).join(', ')} ms (the first with the server's answers uncached); median of the rest ${firstMedian.toFixed(0)} ms (budget 1500 ms: ${firstMedian < 1500 ? 'within' : 'OVER'})`);
  console.log(`  in-app navigation to drawn, another location each time: ${inApp.map((t) => t.toFixed(0)).join(', ')} ms, median ${median(inApp).toFixed(0)} ms`);
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ gzipBytes: gzipSync(bundle.js, { level: 9 }).length, first, inApp }));
} finally {
  await browser.close();
  await target.close();
}
