import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/stocklens-cli.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

/**
 * A WMS that sends a full snapshot, then hourly deltas carrying only what its export knows changes
 * (on_hand and committed): the states a delta leaves out must keep their last landed values.
 */
function warehouse(dir: string): { config: string; drop: (name: string, content: string) => void } {
  mkdirSync(path.join(dir, 'inbox', 'wms'), { recursive: true });
  const config = path.join(dir, 'stocklens.config.yaml');
  writeFileSync(config, 'data_dir: ./data\nsources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox/wms }\nlocations:\n  - { id: WH-EAST, name: East DC, truth_source: wms }\n');
  return { config, drop: (name, content) => writeFileSync(path.join(dir, 'inbox', 'wms', name), content) };
}

const currentAts = 'select sku, total_units, ats_units, committed, damaged, quality_control, safety_stock from marts.fct_ats_current order by sku';

describe('a delta file keeps the states it leaves out', () => {
  it('keeps damaged, quality control and safety stock from the full snapshot when a delta carries only on_hand and committed', () => {
    const dir = tempDir();
    const { config, drop } = warehouse(dir);
    const cli = (...args: string[]) => runCli([...args, '--config', config], { cwd: dir });
    drop(
      'stock_20261201T150000Z_full.csv',
      'location_id,sku,on_hand,committed,damaged,quality_control,safety_stock\nWH-EAST,SKU-0001,120,23,2,1,3\nWH-EAST,SKU-0002,40,0,4,0,0\nWH-EAST,SKU-0003,10,0,1,0,0\n',
    );
    expect(cli('ingest').status).toBe(0);
    expect(cli('build').status).toBe(0);
    expect(cli('sql', '--format', 'csv', currentAts).stdout).toBe(
      'sku,total_units,ats_units,committed,damaged,quality_control,safety_stock\nSKU-0001,120,91,23,2,1,3\nSKU-0002,40,36,0,4,0,0\nSKU-0003,10,9,0,1,0,0\n',
    );

    // The user's export: on_hand and committed only. SKU-0001 is unchanged (ATS stays 91, not 97);
    // SKU-0002 takes 5 orders; SKU-0003 is not in the delta at all.
    drop('stock_20261201T160000Z_delta.csv', 'sku,location_id,on_hand,committed\nSKU-0001,WH-EAST,120,23\nSKU-0002,WH-EAST,40,5\n');
    const ingest = cli('ingest');
    expect(ingest.status).toBe(0);
    expect(ingest.stderr).toMatch(/^wms\s+succeeded\s+1\s+1\s+2\s/m);
    expect(cli('build').status).toBe(0);
    const expected = 'sku,total_units,ats_units,committed,damaged,quality_control,safety_stock\nSKU-0001,120,91,23,2,1,3\nSKU-0002,40,31,5,4,0,0\nSKU-0003,10,9,0,1,0,0\n';
    expect(cli('sql', '--format', 'csv', currentAts).stdout).toBe(expected);
    // The hourly (incremental) build and a rebuild from scratch agree.
    expect(cli('build', '--full-refresh').status).toBe(0);
    expect(cli('sql', '--format', 'csv', currentAts).stdout).toBe(expected);

    // A full snapshot restates everything: its absent columns are 0, and a later delta keeps those.
    drop('stock_20261201T170000Z_full.csv', 'location_id,sku,on_hand,committed\nWH-EAST,SKU-0001,120,23\nWH-EAST,SKU-0002,40,5\n');
    drop('stock_20261201T180000Z_delta.csv', 'location_id,sku,on_hand\nWH-EAST,SKU-0001,118\nWH-EAST,SKU-0003,7\n');
    expect(cli('ingest').status).toBe(0);
    expect(cli('build').status).toBe(0);
    const afterFull = 'sku,total_units,ats_units,committed,damaged,quality_control,safety_stock\nSKU-0001,118,95,23,0,0,0\nSKU-0002,40,35,5,0,0,0\nSKU-0003,7,7,0,0,0,0\n';
    expect(cli('sql', '--format', 'csv', currentAts).stdout).toBe(afterFull);
    expect(cli('build', '--full-refresh').status).toBe(0);
    expect(cli('sql', '--format', 'csv', currentAts).stdout).toBe(afterFull);
  }, 300_000);

  it('quarantines an empty cell in a delta, naming the column, the line and the fix, and reads it as 0 in a full snapshot', () => {
    const dir = tempDir();
    const { config, drop } = warehouse(dir);
    const cli = (...args: string[]) => runCli([...args, '--config', config, '--log-format', 'text'], { cwd: dir });
    drop('stock_20261201T150000Z_full.csv', 'location_id,sku,on_hand,committed,damaged\nWH-EAST,SKU-0001,120,23,\nWH-EAST,SKU-0002,40,0,4\n');
    drop('stock_20261201T160000Z_delta.csv', 'location_id,sku,on_hand,committed,damaged\nWH-EAST,SKU-0001,120,20,1\nWH-EAST,SKU-0002,40,,4\n');
    const ingest = cli('ingest');
    const said = ingest.stderr.split('\n');
    expect(said).toContain('1 row quarantined (the rest of their files landed): each with its line and reason on Data health, or stocklens sql "select * from ingest.quarantine"');
    expect(said).toContain(
      '  1 × committed is empty in a delta file, where it is no value: write 0, or leave the committed column out of the file to keep the previous value (inbox/wms/stock_20261201T160000Z_delta.csv line 3)',
    );
    const quarantine = cli('sql', '--format', 'csv', 'select b.file, q.line, q."column", q.reason from ingest.quarantine q join ingest.batches b using (batch_id)');
    expect(quarantine.stdout).toBe(
      'file,line,column,reason\n' +
        `${path.join(dir, 'inbox', 'wms', 'stock_20261201T160000Z_delta.csv')},3,committed,"committed is empty in a delta file, where it is no value: write 0, or leave the committed column out of the file to keep the previous value"\n`,
    );
    expect(cli('sql', '--format', 'csv', "select sku, damaged from raw.stock_snapshot where captured_at = '2026-12-01T15:00:00Z' order by sku").stdout).toBe('sku,damaged\nSKU-0001,0\nSKU-0002,4\n');
  }, 120_000);
});
