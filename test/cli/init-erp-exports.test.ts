import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/load-config.ts';
import { runCli } from '../helpers/stocklens-cli.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

/**
 * ERP exports as their UIs write them. ERPNext's Stock Balance report (Stock → Stock Balance →
 * Export) with the columns of erpnext/stock/report/stock_balance/stock_balance.py, its Bin report
 * view with the labels of erpnext/stock/doctype/bin/bin.json, and Odoo's Inventory → Reporting →
 * Stock export of stock.quant with the field labels of addons/stock/models/stock_quant.py.
 */
const erpExports: Record<string, string> = {
  'erpnext/stock-balance.csv':
    '"Item","Item Name","Item Group","Warehouse","Stock UOM","Balance Qty","Balance Value","Opening Qty","Opening Value","In Qty","In Value","Out Qty","Out Value","Valuation Rate"\n' +
    '"MUG-1","Mug","Products","Stores - SL","Nos",40,400,30,300,12,120,2,20,10\n"MUG-1","Mug","Products","WH-WEST","Nos",12,120,12,120,0,0,0,0,10\n',
  'erpnext-bins/bin.csv': '"Item Code","Warehouse","Actual Quantity","Reserved Quantity","Ordered Quantity","Projected Qty"\n"MUG-1","Stores - SL",40,2,0,38\n',
  'odoo/quants.csv': '"Product","Location","Lot/Serial Number","Quantity","Reserved Quantity","Unit of Measure"\n"[MUG-1] Mug","WH/Stock","",40,2,"Units"\n',
};

describe('stocklens init on ERP exports', () => {
  it('recognises ERPNext and Odoo exports, says to read their databases, and writes a commented source block to fill in', () => {
    const dir = tempDir();
    const write = (file: string, content: string) => {
      mkdirSync(path.dirname(path.join(dir, 'exports', file)), { recursive: true });
      writeFileSync(path.join(dir, 'exports', file), content);
    };
    write('wms/stock_20260105T150000Z.csv', 'location_id,sku,on_hand,committed\nWH-EAST,MUG-1,40,2\nWH-WEST,MUG-1,12,0\n');
    for (const [file, content] of Object.entries(erpExports)) write(file, content);

    const init = runCli(['init', 'exports', '--yes', '--timezone', 'UTC'], { cwd: dir });
    expect(init.status).toBe(0);
    const said = init.stderr.split('\n');
    expect(said).toContain(
      'set aside exports/erpnext/stock-balance.csv: ERPNext Stock Balance report: Stocklens reads ERPNext from its MariaDB database, not from exports: ' +
        'fill in the commented erpnext source in the config (database host, user, password and database name) and uncomment it; or export location_id, sku, on_hand columns for a csv-drop source',
    );
    expect(said).toContainEqual(expect.stringMatching(/^set aside exports\/erpnext-bins\/bin\.csv: ERPNext Bin export: Stocklens reads ERPNext from its MariaDB database/));
    expect(said).toContainEqual(expect.stringMatching(/^set aside exports\/odoo\/quants\.csv: Odoo stock\.quant export: Stocklens reads Odoo from its PostgreSQL database, not from exports: fill in the commented odoo source/));
    expect(said).toContain('wrote stocklens.config.yaml: 1 sources, 2 locations, 0 channels; truth: wms');

    const text = readFileSync(path.join(dir, 'stocklens.config.yaml'), 'utf8');
    expect(text).toContain('  # ERPNext Stock Balance report exports/erpnext/stock-balance.csv: Stocklens reads ERPNext from its database, not');
    expect(text).toContain('  #   location_map: { "Stores - SL": FILL-IN, WH-WEST: WH-WEST }   # each warehouse (or group warehouse) to a location id: the 2 the export names');
    expect(text).toContain('  #   location_map: { WH/Stock: FILL-IN }   # each location (a complete_name prefix such as WH/Stock) to a location id: the 1 the export names');

    // Done as the comment says (FILL-INs replaced, lines uncommented), the blocks are sources the config accepts.
    const filled = text
      .replace(/^ {2}# (- name: \S+| {2}\S+: .*)$/gm, '  $1')
      .replace(/database: FILL-IN/g, 'database: site_db')
      .replace(/: FILL-IN/g, ': WH-EAST');
    const config = parseConfig(filled, path.join(dir, 'stocklens.config.yaml'), { ERPNEXT_DB_PASSWORD: 'secret', ODOO_DB_PASSWORD: 'secret' });
    const erp = config.sources.filter((source) => source.system === 'erp').map((source) => [source.name, source.connector, source.database?.port, source.database?.password, source.location_map]);
    expect(erp).toEqual([
      ['erpnext', 'erpnext', 3306, 'secret', { 'Stores - SL': 'WH-EAST', 'WH-WEST': 'WH-WEST' }],
      ['erpnext-2', 'erpnext', 3306, 'secret', { 'Stores - SL': 'WH-EAST' }],
      ['odoo', 'odoo', 5432, 'secret', { 'WH/Stock': 'WH-EAST' }],
    ]);
  }, 120_000);

  it('with only an ERP export, writes no config and prints the source block to write by hand', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'exports'));
    writeFileSync(path.join(dir, 'exports', 'quants.csv'), erpExports['odoo/quants.csv']);
    const init = runCli(['init', 'exports', '--yes'], { cwd: dir });
    expect(init.status).toBe(1);
    expect(init.stderr).toContain(
      `stocklens: no export in ${path.join(dir, 'exports')} that Stocklens reads: see the files set aside above; write stocklens.config.yaml by hand (README: Point it at your own files) with the ERP as its source, filled in and uncommented, and its locations:\n`,
    );
    expect(init.stderr).toContain('  #   connector: odoo\n');
    expect(init.stderr).toContain('  #   location_map: { WH/Stock: FILL-IN }');
  }, 60_000);
});
