import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
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
