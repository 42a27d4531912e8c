/**
 * A second `ingest` over an unchanged drop folder, in one run: files the ledger holds at the same
 * path, size and modification time are skipped unread, against the same rerun with the ledger's
 * file stamps cleared, which reads and hashes every file as a ledger without stamps makes it
 * (that rerun also writes the stamps back, a few milliseconds the ingest before stamps did not spend).
 * `node --import tsx bench/ingest-rerun.bench.ts [generated-folder]`; without a folder it generates
 * the demo. BENCH_ROUNDS sets the alternations (default 3; each kind keeps its best).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../core/load-config.ts';
import { Database } from '../db/database.ts';
import { generate } from '../fixtures/generate.ts';
import { runIngest, type SourceSummary } from '../ingest/run-ingest.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'stocklens-rerun-bench-'));
const figures: Record<string, unknown> = {};

try {
  let folder = process.argv[2];
  if (!folder) {
    folder = path.join(work, 'demo');
    const generated = await generate({ scale: 'demo', seed: 1, outDir: folder });
    figures.files = generated.files;
    figures.megabytes = Math.round(generated.bytes / 1e6);
  }
  figures.data = folder;
  // The database lives in the bench's own folder, so a given folder is never written to.
  const config = { ...loadConfig(path.join(folder, 'stocklens.config.yaml')), databaseFile: path.join(work, 'rerun.duckdb') };
  const db = await Database.open(config.databaseFile);
  const timed = async () => {
    const started = performance.now();
    const summaries = await runIngest(config, db);
    return { ms: performance.now() - started, summaries };
  };
  const first = await timed();
  figures.firstIngestMs = Math.round(first.ms);
  figures.batches = sum(first.summaries, 'batches');

  const skipping: number[] = [];
  const hashing: number[] = [];
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  for (let round = 0; round < rounds; round++) {
    const skipped = await timed();
    skipping.push(skipped.ms);
    await db.run('update ingest.batches set file_size_bytes = null, file_mtime_ms = null');
    const hashed = await timed();
    hashing.push(hashed.ms);
    // Both reruns must find the same: every batch already decided, nothing landed.
    if (sum(skipped.summaries, 'batches') !== 0 || sum(hashed.summaries, 'batches') !== 0 || sum(skipped.summaries, 'skipped') !== sum(hashed.summaries, 'skipped')) {
      throw new Error(`a rerun landed something: ${JSON.stringify([skipped.summaries, hashed.summaries].map((list) => list.map(({ source, batches, skipped }) => ({ source, batches, skipped }))))}`);
    }
    figures.skippedFiles = sum(skipped.summaries, 'skipped');
    process.stderr.write(`round ${round + 1}: rerun skipping unchanged files ${Math.round(skipped.ms)} ms, hashing every file ${Math.round(hashed.ms)} ms\n`);
  }
  db.closeSync();
  figures.rerunHashingMs = Math.round(Math.min(...hashing));
  figures.rerunSkippingMs = Math.round(Math.min(...skipping));
  figures.hashingOverSkippingRatio = +(Math.min(...hashing) / Math.min(...skipping)).toFixed(1);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(JSON.stringify({ bench: 'ingest-rerun', ...figures }, null, 1));

function sum(summaries: readonly SourceSummary[], key: 'batches' | 'skipped'): number {
  return summaries.reduce((total, summary) => total + summary[key], 0);
}
