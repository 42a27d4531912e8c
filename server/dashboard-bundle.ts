import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import type { Request, Response } from 'express';

const dashboardDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dashboard');

export interface DashboardBundle {
  js: string;
  /** The same script gzipped once at start-up, for clients that accept it (every browser). */
  jsGzip: Buffer;
  /** Content hash of the script: its ETag, and the `?v=` that lets browsers cache it for good. */
  hash: string;
  html: string;
  /** esbuild's record of what went into the script (bench/dashboard.bench.ts reports it by package). */
  metafile: Metafile;
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
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = result.outputFiles[0].text;
  const hash = createHash('sha256').update(js).digest('hex').slice(0, 16);
  const template = await readFile(path.join(dashboardDir, 'index.html'), 'utf8');
  const html = template.replace('/assets/app.js', `/assets/app.js?v=${hash}`);
  return { js, jsGzip: gzipSync(js, { level: 9 }), hash, html, metafile: result.metafile };
}

/**
 * Sends the dashboard script: gzipped when the client accepts it, cached for a year when asked
 * for by its hash (the page always links the current hash), revalidated by ETag otherwise.
 */
export function sendDashboardScript(request: Request, response: Response, bundle: DashboardBundle): void {
  const etag = `"${bundle.hash}"`;
  response.type('application/javascript');
  response.set('ETag', etag);
  response.set('Vary', 'Accept-Encoding');
  response.set('Cache-Control', request.query.v === bundle.hash ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (request.get('if-none-match') === etag) return void response.status(304).end();
  if (/\bgzip\b/.test(request.get('accept-encoding') ?? '')) {
    response.set('Content-Encoding', 'gzip');
    return void response.send(bundle.jsGzip);
  }
  response.send(bundle.js);
}
