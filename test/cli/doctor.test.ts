import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/stocklens-cli.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

function setup(dir: string, yaml: string): string {
  mkdirSync(path.join(dir, 'inbox', 'wms'), { recursive: true });
  mkdirSync(path.join(dir, 'inbox', 'shop'), { recursive: true });
  writeFileSync(path.join(dir, 'inbox', 'wms', 'stock_20261201T150000Z.csv'), 'location_id,sku,on_hand\nWH-EAST,A,1\n');
  writeFileSync(path.join(dir, 'inbox', 'wms', 'stock 1 Dec.csv'), 'location_id,sku,on_hand\nWH-EAST,A,1\n');
  const config = path.join(dir, 'stocklens.config.yaml');
  writeFileSync(config, yaml);
  return config;
}

describe('stocklens doctor', () => {
  it('names each source that is never compared, each missing folder and ignored file, with the fix', () => {
    const dir = tempDir();
    const config = setup(
      dir,
      `sources:
  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox/wms }
  - { name: shop, system: ecommerce, connector: csv-drop, quiet_period: 0s, path: ./inbox/shop }
  - { name: erp, system: erp, connector: csv-drop, quiet_period: 0s, path: ./inbox/erp, schedule: "0 6 * * *", max_staleness: 2h }
locations:
  - { id: WH-EAST, name: East DC, truth_source: wms }
  - { id: WH-WEST, name: West DC, truth_source: wms }
`,
    );
    const result = runCli(['doctor', '--config', config], { cwd: dir });
    expect(result.status).toBe(1);
    const lines = result.stderr.split('\n');
    expect(lines).toContain(
      "problem: source shop: no channel publishes through this ecommerce source, so its figures are never compared with the truth (a storefront's available figure is held to a channel's share of the truth's stock)",
    );
    expect(lines).toContain('  fix: add to the config: channels: [{ name: shop, kind: web, source: shop, locations: [WH-EAST, WH-WEST] }] (the locations whose stock it sells)');
    expect(lines).toContain(`problem: source erp: folder ${path.join(dir, 'inbox', 'erp')} does not exist`);
    expect(lines).toContain('warning: source erp: schedule "0 6 * * *" leaves up to 24.0 h between runs, longer than its max_staleness 2h: it reads stale before each run');
    expect(lines).toContain(`warning: ${path.join(dir, 'inbox', 'wms', 'stock 1 Dec.csv')}: ignored by source wms: its name does not follow <entity>_<YYYYMMDDTHHMMSSZ>[_full|_delta].<ext>`);
    expect(lines.at(-2)).toBe(`${config}: 2 problems, 2 warnings`);
  });

  it('passes a setup whose storefront publishes a channel, and flags a location without a truth', () => {
    const dir = tempDir();
    const config = setup(
      dir,
      `sources:
  - { name: erp, system: erp, connector: csv-drop, quiet_period: 0s, path: ./inbox/wms }
  - { name: shop, system: ecommerce, connector: csv-drop, quiet_period: 0s, path: ./inbox/shop }
locations:
  - { id: WH-EAST, name: East DC, truth_source: erp }
  - { id: WH-WEST, name: West DC }
channels:
  - { name: web, kind: web, source: shop, locations: [WH-EAST, WH-WEST] }
`,
    );
    const result = runCli(['doctor', '--config', config], { cwd: dir });
    expect(result.stderr).not.toContain('source shop');
    expect(result.stderr.split('\n')).toContain('problem: location WH-WEST: no truth here (no truth_source, and no wms source to default to): nothing is compared at this location');
    expect(result.stderr).toContain('  fix: set truth_source on WH-WEST in locations: to the source whose counts are right there (erp, shop)');
  });
});
