import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/stocklens-cli.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

/** A merchant's first folder as the README tells them to write it, with the mistakes people make. */
function firstFolder(dir: string, extraSources = ''): string {
  mkdirSync(path.join(dir, 'inbox', 'wms'), { recursive: true });
  const drop = (name: string, content: string) => writeFileSync(path.join(dir, 'inbox', 'wms', name), content);
  drop('stock_20261201T150000Z.csv', 'location_id,sku,on_hand,committed\nWH-EAST,SKU-0001,120,10\nWH-NORTH,SKU-0001,5,0\n');
  drop('stock_20261201T160000Z.csv', 'location_id,sku,onhand\nWH-EAST,SKU-0001,120\n');
  drop('stock_20261201T170000Z.csv', 'location_id;sku;on_hand\nWH-EAST;SKU-0001;120\n');
  drop('stock_2026-12-01_1500.csv', 'location_id,sku,on_hand\nWH-EAST,SKU-0001,120\n');
  const config = path.join(dir, 'stocklens.config.yaml');
  writeFileSync(
    config,
    `data_dir: ./data\nsources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox/wms }\n${extraSources}locations:\n  - { id: WH-EAST, name: East DC, truth_source: wms }\n`,
  );
  return config;
}

describe('stocklens ingest tells the user about every file that did not land', () => {
  it('names each rejected and ignored file with its reason and fix, exits 2, and says it again on the next run', () => {
    const dir = tempDir();
    const config = firstFolder(dir);
    const first = runCli(['ingest', '--config', config, '--log-format', 'text'], { cwd: dir });
    expect(first.status).toBe(2);
    const lines = first.stderr.split('\n');
    expect(lines).toContain('2 files of wms rejected (none of their rows landed):');
    expect(lines).toContain('  inbox/wms/stock_20261201T160000Z.csv: missing column: a stock file needs on_hand or available_reported; the header has location_id, sku, onhand: rename onhand to on_hand');
    expect(lines).toContain('  inbox/wms/stock_20261201T170000Z.csv: the header is one column "location_id;sku;on_hand": the file is separated by ";", expected comma-separated values');
    expect(lines).toContain('    fix: correct the file and save it again (same name or a new one): the next ingest reads a changed file again');
    expect(lines).toContain("1 file in wms's folder ignored:");
    expect(lines).toContain('  inbox/wms/stock_2026-12-01_1500.csv: its name does not follow <entity>_<YYYYMMDDTHHMMSSZ>[_full|_delta].<ext>');
    expect(first.stderr).toContain('    fix: rename it to stock_20261201T150000Z.csv (if its time is UTC)');
    expect(lines).toContain('1 row quarantined (the rest of their files landed): each with its line and reason on Data health, or stocklens sql "select * from ingest.quarantine"');
    expect(lines).toContain('  1 × unknown location "WH-NORTH": add it to `locations:` in the config, or map it in the source\'s `location_map` (inbox/wms/stock_20261201T150000Z.csv line 3)');
    // No log line in JSON, no stack trace.
    expect(first.stderr).not.toContain('{"level"');
    expect(first.stderr).not.toMatch(/^\s+at /m);

    const quarantine = runCli(['sql', '--config', config, '--format', 'csv', 'select line, reason from ingest.quarantine'], { cwd: dir });
    expect(quarantine.stdout).toBe('line,reason\n3,"unknown location ""WH-NORTH"": add it to `locations:` in the config, or map it in the source\'s `location_map`"\n');

    const again = runCli(['ingest', '--config', config, '--log-format', 'text'], { cwd: dir });
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('  inbox/wms/stock_20261201T160000Z.csv (rejected by an earlier ingest, unchanged since): missing column: a stock file needs on_hand or available_reported');
    expect(again.stderr).toContain('  inbox/wms/stock_2026-12-01_1500.csv: its name does not follow');

    // Corrected in place, the file lands on the next run and the run is clean again.
    writeFileSync(path.join(dir, 'inbox', 'wms', 'stock_20261201T160000Z.csv'), 'location_id,sku,on_hand\nWH-EAST,SKU-0001,120\n');
    writeFileSync(path.join(dir, 'inbox', 'wms', 'stock_20261201T170000Z.csv'), 'location_id,sku,on_hand\nWH-EAST,SKU-0001,118\n');
    const fixed = runCli(['ingest', '--config', config], { cwd: dir });
    expect(fixed.stderr).not.toContain('rejected (none of');
    expect(fixed.stderr).toMatch(/^wms\s+succeeded\s+2\s+1\s+2\s/m);
    expect(fixed.status).toBe(2); // the misnamed file is still there
  }, 120_000);

  it('says a missing drop folder in one line with the fix, lands the other sources, and exits 1', () => {
    const dir = tempDir();
    const config = firstFolder(dir, '  - { name: erp, system: erp, connector: csv-drop, quiet_period: 0s, path: ./inbox/erp }\n');
    const result = runCli(['ingest', '--config', config, '--log-format', 'text'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')).toContain(`erp: folder ${path.join(dir, 'inbox', 'erp')} does not exist: create it, or set this source's path to the folder its exports land in`);
    expect(result.stderr).toMatch(/^wms\s+succeeded\s+3\s/m);
    expect(result.stderr).not.toContain('ENOENT');
    expect(result.stderr).not.toContain('{"level"');
  }, 120_000);

  it('logs one readable line on a terminal format and JSON when asked, with no stack unless --verbose', () => {
    const dir = tempDir();
    const config = firstFolder(dir, '  - { name: erp, system: erp, connector: csv-drop, quiet_period: 0s, path: ./inbox/erp }\n');
    const text = runCli(['ingest', '--config', config, '--log-format', 'text', '--verbose'], { cwd: dir });
    expect(text.stderr).toMatch(/^stocklens debug: ingest run failed: folder .*inbox\/erp does not exist: create it, or set this source's path to the folder its exports land in.* \(source=erp\)$/m);
    expect(text.stderr).toMatch(/^\s+at listDropFolder /m); // --verbose keeps the stack
    const json = runCli(['ingest', '--config', config, '--log-format', 'json', '--verbose'], { cwd: dir });
    const entry = json.stderr.split('\n').find((line) => line.includes('"ingest run failed"'));
    expect(JSON.parse(entry!)).toMatchObject({ level: 20, source: 'erp', msg: 'ingest run failed', err: { type: 'IngestError' } });
  }, 120_000);
});
