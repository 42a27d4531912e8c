import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '../../db/database.ts';
import { generate } from '../../fixtures/generate.ts';
import { replayInbox, type InboxReplay } from '../../fixtures/replay-inbox.ts';
import { compareDatabases } from './compare-runs.ts';
import { startLoad, type Tally, type Target } from './load.ts';

/**
 * `npm run bench -- soak`: the serving process under everything at once for SOAK_MINUTES (30):
 * the simulator's history replayed hour by hour (SOAK_DAYS simulated days spread over the run),
 * each hour landed and built through the API, 50 dashboard users, 4 hostile analysts, a storm of
 * webhook deliveries that must be refused, and SIGKILLs of the server at random (every
 * SOAK_KILL_EVERY_S, 120 on average). At the end the same files are landed and built once by a
 * clean process, and the two databases must hold the same ledger, raw counts and marts; the
 * dashboard users' 5xx (and requests with no answer) are counted outside the kill windows (from a
 * kill until the new process answers /healthz, plus 5 s). Prints the figures for bench/RESULTS.md.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'bin/stocklens.js');
const minutes = Number(process.env.SOAK_MINUTES ?? 30);
const days = Number(process.env.SOAK_DAYS ?? 3);
const killEveryS = Number(process.env.SOAK_KILL_EVERY_S ?? 120);
const users = 50;
const analysts = 4;
const graceMs = 5_000;
const log = (message: string) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function stocklens(configFile: string, args: string[]): string {
  const result = spawnSync(process.execPath, [cli, '-c', configFile, ...args], { encoding: 'utf8', timeout: 30 * 60_000 });
  if (result.status !== 0 && result.status !== 2) throw new Error(`stocklens ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(-2000)}`);
  return result.stdout;
}

/** The replayed config plus a shopify-webhook source for the storm (no delivery of it may land). */
function prepare(outDir: string, dir: string, firstLocation: string): InboxReplay {
  const replay = replayInbox(outDir, dir);
  const text = readFileSync(replay.configFile, 'utf8').replace(
    /^locations:/m,
    `  - { name: storm, system: ecommerce, connector: shopify-webhook, webhook_secret: soak-webhook-secret, location_map: { "655441": ${firstLocation} } }\nlocations:`,
  );
  writeFileSync(replay.configFile, text);
  return replay;
}

class Server {
  process: ChildProcess | undefined;
  url: string | undefined;
  constructor(private readonly configFile: string) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, [cli, '-c', this.configFile, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    let said = '';
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (data: Buffer) => {
        said += data.toString();
        const found = /serving on (http:\/\/\S+)/.exec(said);
        if (found) resolve(found[1]);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}) before it served: ${said.slice(-2000)}`)));
    });
    // Keep draining its output so that it never blocks on a full pipe.
    child.stdout!.resume();
    child.stderr!.resume();
    for (;;) {
      const health = await fetch(`${url}/healthz`).then((response) => response.status, () => 0);
      if (health === 200) break;
      await sleep(200);
    }
    this.url = url;
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    this.url = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}

async function admin(server: Server, token: string, route: string, body: object): Promise<number | string> {
  if (!server.url) return 'down';
  try {
    const response = await fetch(`${server.url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await response.text();
    return response.status;
  } catch {
    return 'refused';
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(process.env.SOAK_DIR ?? os.tmpdir(), 'stocklens-soak-'));
  const outDir = path.join(work, 'out');
  log(`simulating ${days} days into ${outDir}`);
  await generate({ scale: 'demo', seed: 20, outDir, days });
  const firstLocation = /^\s+- id: (\S+)$/m.exec(readFileSync(path.join(outDir, 'stocklens.config.yaml'), 'utf8'))?.[1] ?? 'WH-EAST';
  const replay = prepare(outDir, path.join(work, 'soak'), firstLocation);
  const totalHours = Math.round((replay.lastCapture.getTime() - replay.firstCapture.getTime()) / 3_600_000) + 1;
  // A server in service has its marts built: the first hour is landed and built before it starts.
  replay.revealUntil(replay.firstCapture);
  stocklens(replay.configFile, ['ingest']);
  stocklens(replay.configFile, ['build']);
  const token = (role: string) => stocklens(replay.configFile, ['token', 'create', '--role', role, '--label', `soak ${role}`]).trim();
  const adminToken = token('admin');
  const target: Target = { url: undefined, viewerToken: token('viewer'), analystTokens: Array.from({ length: analysts }, () => token('analyst')), webhookSource: 'storm' };

