import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A folder for fixtures that several test files share within one run (test/helpers/shared-fixture.ts). */
    sharedFixturesDir: string;
  }
}

/** Runs once per `vitest run`: a folder the test files share, removed when the run ends. */
export default function setup(project: TestProject): () => void {
  // The tests that spawn `stocklens` run the compiled command, as users do, built from these sources.
  const compiled = spawnSync(process.execPath, [path.resolve(import.meta.dirname, '../bin/compile-cli.js')], { encoding: 'utf8' });
  if (compiled.status !== 0) throw new Error(`bin/compile-cli.js failed: ${compiled.stderr}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stocklens-shared-'));
  project.provide('sharedFixturesDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
