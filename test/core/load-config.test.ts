import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { loadConfig } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { defaultMemoryLimit, duckdbSettings } from '../../db/duckdb-settings.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

function write(text: string): string {
  const file = path.join(tempDir(), 'stocklens.config.yaml');
  writeFileSync(file, text);
  return file;
}

const minimal = `
sources:
  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox/wms }
locations:
  - { id: WH-EAST, name: East DC, lead_email: east@example.com }
`;

describe('loadConfig', () => {
  it('applies the defaults and resolves paths against the config folder', () => {
    const file = write(minimal);
    const config = loadConfig(file);
    expect(config.data_dir).toBe(path.join(path.dirname(file), 'data'));
    expect(config.sources[0].path).toBe(path.join(path.dirname(file), 'inbox/wms'));
    expect(config.compareEveryMs).toBe(3_600_000);
    expect(config.mismatch).toEqual({ abs_tol: 0, rel_tol: 0 });
    expect(config.locations[0].truth_source).toBe('wms');
    expect(Object.isFrozen(config.sources[0])).toBe(true);
  });

  it('limits DuckDB to 60% of the machine and at most 6 GB unless the config says otherwise, and DuckDB takes the setting', async () => {
    expect(defaultMemoryLimit(4 * 1024 ** 3)).toBe('2457MB');
    expect(defaultMemoryLimit(64 * 1024 ** 3)).toBe('6144MB');
    const file = write(`${minimal}duckdb: { memory_limit: 1GB, threads: 1 }\n`);
    const config = loadConfig(file);
    expect(duckdbSettings(config)).toEqual({ memory_limit: '1GB', checkpoint_threshold: '256MB', threads: '1', temp_directory: path.join(path.dirname(file), 'data', 'tmp') });
    const db = await Database.open(':memory:', { settings: duckdbSettings(config) });
    expect(await db.one(`select current_setting('memory_limit') as memory_limit, current_setting('threads') as threads, current_setting('checkpoint_threshold') as checkpoint_threshold`)).toEqual({
      memory_limit: '953.6 MiB',
      threads: 1,
      checkpoint_threshold: '244.1 MiB',
    });
    db.closeSync();
    expect(duckdbSettings(loadConfig(write(`${minimal}duckdb: { checkpoint_threshold: 64MB }\n`))).checkpoint_threshold).toBe('64MB');
    expect(() => loadConfig(write(`${minimal}duckdb: { memory_limit: lots }\n`))).toThrow(/duckdb\.memory_limit: .*is not a size such as 6GB or 512MB/);
    expect(() => loadConfig(write(`${minimal}duckdb: { checkpoint_threshold: often }\n`))).toThrow(/duckdb\.checkpoint_threshold: .*is not a size such as 6GB or 512MB/);
  });

  it('names the file, the key path and the expectation when a schedule is not cron', () => {
    const file = write(minimal.replace('path: ./inbox/wms', 'path: ./inbox/wms, schedule: "every 5 min"'));
    expect(() => loadConfig(file)).toThrow(/stocklens\.config\.yaml: sources\[0\]\.schedule: "every 5 min" is not a cron expression/);
  });

  it('reports unknown keys, bad references and missing required keys together', () => {
    const file = write(`
sources:
  - { name: wms, system: wms, connector: csv-drop }
locations:
  - { id: WH-EAST, name: East, colour: red }
channels:
  - { name: web, kind: web, source: shop, locations: [WH-NOWHERE] }
`);
    let error: ConfigError | undefined;
    try {
      loadConfig(file);
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toContain('sources[0].path: connector csv-drop needs a path');
    expect(error!.message).toContain('locations[0]: unknown key "colour"');
    expect(error!.message).toContain('channels[0].source: "shop" is not one of the sources (wms)');
    expect(error!.message).toContain('channels[0].locations[0]: "WH-NOWHERE" is not one of the locations');
  });

  it('refuses number marks on a connector that hands over numbers, a thousands separator equal to the decimal mark, and an unknown time zone', () => {
    const source = (extra: string) => `sources:\n  - { name: erp, system: erp, connector: erpnext, database: { database: erp }, ${extra} }\nlocations:\n  - { id: WH-EAST, name: East DC }\n`;
    expect(() => loadConfig(write(source('decimal: ","')))).toThrow(/sources\[0\]\.decimal: connector erpnext hands over numbers, not text: decimal and thousands are for file exports/);
    expect(() => loadConfig(write(source('timezone: Berlin')))).toThrow(/sources\[0\]\.timezone: "Berlin" is not an IANA time zone/);
    expect(() => loadConfig(write(`${minimal.replace('path: ./inbox/wms', 'path: ./inbox/wms, thousands: "."')}`))).toThrow(/sources\[0\]\.thousands: thousands "\." is also the decimal mark: set decimal: ","/);
    expect(loadConfig(write(source('timezone: Europe/Berlin'))).sources[0]).toMatchObject({ timezone: 'Europe/Berlin', consigned: 'separate', missing_sku: 'barcode' });
  });

  it('substitutes environment variables and names the key of a missing one', () => {
    const file = write(`${minimal}smtp: { host: mail, password: "\${SMTP_PASSWORD}" }\n`);
    expect(loadConfig(file, { SMTP_PASSWORD: 's3cret' }).smtp.password).toBe('s3cret');
    expect(() => loadConfig(file, {})).toThrow(/smtp\.password: environment variable SMTP_PASSWORD is not set/);
  });

  it('points at the line of a YAML syntax error', () => {
    const file = write('sources:\n  - name: [unclosed\n');
    expect(() => loadConfig(file)).toThrow(/stocklens\.config\.yaml:\d+:\d+: not valid YAML/);
  });

  it('tells how to start when the config file is missing', () => {
    expect(() => loadConfig(path.join(tempDir(), 'absent.yaml'))).toThrow(/cannot read the config file: ENOENT.*stocklens demo/);
  });
});
