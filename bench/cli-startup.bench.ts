/**
 * CLI start-up: `npm run bench -- cli-startup` times `stocklens --help` and `stocklens sql "select 1"`
 * on the built demo database, warm, the median of several runs each: the compiled command
 * (bin/stocklens.js running bin/dist) against the same command run from its TypeScript through tsx,
 * and a bare `node -e 0`, all in one run. Prints one JSON line with wall and CPU milliseconds. The
 * target is under a second on a quiet machine: read the ratios when the machine is shared.
 *
 * STOCKLENS_BENCH_DEMO_DIR names a folder `stocklens demo` has built (`./data` after `npm start`);
 * without it the demo is built into a temporary folder first (about a minute). STOCKLENS_BENCH_BASELINE
 * names another checkout's bin/stocklens.js (an earlier commit) to time in the same run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/stocklens.js');
const given = process.env.STOCKLENS_BENCH_DEMO_DIR;
const dir = given ? path.resolve(given) : mkdtempSync(path.join(tmpdir(), 'stocklens-cli-bench-'));
const config = path.join(dir, 'stocklens.config.yaml');
const baseline = process.env.STOCKLENS_BENCH_BASELINE && path.resolve(process.env.STOCKLENS_BENCH_BASELINE);

function run(args: string[], options: { env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...options.env } });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  return result;
}

/** Median wall and CPU (user + system of the child) over `runs` calls, after one that warms the disk cache. */
function median(args: string[], runs = 9): { wallMs: number; cpuMs: number } {
  const samples: { wallMs: number; cpuMs: number }[] = [];
  for (let index = 0; index <= runs; index++) {
    const [started, cpuBefore] = [process.hrtime.bigint(), childrenCpuMs()];
    run(args);
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (index > 0) samples.push({ wallMs, cpuMs: childrenCpuMs() - cpuBefore });
  }
  const middle = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { wallMs: Math.round(middle(samples.map((sample) => sample.wallMs))), cpuMs: Math.round(middle(samples.map((sample) => sample.cpuMs))) };
}

/** CPU time of this process's finished children (Linux: /proc/self/stat cutime + cstime, 100 ticks a second), in ms. */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[13]) + Number(fields[14]);
  return (ticks * 1000) / 100;
}

try {
  if (!given) run([bin, 'demo', '--dir', dir, '--no-serve']);
  run([path.join(root, 'bin/compile-cli.js')]);
  const node = median(['-e', '0']);
  const figures = {
    node,
    compiled: { help: median([bin, '--help']), sql: median([bin, 'sql', '--config', config, 'select 1']) },
    tsx: { help: median(['--import', 'tsx', path.join(root, 'bin/cli.ts'), '--help']), sql: median(['--import', 'tsx', path.join(root, 'bin/cli.ts'), 'sql', '--config', config, 'select 1']) },
    ...(baseline && { baseline: { help: median([baseline, '--help']), sql: median([baseline, 'sql', '--config', config, 'select 1']) } }),
  };
  console.log(JSON.stringify({ bench: 'cli-startup', loadAverage: +loadavg()[0].toFixed(1), ...figures }));
} finally {
  if (!given) rmSync(dir, { recursive: true, force: true });
}
