import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const goldenDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');

/**
 * Compares text with test/models/golden/<name>: the file is written when it does not exist yet
 * (or with UPDATE_GOLDEN=1), then reviewed and committed; after that any change fails the test.
 */
export function expectGolden(name: string, text: string): void {
  const file = path.join(goldenDir, name);
  if (!existsSync(file) || process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, text);
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
}
