/**
 * CLI start-up: `node --import tsx bench/cli-startup.bench.ts` times `stocklens --help` and
 * `stocklens sql "select 1"` (on a small database) warm, the median of several runs each, against
 * a bare `node -e 0` measured in the same run, and prints one JSON line. The target is under a second
 * on a quiet machine: read the ratios when the machine is shared.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// STOCKLENS_BIN compares another checkout's command in the same conditions.
const bin = process.env.STOCKLENS_BIN ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/stocklens.js');
const dir = mkdtempSync(path.join(tmpdir(), 'stocklens-cli-bench-'));
mkdirSync(path.join(dir, 'inbox'));
writeFileSync(path.join(dir, 'inbox', 'stock_20260105T000000Z.csv'), 'location_id,sku,on_hand\nWH-EAST,A,1\n');
writeFileSync(path.join(dir, 'stocklens.config.yaml'), 'sources:\n  - { name: wms, system: wms, connector: csv-drop, path: ./inbox }\nlocations:\n  - { id: WH-EAST, name: East DC }\n');

const medianMs = (args: string[], runs = 7): number => {
  const times: number[] = [];
  for (let run = 0; run < runs + 1; run++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
    // The first run warms the disk cache and tsx's transform cache.
    if (run > 0) times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
};

try {
  spawnSync(process.execPath, [bin, 'ingest'], { cwd: dir });
  const nodeMs = medianMs(['-e', '0']);
  const helpMs = medianMs([bin, '--help']);
  const sqlMs = medianMs([bin, 'sql', 'select 1']);
  console.log(JSON.stringify({ bench: 'cli-startup', nodeMs: Math.round(nodeMs), helpMs: Math.round(helpMs), sqlMs: Math.round(sqlMs), helpOverNode: +(helpMs / nodeMs).toFixed(1), sqlOverNode: +(sqlMs / nodeMs).toFixed(1) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
