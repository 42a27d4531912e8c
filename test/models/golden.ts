import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectGoldenIn } from '../helpers/golden.ts';

const goldenDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');

/** Compares text with test/models/golden/<name> (see expectGoldenIn). */
export function expectGolden(name: string, text: string): void {
  expectGoldenIn(goldenDir, name, text);
}
