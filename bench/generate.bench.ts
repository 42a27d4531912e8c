/**
 * Generation throughput: `node --import tsx bench/generate.bench.ts [scale] [outDir]` generates a
 * scale (default demo) and prints one JSON line with the wall and CPU time, rows/s and peak RSS. Peak RSS is
 * sampled every 50 ms (and read from the kernel's high-water mark on Linux).
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../fixtures/generate.ts';
import { isScaleName } from '../fixtures/scales.ts';

const scale = process.argv[2] ?? 'demo';
if (!isScaleName(scale)) {
  console.error(`invalid scale: ${scale} (demo, s, m or l)`);
  process.exit(2);
}
const outDir = process.argv[3] ?? join(tmpdir(), `stocklens-bench-${scale}`);

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
const cpuBefore = process.cpuUsage();
const summary = await generate({ scale, seed: 1, outDir });
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);

console.log(
  JSON.stringify({
    bench: 'generate',
    scale,
    outDir,
    durationMs: summary.durationMs,
    // CPU time of this process: on a shared machine, a steadier figure than the wall clock.
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    rows: summary.rows,
    files: summary.files,
    bytes: summary.bytes,
    rowsPerSecond: Math.round(summary.rows / (summary.durationMs / 1000)),
    peakRssMb: Math.round(Math.max(peakRss, kernelPeakRss()) / 1e6),
    kinds: Object.fromEntries(Object.entries(summary.kinds).map(([kind, totals]) => [kind, totals.rows])),
    incidents: summary.incidents,
    orderLines: summary.orderLines,
  }),
);

/** VmHWM from /proc (Linux): the true peak, including spikes between samples. */
function kernelPeakRss(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