  const server = new Server(replay.configFile);
  await server.start();
  target.url = server.url;
  const tally: Tally = { statuses: new Map(), dashboardFailures: [], requests: 0 };
  const stopLoad = startLoad(target, { users, analysts, stormPerSecond: 20 }, tally);
  const windows: { from: number; to: number }[] = [];
  const started = Date.now();
  const endAt = started + minutes * 60_000;
  log(`soak for ${minutes} min: ${totalHours} simulated hours, ${users} dashboard users, ${analysts} analysts, a webhook storm, a SIGKILL every ~${killEveryS} s`);

  let stopping = false;
  const killer = (async () => {
    for (;;) {
      await sleep(killEveryS * 1000 * (0.5 + Math.random()));
      if (stopping || Date.now() > endAt - 30_000) return;
      const from = Date.now();
      await server.kill('SIGKILL');
      target.url = undefined;
      await server.start();
      target.url = server.url;
      windows.push({ from, to: Date.now() + graceMs });
      log(`killed and restarted in ${((Date.now() - from) / 1000).toFixed(1)} s`);
    }
  })();

  let hoursRevealed = 1;
  const admins = { ingest: new Map<string, number>(), build: new Map<string, number>() };
  const note = (map: Map<string, number>, status: number | string) => map.set(String(status), (map.get(String(status)) ?? 0) + 1);
  while (Date.now() < endAt) {
    const due = Math.min(totalHours, Math.ceil(((Date.now() - started) / (endAt - started)) * totalHours));
    if (due > hoursRevealed) {
      replay.revealUntil(new Date(replay.firstCapture.getTime() + (due - 1) * 3_600_000));
      hoursRevealed = due;
    }
    note(admins.ingest, await admin(server, adminToken, '/api/ingest', {}));
    note(admins.build, await admin(server, adminToken, '/api/models/build', {}));
    await sleep(2_000);
  }
  stopping = true;
  await killer;
  await stopLoad();
  log('load stopped; landing and building what is left');
  replay.revealUntil(replay.lastCapture);
  if (!server.url) await server.start();
  for (const route of ['/api/ingest', '/api/ingest', '/api/models/build']) {
    const status = await admin(server, adminToken, route, {});
    if (status !== 200) log(`final ${route}: ${status}`);
  }
  await server.kill('SIGTERM');

  log('clean run over the same files');
  const clean = prepare(outDir, path.join(work, 'clean'), firstLocation);
  clean.revealUntil(clean.lastCapture);
  stocklens(clean.configFile, ['ingest']);
  stocklens(clean.configFile, ['build']);

  const soakDb = await Database.open(path.join(work, 'soak', 'data', 'stocklens.duckdb'), { readOnly: true });
  const cleanDb = await Database.open(path.join(work, 'clean', 'data', 'stocklens.duckdb'), { readOnly: true });
  const comparison = await compareDatabases(soakDb, cleanDb);
  soakDb.closeSync();
  cleanDb.closeSync();

  const inWindow = (at: number) => windows.some((window) => at >= window.from && at <= window.to);
  const outside = tally.dashboardFailures.filter((failure) => !inWindow(failure.at));
  const lines = [
    `soak ${new Date().toISOString().slice(0, 10)}: ${minutes} min, ${hoursRevealed} of ${totalHours} simulated hours revealed during the load (the rest at the end), scale demo, ${days} days`,
    `SIGKILLs: ${windows.length}; kill windows (kill until /healthz answers, +5 s): ${windows.map((window) => `${((window.to - window.from - graceMs) / 1000).toFixed(1)} s`).join(', ') || 'none'}`,
    `ingest calls by status: ${JSON.stringify(Object.fromEntries(admins.ingest))}; build calls: ${JSON.stringify(Object.fromEntries(admins.build))}`,
    `requests: ${tally.requests}; by kind and status: ${JSON.stringify(Object.fromEntries([...tally.statuses].sort()))}`,
    `dashboard 5xx or no answer: ${tally.dashboardFailures.length} in all, ${outside.length} outside the kill windows${outside.length > 0 ? ` (${JSON.stringify(outside.slice(0, 10))})` : ''}`,
    ...comparison.lines,
    `result: ${outside.length === 0 && comparison.equal ? 'PASS' : 'FAIL'}`,
  ];
  for (const line of lines) process.stdout.write(`${line}\n`);
  if (process.env.SOAK_REPORT) appendFileSync(process.env.SOAK_REPORT, `${lines.join('\n')}\n`);
  if (!process.env.SOAK_KEEP) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
  process.exitCode = outside.length === 0 && comparison.equal ? 0 : 1;
}

mkdirSync(os.tmpdir(), { recursive: true });
await main();
