import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectGoldenIn } from '../../helpers/golden.ts';

const goldenDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../golden');

/** Compares with test/alerts/golden/<name> (see expectGoldenIn). */
export function expectGolden(name: string, actual: string): void {
  expectGoldenIn(goldenDir, name, actual);
}
