import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/load-config.ts';
import { runCli } from '../helpers/stocklens-cli.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

describe('stocklens CLI', () => {
  it('prints help for every command', () => {
    const result = runCli(['--help']);
    expect(result.status).toBe(0);
    for (const command of ['demo', 'generate', 'ingest', 'build', 'serve', 'sql']) expect(result.stdout).toContain(command);
    expect(runCli(['sql', '--help']).stdout).toContain('--format <format>');
  });

  it('fails with one clear line and exit code 1 on a malformed config', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'stocklens.config.yaml'), 'sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./in, schedule: "every 5 min" }\n');
    const result = runCli(['ingest'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('stocklens: stocklens.config.yaml: sources[0].schedule: "every 5 min" is not a cron expression (for example "*/15 * * * *")');
    expect(result.stderr).not.toContain('    at ');
  });

  it('names the folder when a source folder is missing, and exits 1', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'stocklens.config.yaml'), 'sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./missing }\n');
    const result = runCli(['ingest'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^wms: folder .*missing does not exist: create it, or set this source's path to the folder its exports land in$/m);
  });

  it('says how to start when there is no database yet', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'stocklens.config.yaml'), 'sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: . }\n');
    const result = runCli(['sql', 'select 1'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/stocklens\.duckdb does not exist yet: run `stocklens ingest` and `stocklens build` first/);
  });

  // The whole demo (simulate ~2M rows, land 11,000 files, build) takes 35-60 s on a loaded 2-core machine.
  it('runs the demo pipeline and answers SQL as csv, json and a table on stdout', () => {
    const dir = tempDir();
    const demo = runCli(['demo', '--dir', dir, '--no-serve']);
    expect(demo.status).toBe(0);
    // Every model builds, however many the stages add.
    expect(demo.stderr).toMatch(/built (\d+) of \1 models/);
    const configFile = path.join(dir, 'stocklens.config.yaml');
    const config = ['--config', configFile];
    // The simulated demo business: every configured location has a truth with some of the 300 SKUs.
    const query = 'select location_id, count(*) as skus from marts.fct_ats_current group by 1 order by 1';
    const rows = JSON.parse(runCli(['sql', ...config, '--format', 'json', query]).stdout) as { location_id: string; skus: number }[];
    expect(rows.map((row) => row.location_id)).toEqual(loadConfig(configFile).locations.map((location) => location.id).sort());
    for (const row of rows) {
      expect(row.skus).toBeGreaterThan(0);
      expect(row.skus).toBeLessThanOrEqual(300);
    }
    const csv = runCli(['sql', ...config, '--format', 'csv', query]);
    expect(csv.stdout).toBe(`location_id,skus\n${rows.map((row) => `${row.location_id},${row.skus}`).join('\n')}\n`);
    const table = runCli(['sql', ...config, query]).stdout.split('\n');
    expect(table[0]).toMatch(/^location_id\s+skus$/);
    expect(table.slice(2, 2 + rows.length).map((line) => line.split(/\s+/))).toEqual(rows.map((row) => [row.location_id, String(row.skus)]));
    const failed = runCli(['sql', ...config, 'select * from no_such_table']);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('query failed: Catalog Error');
  }, 240_000);

  it('generates a simulated business whose config loads and names every inbox folder', () => {
    const dir = tempDir();
    const result = runCli(['generate', '--scale', 'demo', '--weeks', '1', '--seed', '7', '--out', dir]);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/wrote \d+ files, [\d,]+ rows .* for 300 SKUs x 5 locations over 7 days/);
    const config = loadConfig(path.join(dir, 'stocklens.config.yaml'));
    for (const source of config.sources.filter((s) => s.path)) expect(readdirSync(source.path!).length).toBeGreaterThan(0);
    expect(existsSync(path.join(dir, 'truth', 'incidents.csv'))).toBe(true);
    expect(runCli(['generate', '--weeks', '0', '--out', dir]).stderr).toContain('--weeks 0 is not a whole number of weeks');
  });
});
