import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const goldenDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../golden');

/** Compares with test/alerts/golden/<name>; UPDATE_GOLDEN=1 (or a missing file) writes it instead. */
export function expectGolden(name: string, actual: string): void {
  const file = path.join(goldenDir, name);
  const normalized = actual.replace(/\r\n/g, '\n');
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, normalized);
  }
  expect(normalized).toBe(readFileSync(file, 'utf8'));
}
