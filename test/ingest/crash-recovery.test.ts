import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { twoWarehouses, writeFiles } from './helpers/ingest-setup.ts';

const tempDir = useTempDir();
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
// The child is bundled once, so each of the trials starts plain node instead of compiling
// TypeScript again; it sits under node_modules/.cache so its packages resolve from the repository.
const child = path.join(root, 'node_modules/.cache/stocklens-test/land-child.mjs');

beforeAll(async () => {
  mkdirSync(path.dirname(child), { recursive: true });
  await build({ entryPoints: [path.join(here, 'helpers/land-child.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: child, logLevel: 'error' });
  copyFileSync(path.join(root, 'ingest/schema.sql'), path.join(path.dirname(child), 'schema.sql'));
});
const trials = 20;
const filesPerTrial = 6;
const rowsPerFile = 1500;

/** A deterministic PRNG so a failing trial can be replayed. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stockFile(index: number): string {
  const lines = ['location_id,sku,on_hand,committed'];
  for (let row = 0; row < rowsPerFile; row++) lines.push(`WH-EAST,S${index}-${row},${row % 50},${row % 3}`);
  // One bad line per file, so quarantine writes are part of every batch's transaction.
  lines.push(`WH-EAST,BAD-${index},many,0`);
  return `${lines.join('\n')}\n`;
}

/**
 * Starts the child and kills it with SIGKILL `delayMs` after it began landing (undefined: lets it
 * finish). Resolves with how it ended and how long it landed.
 */
function landAndKill(configFile: string, delayMs: number | undefined): Promise<{ outcome: 'killed' | 'finished'; landingMs: number }> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, [child, configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let killed = false;
    let landingAt = Date.now();
    process_.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('landing')) {
        landingAt = Date.now();
        if (delayMs !== undefined) setTimeout(() => (killed = process_.kill('SIGKILL')), delayMs);
      }
    });
    process_.on('error', reject);
    process_.on('exit', (code, signal) => {
      const landingMs = Date.now() - landingAt;
      if (signal === 'SIGKILL' || killed) resolve({ outcome: 'killed', landingMs });
      else if (code === 0) resolve({ outcome: 'finished', landingMs });
      else reject(new Error(`child exited with ${code}`));
    });
  });
}

/** Two sources of half the files each, so that kills also hit two sources landing side by side. */
function trialFolder(dir: string): string {
  const file = (index: number): [string, string] => [`stock_202611${String(index + 1).padStart(2, '0')}T000000Z_delta.csv`, stockFile(index)];
  writeFiles(dir, 'inbox/wms', Object.fromEntries(Array.from({ length: filesPerTrial / 2 }, (_, index) => file(index))));
  writeFiles(dir, 'inbox/erp', Object.fromEntries(Array.from({ length: filesPerTrial / 2 }, (_, index) => file(filesPerTrial / 2 + index))));
  const sources = ['wms', 'erp'].map((name) => `  - { name: ${name}, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox/${name} }`).join('\n');
  writeFiles(dir, '.', { 'stocklens.config.yaml': `sources:\n${sources}\n${twoWarehouses}` });
  return path.join(dir, 'stocklens.config.yaml');
}

describe('landing under SIGKILL', () => {
  it('leaves whole batches or none, and a rerun lands the rest exactly once', { timeout: 600_000 }, async () => {
    const random = mulberry32(20261127);
    // An uninterrupted run first: kill times are spread over how long landing takes on this machine now.
    const { landingMs } = await landAndKill(trialFolder(tempDir()), undefined);
    let killedMidway = 0;
    for (let trial = 0; trial < trials; trial++) {
      const configFile = trialFolder(tempDir());
      const { outcome } = await landAndKill(configFile, Math.floor(random() * landingMs));

      const config = loadConfig(configFile);
      const db = await Database.open(config.databaseFile);
      try {
        // Every landed batch has exactly its rows and quarantine; nothing belongs to an unknown batch.
        const partial = await db.rows(`
          select b.batch_id, b.rows, b.rejected, (select count(*) from raw.stock_snapshot s where s.batch_id = b.batch_id) as landed,
                 (select count(*) from ingest.quarantine q where q.batch_id = b.batch_id) as quarantined
          from ingest.batches b
          where b.status = 'landed' and (b.rows <> landed or b.rejected <> quarantined)`);
        expect(partial, `trial ${trial}`).toEqual([]);
        const orphans = await db.one<{ n: number }>('select count(*) as n from raw.stock_snapshot where batch_id not in (select batch_id from ingest.batches)');
        expect(orphans?.n, `trial ${trial}`).toBe(0);
        const before = await db.one<{ n: number }>("select count(*) as n from ingest.batches where status = 'landed'");
        if (outcome === 'killed' && Number(before?.n) < filesPerTrial) killedMidway++;

        const rerun = await runIngest(config, db);
        expect(rerun.reduce((sum, summary) => sum + summary.batches, 0), `trial ${trial}`).toBe(filesPerTrial - Number(before?.n));
        expect(await db.one('select count(*) as rows, count(distinct batch_id) as batches, count(distinct sku) as skus from raw.stock_snapshot'), `trial ${trial}`).toEqual({
          rows: filesPerTrial * rowsPerFile,
          batches: filesPerTrial,
          skus: filesPerTrial * rowsPerFile,
        });
        expect(await db.one('select count(*) as n from ingest.quarantine'), `trial ${trial}`).toEqual({ n: filesPerTrial });
      } finally {
        db.closeSync();
      }
    }
    // The kills must have hit landings in progress, not only a finished or unstarted run.
    expect(killedMidway).toBeGreaterThanOrEqual(trials / 4);
  });
});
