import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dashboardDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dashboard');

export interface DashboardBundle {
  js: string;
  html: string;
}

/** Bundles the Lit + Plot dashboard in memory at start-up; esbuild does it in well under a second. */
export async function bundleDashboard(): Promise<DashboardBundle> {
  const result = await build({
    entryPoints: [path.join(dashboardDir, 'src/main.ts')],
    bundle: true,
    format: 'esm',
    minify: true,
    sourcemap: false,
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const { readFile } = await import('node:fs/promises');
  return { js: result.outputFiles[0].text, html: await readFile(path.join(dashboardDir, 'index.html'), 'utf8') };
}
