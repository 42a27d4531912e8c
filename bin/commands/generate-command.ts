import path from 'node:path';
import { Command, Option } from 'commander';
import { formatDuration } from '../../core/duration.ts';
import { generate } from '../../fixtures/generate.ts';
import { isScaleName, SCALES, type ScaleName } from '../../fixtures/scales.ts';
import { progressLine, say } from '../terminal.ts';

export function generateCommand(): Command {
  return new Command('generate')
    .description("simulate a multi-warehouse business: every system's files, a config wiring them and the ground truth")
    .addOption(new Option('--scale <scale>', 'size of the business').choices(Object.keys(SCALES)).default('demo'))
    .option('--seed <n>', 'random seed: the same seed writes the same bytes', parseSeed, 1)
    .option('--out <folder>', 'where to write inbox/, truth/, webhooks/ and stocklens.config.yaml', './data')
    .option('--weeks <n>', 'length in weeks (default: the scale\'s own)', parseWeeks)
    .action(async (options: { scale: string; seed: number; out: string; weeks?: number }) => {
      if (!isScaleName(options.scale)) throw new Error(`--scale ${options.scale} is not one of ${Object.keys(SCALES).join(', ')}`);
      const outDir = path.resolve(options.out);
      const progress = progressLine(`generate ${options.scale}`);
      const summary = await generate({ scale: options.scale as ScaleName, seed: options.seed, outDir, weeks: options.weeks, onProgress: (done, total) => progress.update(done, total, 'hours') });
      progress.done();
      say(`wrote ${summary.files} files, ${summary.rows.toLocaleString('en')} rows (${(summary.bytes / 1e6).toFixed(0)} MB) for ${summary.skus} SKUs x ${summary.locations} locations over ${summary.days} days in ${formatDuration(summary.durationMs)}`);
      say(`incidents injected: ${Object.entries(summary.incidents).map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
      say(`config: ${path.join(outDir, 'stocklens.config.yaml')}   truth: ${path.join(outDir, 'truth')}`);
    });
}

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed)) throw new Error(`--seed ${text} is not an integer`);
  return seed;
}

function parseWeeks(text: string): number {
  const weeks = Number(text);
  if (!Number.isInteger(weeks) || weeks < 1) throw new Error(`--weeks ${text} is not a whole number of weeks (1 or more)`);
  return weeks;
}
