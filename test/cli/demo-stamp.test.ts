import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { demoStamp, readDemoStamp, staleDemoReason, writeDemoStamp } from '../../bin/commands/demo-stamp.ts';

/** `stocklens demo` serves a folder's built demo only while its data is from the current day. */
describe('the demo stamp', () => {
  const now = new Date('2026-12-05T14:20:00Z');

  test('a demo built today by this version is served as it is', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stocklens-demo-stamp-')), 'demo.json');
    writeDemoStamp(file, '2026-12-05T02:00:00Z', new Date('2026-12-05T02:01:30Z'));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ stamp: demoStamp, built_at: '2026-12-05T02:01:30.000Z', data_end: '2026-12-05T02:00:00Z' });
    expect(staleDemoReason(readDemoStamp(file), now)).toBeUndefined();
  });

  test('a demo built on an earlier day is simulated again, saying where its data ends', () => {
    expect(staleDemoReason({ stamp: demoStamp, data_end: '2026-12-04T23:00:00Z' }, now)).toBe('its data ends at 2026-12-04T23:00:00Z, on an earlier day');
  });

  test('a demo from before the data end was recorded, from another version, or none at all is built', () => {
    expect(staleDemoReason({ stamp: demoStamp, built_at: '2026-12-05T01:00:00Z' }, now)).toBe('its demo.json does not say where its data ends');
    expect(staleDemoReason({ stamp: 'stocklens 0.0.1 demo seed 1 revision 1', data_end: '2026-12-05T02:00:00Z' }, now)).toBe(`it was built by stocklens 0.0.1 demo seed 1 revision 1, not ${demoStamp}`);
    expect(staleDemoReason(readDemoStamp(join(tmpdir(), 'no-such-folder', 'demo.json')), now)).toBe('no demo has been built there yet');
  });
});
