import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { twoWarehouses, writeFiles } from './helpers/ingest-setup.ts';

const tempDir = useTempDir();
const sources = ['wms', 'erp', 'oms', 'pos'];
const filesPerSource = 5;
const rowsPerFile = 400;

/** Each source: stock deltas (one bad line each) and events, two headers, so two groups a source. */
function writeInbox(dir: string): string {
  for (const [index, source] of sources.entries()) {
    const files: Record<string, string> = {};
    for (let file = 0; file < filesPerSource; file++) {
      const stamp = `202611${String(file + 1).padStart(2, '0')}T0${index}0000Z`;
      const stock = ['location_id,sku,on_hand,committed'];
      for (let row = 0; row < rowsPerFile; row++) stock.push(`WH-EAST,${source}-${file}-${row},${row % 40},${row % 3}`);
      stock.push(`WH-EAST,${source}-${file}-bad,lots,0`);
      files[`stock_${stamp}_delta.csv`] = `${stock.join('\n')}\n`;
      files[`events_${stamp}.csv`] = `event_id,occurred_at,location_id,sku,delta,reason\n${source}-E${file},2026-11-0${file + 1}T00:10:00Z,WH-EAST,${source}-${file}-1,-1,sale\n`;
    }
    writeFiles(dir, `inbox/${source}`, files);
  }
  return `sources:\n${sources.map((source) => `  - { name: ${source}, system: wms, connector: csv-drop, quiet_period: 0s, path: ${JSON.stringify(path.join(dir, 'inbox', source))} }`).join('\n')}\n${twoWarehouses}`;
}

const contents = (db: Database) =>
  db.one(`select
    (select count(*) from raw.stock_snapshot) as stock_rows,
    (select count(*) from raw.inventory_event) as event_rows,
    (select md5(string_agg(t::varchar, '|' order by t::varchar)) from raw.stock_snapshot t) as stock_md5,
    (select md5(string_agg(t::varchar, '|' order by t::varchar)) from raw.inventory_event t) as event_md5,
    (select md5(string_agg(concat_ws(',', batch_id, line, "column", reason, raw_line), '|' order by batch_id, line)) from ingest.quarantine) as quarantine_md5,
    (select string_agg(concat_ws(',', batch_id, status, rows, rejected), '|' order by batch_id) from ingest.batches) as ledger`);

describe('landing sources side by side', () => {
  it('lands every batch exactly once when two runs of every source overlap, as landing one source at a time does', async () => {
    const dir = tempDir();
    const yaml = writeInbox(dir);
    const config = parseConfig(`data_dir: ${JSON.stringify(path.join(dir, 'parallel'))}\n${yaml}`, path.join(dir, 'parallel.yaml'));
    const db = await Database.open(config.databaseFile, { settings: { threads: '2' } });
    const sequentialConfig = parseConfig(`data_dir: ${JSON.stringify(path.join(dir, 'sequential'))}\n${yaml}`, path.join(dir, 'sequential.yaml'));
    const sequential = await Database.open(sequentialConfig.databaseFile);
    try {
      // Two overlapping runs of all four sources: each source's landings queue behind each other,
      // different sources land at once on their own connections.
      const [first, second] = await Promise.all([runIngest(config, db), runIngest(config, db)]);
      expect(first.map((summary) => summary.source)).toEqual(sources);
      for (const [index, source] of sources.entries()) {
        const both = [first[index], second[index]];
        expect(both.every((summary) => summary.status === 'succeeded'), source).toBe(true);
        // Every batch was landed by one of the runs and skipped by the other.
        expect(both[0].batches + both[1].batches, source).toBe(2 * filesPerSource);
        expect(both[0].skipped + both[1].skipped, source).toBe(2 * filesPerSource);
        expect(both[0].rows + both[1].rows, source).toBe(filesPerSource * (rowsPerFile + 1));
        expect(both[0].rejected + both[1].rejected, source).toBe(filesPerSource);
      }
      // The database's threads setting, lowered while landings ran, is back.
      expect(await db.one("select current_setting('threads') as threads")).toEqual({ threads: 2 });

      for (const source of sources) await runIngest(sequentialConfig, sequential, { sources: [source] });
      const landed = await contents(db);
      expect(landed).toMatchObject({ stock_rows: sources.length * filesPerSource * rowsPerFile, event_rows: sources.length * filesPerSource });
      expect(landed).toEqual(await contents(sequential));
      expect(await db.one("select count(*) as n from ingest.quarantine where reason like 'on_hand: \"lots\" is not a number'")).toEqual({ n: sources.length * filesPerSource });
    } finally {
      db.closeSync();
      sequential.closeSync();
    }
  });
});
