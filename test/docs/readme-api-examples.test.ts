import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const readme = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md'), 'utf8');
const tempDir = useTempDir();
let demo: DemoServer;

beforeAll(async () => {
  demo = await startDemoServer(tempDir());
}, 300_000);
afterAll(async () => demo?.close());

/** The README's API section's shell block, one command per entry (continuation lines joined). */
function apiExamples(): string[] {
  const section = readme.slice(readme.indexOf('## API and sign-in'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((line) => line.startsWith('curl '));
}

/** Runs one README command as written, against the demo server (in this process: so never synchronously), with an analyst token in $TOKEN. */
async function run(command: string, token: string): Promise<string> {
  const local = command.replace(/http:\/\/localhost:3000/g, demo.server.url).replace(/\s*>\s*mismatch\.csv.*$/, '');
  const { stdout } = await promisify(execFile)('bash', ['-c', local], { env: { ...process.env, TOKEN: token }, encoding: 'utf8', maxBuffer: 1 << 30 });
  return stdout;
}

describe("the README's API examples, run against the demo", () => {
  it('each returns rows, and the CSV download holds every mismatch, not a first page', async () => {
    const { token } = await demo.server.tokens.create('analyst', 'readme');
    const examples = apiExamples();
    expect(examples).toHaveLength(3);
    const [page, download, query] = await Promise.all(examples.map((command) => run(command, token)));

    const answer = JSON.parse(page) as { rows: unknown[]; total: number };
    expect(answer.rows.length).toBeGreaterThan(0);
    expect(answer.rows.length).toBe(Math.min(50, answer.total));

    const lines = download.trimEnd().split('\n');
    const [{ n }] = (await demo.db.rows<{ n: number }>('select count(*) as n from marts.fct_mismatch')).map((row) => ({ n: Number(row.n) }));
    expect(n).toBeGreaterThan(1000);
    expect(lines.length - 1).toBe(n);

    const counted = JSON.parse(query) as { rows: [string, number][] };
    expect(counted.rows.length).toBeGreaterThan(0);
    expect(counted.rows.reduce((sum, [, count]) => sum + Number(count), 0)).toBe(n);
  }, 120_000);
});
