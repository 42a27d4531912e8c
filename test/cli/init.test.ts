import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { runCli } from '../helpers/stocklens-cli.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { writeMixedExports } from './helpers/mixed-exports.ts';

const tempDir = useTempDir();
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/stocklens.js');
let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill();
  child = undefined;
});

/** Runs a command in a real terminal (util-linux `script` gives it a pty), answering each question as it appears. */
function inTerminal(cwd: string, args: string[], answers: [RegExp, string][]): Promise<{ output: string; status: number | null }> {
  const command = [process.execPath, bin, ...args].map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
  const terminal = spawn('script', ['-qfec', command, '/dev/null'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let answered = 0;
  terminal.stdout!.on('data', (data: Buffer) => {
    output += data.toString();
    while (answered < answers.length && answers[answered][0].test(output)) terminal.stdin!.write(`${answers[answered++][1]}\r`);
  });
  return new Promise((resolve) => terminal.on('close', (status) => resolve({ output, status })));
}

/** `stocklens serve` in a child; resolves with the sign-in link it prints. */
async function serve(cwd: string): Promise<string> {
  child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child!.stderr!.on('data', (data: Buffer) => {
      stderr += data.toString();
      const link = /^ {2}(http:\/\/\S+\/login\?token=\S+)$/m.exec(stderr)?.[1];
      if (link) resolve(link);
    });
    child!.on('exit', () => reject(new Error(`serve ended: ${stderr}`)));
  });
}

/** Signs in through the printed link and reads an API answer with the session cookie, as the browser does. */
async function signedInGet(link: string, pathAndQuery: string): Promise<{ rows: unknown[][]; columns: string[] }> {
  const login = await fetch(link, { redirect: 'manual' });
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const response = await fetch(new URL(pathAndQuery, link), { headers: { cookie } });
  expect(response.status).toBe(200);
  return (await response.json()) as { rows: unknown[][]; columns: string[] };
}

describe('stocklens init', () => {
  it('turns a folder of mixed real exports into a config that ingests, builds and serves a dashboard with mismatches (flags)', async () => {
    const dir = tempDir();
    writeMixedExports(path.join(dir, 'exports'));
    const init = runCli(['init', 'exports', '--yes', '--location', 'East DC=WH-EAST', '--location', 'West DC=WH-WEST', '--timezone', 'Europe/Berlin'], { cwd: dir });
    expect(init.status).toBe(0);
    const said = init.stderr.split('\n');
    expect(said).toContain('exports/shopify: 2 Shopify inventory export files → source shopify (ecommerce)');
    expect(said).toContain('exports/amazon: 1 Amazon FBA inventory report file → source amazon (marketplace)');
    expect(said).toContain('  2 SKUs at WH-EAST, WH-WEST');
    expect(init.stderr).toContain("set aside exports/old-shopify/inventory.csv: Shopify's older inventory export (one column per location): export it again in the current layout");
    expect(init.stderr).toContain('set aside exports/erp/bin.csv: ERPNext Bin extract: Stocklens reads ERPNext from its MariaDB database, not from exports: fill in the commented erpnext source in the config');
    expect(said).toContain('wrote stocklens.config.yaml: 3 sources, 3 locations, 1 channels; truth: wms');
    expect(said).not.toContainEqual(expect.stringMatching(/^problem:/));
    const config = readFileSync(path.join(dir, 'stocklens.config.yaml'), 'utf8');
    expect(config).toContain('  - { name: shopify, kind: web, source: shopify, locations: [WH-EAST, WH-WEST] }');
    expect(config).toContain('  - { id: WH-EAST, name: "East DC", kind: warehouse, truth_source: wms }   # found in wms\'s files');
    expect(config).toContain('timezone: Europe/Berlin');

    expect(runCli(['init', 'exports', '--yes'], { cwd: dir }).stderr).toContain('stocklens.config.yaml exists: run stocklens doctor to check it, or stocklens init --force');
    const ingest = runCli(['ingest'], { cwd: dir });
    expect([ingest.status, ingest.stderr]).toEqual([0, expect.stringMatching(/^shopify\s+succeeded\s+2\s+0\s+8\s+0\s/m)]);
    expect(runCli(['build'], { cwd: dir }).status).toBe(0);
    const link = await serve(dir);
    const mismatches = await signedInGet(link, '/api/mismatch?source=shopify');
    const at = (name: string) => mismatches.columns.indexOf(name);
    expect(mismatches.rows.map((row) => [row[at('location_id')], row[at('sku')], row[at('system_units')]])).toEqual([
      ['WH-EAST', 'MUG-1', 45],
      ['WH-EAST', 'MUG-1', 45],
    ]);

    // The dashboard, signed in through the printed link, shows times in the zone init wrote (16:00 UTC is 17:00 in Berlin in January).
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(link);
      await page.goto(new URL('/#/data-health', link).toString());
      const cells = page.locator('sl-data-table[data-table="freshness"] tbody td');
      await expect.poll(async () => (await cells.allTextContents()).join(' | '), { timeout: 60_000 }).toContain('Jan 5, 17:00 GMT+1');
    } finally {
      await browser.close();
    }
  }, 240_000);

  it('asks in a real terminal for what the files cannot say, and writes the answers', async () => {
    const dir = tempDir();
    writeMixedExports(path.join(dir, 'exports'));
    const { output, status } = await inTerminal(dir, ['init', 'exports'], [
      [/Which location is shopify's "East DC" \(WH-EAST, WH-WEST, or Enter to skip it\)\? \[\]: /, 'WH-EAST'],
      [/Which location is shopify's "West DC" .*\[\]: /, ''],
      [/Compare shopify's available figures with the truth at \(comma-separated, or "none"\) \[WH-EAST\]: /, ''],
    ]);
    expect(status).toBe(0);
    expect(output).toContain(`shopify's location "West DC" is none of WH-EAST, WH-WEST: its rows are quarantined until you add it to location_map (stocklens init --location "West DC=ID")`);
    const config = readFileSync(path.join(dir, 'stocklens.config.yaml'), 'utf8');
    expect(config).toContain('location_map: { "East DC": WH-EAST }');
    expect(config).toContain('  - { name: shopify, kind: web, source: shopify, locations: [WH-EAST] }');
  }, 120_000);
});
