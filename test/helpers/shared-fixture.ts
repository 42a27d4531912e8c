import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';

/**
 * A fixture folder built once per test run, by the first test file that asks for it, and read by
 * the others: test files run in separate processes, so the first to take the lock (an atomic
 * `mkdir`) builds and the rest wait for its `ready` mark (or its `failed` one, with the reason).
 * Readers must not write to the folder: copy what they change.
 */
export async function sharedFixture(name: string, build: (dir: string) => Promise<void>, timeoutMs = 600_000): Promise<string> {
  const root = inject('sharedFixturesDir');
  const dir = path.join(root, name);
  const ready = `${dir}.ready`;
  const failed = `${dir}.failed`;
  let builder = false;
  try {
    mkdirSync(`${dir}.lock`);
    builder = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (builder) {
    try {
      mkdirSync(dir, { recursive: true });
      await build(dir);
      writeFileSync(ready, '');
    } catch (error) {
      writeFileSync(failed, error instanceof Error ? (error.stack ?? error.message) : String(error));
      throw error;
    }
    return dir;
  }
  for (const started = Date.now(); Date.now() - started < timeoutMs; await sleep(200)) {
    if (existsSync(ready)) return dir;
    if (existsSync(failed)) throw new Error(`the shared fixture ${name} failed to build in another test file:\n${readFileSync(failed, 'utf8')}`);
  }
  throw new Error(`the shared fixture ${name} was not built within ${timeoutMs / 1000} s`);
}
