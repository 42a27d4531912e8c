import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench`: runs every bench/*.bench.ts in its own process, one after another (the machine
 * has two cores; benchmarks in parallel would measure each other). Each prints its figures as
 * ratios measured within one run; pass names to run only some: `npm run bench -- landing`. The
 * soak run (bench/soak) is not in the default set: name it.
 */
const benchDir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
// Long runs of their own, run only when named: `npm run bench -- soak` (SOAK_MINUTES, default 30).
const namedOnly: Record<string, string> = { soak: 'soak/soak.ts' };
const files = [
  ...readdirSync(benchDir)
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) => only.length === 0 || only.some((name) => file.includes(name)))
    .sort(),
  ...Object.entries(namedOnly)
    .filter(([name]) => only.includes(name))
    .map(([, file]) => file),
];
if (files.length === 0) {
  process.stderr.write(`no benchmark matches ${only.join(' ')}\n`);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  process.stderr.write(`\n== ${file}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(benchDir, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
