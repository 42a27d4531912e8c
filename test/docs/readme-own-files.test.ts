import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/stocklens-cli.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Point it at your own files'), readme.indexOf('## Where data lives'));
const tempDir = useTempDir();
let server: ChildProcess | undefined;
afterAll(() => server?.kill());

/** The fenced blocks of the section, in order, with the text just before each (where a file is named). */
function blocks(): { lang: string; body: string; before: string }[] {
  const found: { lang: string; body: string; before: string }[] = [];
  const fence = /```(\w*)\n([\s\S]*?)```/g;
  for (let match = fence.exec(section); match; match = fence.exec(section)) {
    found.push({ lang: match[1], body: match[2].replace(/^ {3}/gm, ''), before: section.slice(Math.max(0, match.index - 200), match.index) });
  }
  return found;
}

describe('README "Point it at your own files", followed as written', () => {
  it('writes the config and files it shows, runs its commands, and serves a dashboard that compares the storefront', async () => {
    const dir = tempDir();
    const all = blocks();
    const config = all.find((block) => block.lang === 'yaml')!;
    writeFileSync(path.join(dir, 'stocklens.config.yaml'), config.body);
    const csvs = all.filter((block) => block.lang === 'csv');
    expect(csvs).toHaveLength(3);
    for (const csv of csvs) {
      const file = [...csv.before.matchAll(/`(inbox\/[^`]+\.csv)`/g)].at(-1)![1];
      mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
      writeFileSync(path.join(dir, file), csv.body);
      // Saved a minute before the ingest, past the 30 s quiet_period the README describes.
      const aMinuteAgo = new Date(Date.now() - 60_000);
      utimesSync(path.join(dir, file), aMinuteAgo, aMinuteAgo);
    }
    const commands = all.filter((block) => block.lang === 'sh').at(-1)!.body.split('\n').filter((line) => line.startsWith('npx stocklens '));
    expect(commands.map((line) => line.split(/\s+/)[2])).toEqual(['doctor', 'ingest', 'build', 'serve']);
    for (const line of commands.slice(0, 3)) {
      const args = line.replace(/#.*$/, '').trim().split(/\s+/).slice(2);
      const result = runCli(args, { cwd: dir });
      expect([line, result.status, result.stderr]).toEqual([line, 0, expect.any(String)]);
      if (args[0] === 'doctor') expect(result.stderr).toContain('every source is read and compared (2 sources, 1 locations)');
    }
    // The delta after the full file keeps the states it leaves out: 118 - 12 - 2 - 4 - 5.
    const ats = runCli(['sql', '--format', 'csv', 'select sku, ats_units, committed, damaged, quality_control, safety_stock from marts.fct_ats_current'], { cwd: dir });
    expect(ats.stdout).toBe('sku,ats_units,committed,damaged,quality_control,safety_stock\nSKU-0001,95,12,2,4,5\n');
    server = spawn(process.execPath, [path.join(root, 'bin/stocklens.js'), 'serve', '--port', '0'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const link = await new Promise<string>((resolve, reject) => {
      server!.stderr!.on('data', (data: Buffer) => {
        stderr += data.toString();
        const found = /Sign in with this link:\n {2}(http:\/\/\S+)\n/.exec(stderr)?.[1];
        if (found) resolve(found);
      });
      server!.on('exit', () => reject(new Error(stderr)));
    });
    const login = await fetch(link, { redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const answer = (await (await fetch(new URL('/api/mismatch', link), { headers: { cookie } })).json()) as { columns: string[]; rows: unknown[][] };
    const at = (name: string) => answer.columns.indexOf(name);
    // The WMS's 120 on hand less 10 committed, 2 damaged, 4 in quality control and 5 safety stock: 99 to sell; the storefront says 110.
    // At 16:00 the storefront, which has said nothing since 15:00, is judged on the truth at 15:00.
    expect(answer.rows.map((row) => [row[at('bucket_at')], row[at('source')], row[at('location_id')], row[at('truth_units')], row[at('system_units')]])).toEqual([
      ['2026-01-05T16:00:00.000Z', 'shop', 'WH-EAST', 99, 110],
      ['2026-01-05T15:00:00.000Z', 'shop', 'WH-EAST', 99, 110],
    ]);
  }, 180_000);
});
