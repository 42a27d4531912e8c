import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/**
 * Compares text with the golden file `<dir>/<name>`. `UPDATE_GOLDEN=1` writes it instead, to be
 * reviewed and committed; a golden file that is missing fails the test (a renamed or deleted one
 * must not pass by writing itself anew).
 */
export function expectGoldenIn(dir: string, name: string, text: string): void {
  const file = path.join(dir, name);
  const normalized = text.replace(/\r\n/g, '\n');
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, normalized);
  }
  if (!existsSync(file)) throw new Error(`golden file ${path.relative(process.cwd(), file)} is missing: run the test with UPDATE_GOLDEN=1 to write it, then review and commit it`);
  expect(normalized).toBe(readFileSync(file, 'utf8'));
}
