import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/stocklens-cli.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { buildContractDatabase } from './contract-marts.ts';

const tempDir = useTempDir();
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/stocklens.js');
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
  }
  child = undefined;
});

async function contractFiles(): Promise<{ configFile: string; dataDir: string }> {
  const dir = tempDir();
  const { config, db } = await buildContractDatabase(dir);
  db.closeSync();
  return { configFile: config.file, dataDir: config.data_dir };
}

async function serveInChild(configFile: string, dataDir: string): Promise<{ url: string; token: string }> {
  child = spawn(process.execPath, [bin, 'serve', '--config', configFile, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, STOCKLENS_LOG_LEVEL: 'warn' } });
  let stderr = '';
  child.stderr!.on('data', (data) => (stderr += data));
  const stateFile = path.join(dataDir, 'server.json');
  for (let waited = 0; !existsSync(stateFile); waited += 100) {
    if (child.exitCode !== null || waited > 60_000) throw new Error(`serve did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return JSON.parse(readFileSync(stateFile, 'utf8'));
}

describe('stocklens token and sql against the database file and the running server', () => {
  it('creates a token on the file when no server runs, printing only the token on stdout', async () => {
    const { configFile } = await contractFiles();
    const created = runCli(['token', 'create', '--config', configFile, '--role', 'analyst', '--label', 'notebook']);
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^sl_[\w-]{32}\n$/);
    expect(created.stderr).toMatch(/^created analyst token tok_\w+ \(notebook\): keep it secret/);
    const listed = runCli(['token', 'list', '--config', configFile]);
    expect(listed.stdout).toMatch(/tok_\w+\s+analyst\s+notebook/);
    expect(listed.stdout).not.toContain(created.stdout.trim());
  }, 120_000);

  it('sends sql and token commands to the running server, which holds the database', async () => {
    const { configFile, dataDir } = await contractFiles();
    const state = await serveInChild(configFile, dataDir);
    expect(state.url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(statSync(path.join(dataDir, 'server.json')).mode & 0o777).toBe(0o600);

    const csv = runCli(['sql', '--config', configFile, '--format', 'csv', 'select location_id, count(*) as n, min(day) as first_day from marts.agg_mismatch_rate group by 1 order by 1']);
    expect([csv.status, csv.stderr]).toEqual([0, '']);
    expect(csv.stdout).toBe('location_id,n,first_day\nWH-EAST,4,2026-03-02\nWH-WEST,1,2026-03-02\n');
    const json = runCli(['sql', '--config', configFile, '--format', 'json', "select bucket_at, diff_units from marts.fct_mismatch where source = 'shopify' order by 1 limit 1"]);
    expect(JSON.parse(json.stdout)).toEqual([{ bucket_at: '2026-03-02T10:00:00.000Z', diff_units: 2 }]);

    const refused = runCli(['sql', '--config', configFile, 'select * from auth.tokens']);
    expect([refused.status, refused.stderr.trim()]).toEqual([1, 'stocklens: query failed: query refused: auth.* holds secrets and cannot be queried']);

    const created = runCli(['token', 'create', '--config', configFile, '--role', 'viewer']);
    expect(created.status).toBe(0);
    const me = await fetch(`${state.url}/api/me`, { headers: { authorization: `Bearer ${created.stdout.trim()}` } });
    expect(await me.json()).toMatchObject({ role: 'viewer' });

    child!.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
    expect(existsSync(path.join(dataDir, 'server.json'))).toBe(false);
    // With the server gone, the same command opens the file itself.
    const local = runCli(['sql', '--config', configFile, '--format', 'csv', 'select count(*) as n from marts.fct_mismatch']);
    expect(local.stdout).toBe('n\n3\n');
  }, 240_000);
});

describe('stocklens ingest, build, test and retry while the server owns the database', () => {
  it('lands and builds in the running server, with the same progress and summary, and names the holder when it cannot reach it', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'wms'));
    const stock = (stamp: string, units: number) => writeFileSync(path.join(dir, 'wms', `stock_${stamp}_full.csv`), `location_id,sku,on_hand\nWH-EAST,S1,${units}\nWH-EAST,S2,5\n`);
    stock('20261101T000000Z', 10);
    const configFile = path.join(dir, 'stocklens.config.yaml');
    writeFileSync(configFile, 'sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./wms, schedule: "0 0 1 1 *" }\nlocations:\n  - { id: WH-EAST, name: East DC, lead_email: east@example.com }\n');
    expect(runCli(['ingest', '--config', configFile]).status).toBe(0);
    expect(runCli(['build', '--config', configFile]).status).toBe(0);
    const state = await serveInChild(configFile, path.join(dir, 'data'));

    stock('20261102T000000Z', 40);
    const landed = runCli(['ingest', '--config', configFile]);
    expect(landed.status).toBe(0);
    expect(landed.stderr).toContain(`landing in the running server at ${state.url}`);
    expect(landed.stderr).toMatch(/wms\s+succeeded\s+1\s+1\s+2\s/);

    const built = runCli(['build', '--config', configFile, '--select', 'fct_ats_current+']);
    expect([built.status, built.stderr]).toMatchObject([0, expect.stringContaining(`build in the running server at ${state.url}`)]);
    expect(built.stderr).toMatch(/^1\/\d+ OK {3}fct_ats_current \(2 rows, /m);
    expect(built.stderr).toMatch(/^2\/2 OK {3}agg_ats_current \(1 row, /m);
    expect(built.stderr).toMatch(/built 2 of 2 models in .*; checkpoint /);
    const total = runCli(['sql', '--config', configFile, '--format', 'csv', 'select sum(total_units) as total from marts.fct_ats_current']);
    expect(total.stdout).toBe('total\n45\n');
    const tested = runCli(['test', '--config', configFile, '--select', 'fct_ats_current']);
    expect([tested.status, tested.stderr]).toMatchObject([0, expect.stringMatching(/tested \d+ checks in .* \(0 warn, 0 failed, 0 skipped\)/)]);
    expect(runCli(['retry', '--config', configFile]).stderr).toContain('nothing to retry');
    const badSource = runCli(['ingest', '--config', configFile, '--source', 'nope']);
    expect([badSource.status, badSource.stderr.trim()]).toEqual([1, 'stocklens: unknown source nope (configured: wms)']);

    // A server this CLI cannot find (its server.json gone): DuckDB's lock, said in words.
    const stateFile = path.join(dir, 'data', 'server.json');
    renameSync(stateFile, `${stateFile}.away`);
    const blocked = runCli(['build', '--config', configFile]);
    expect(blocked.status).toBe(1);
    expect(blocked.stderr).toContain('is held by another process (is `stocklens serve` running?');
    expect(blocked.stderr).toMatch(/held by .*\(PID \d+\)/);
    renameSync(`${stateFile}.away`, stateFile);
  }, 240_000);
});
