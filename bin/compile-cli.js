// The `stocklens` command compiled to JavaScript, so a call does not transpile its TypeScript
// first: `node bin/compile-cli.js` (run by `npm install`/`npm ci` as `prepare`, and before the
// tests) bundles bin/cli.ts with esbuild into bin/dist (git-ignored), one file per command loaded
// on demand, the packages left in node_modules. bin/stocklens.js runs that build only while it is
// current: a source edited since makes it run the TypeScript through tsx, as before, until the
// next compile.
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'bin', 'dist');
/** The sources the build was made from, each with the size and modification time it had then. */
const inputsFile = path.join(outDir, 'inputs.json');

/** The compiled entry point's URL when the build is there and every source it holds is unchanged; else undefined. */
export function currentCompiledCli() {
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(inputsFile, 'utf8')).inputs;
    for (const [file, size, mtimeMs] of inputs) {
      const stat = statSync(path.join(root, file));
      if (stat.size !== size || stat.mtimeMs !== mtimeMs) return undefined;
    }
  } catch {
    return undefined;
  }
  return pathToFileURL(path.join(outDir, 'cli.js')).href;
}

/** Builds bin/dist afresh: into a folder of its own, then renamed into place, so a command starting meanwhile never sees half a build. */
export async function compileCli() {
  const { build } = await import('esbuild');
  const staging = `${outDir}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['bin/cli.ts'],
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'warning',
    plugins: [sourceLocation],
  });
  const inputs = Object.keys(result.metafile.inputs).map((file) => {
    const stat = statSync(path.join(root, file));
    return [file, stat.size, stat.mtimeMs];
  });
  writeFileSync(path.join(staging, 'inputs.json'), `${JSON.stringify({ inputs })}\n`);
  rmSync(outDir, { recursive: true, force: true });
  try {
    renameSync(staging, outDir);
  } catch (error) {
    // Another compile put its build in place first: the same sources give the same build.
    rmSync(staging, { recursive: true, force: true });
    if (!currentCompiledCli()) throw error;
  }
}

/**
 * Modules find their files (schema.sql, the models, the dashboard) next to themselves through
 * import.meta.url: in the bundle each still names its own source file, relative to bin/dist.
 */
const sourceLocation = {
  name: 'source-location',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const relative = path.relative(outDir, args.path).split(path.sep).join('/');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

// As a script: compiles unless the build is current already.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href && !currentCompiledCli()) {
  await compileCli();
}
