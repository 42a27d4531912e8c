import { readFileSync, writeFileSync } from 'node:fs';

/**
 * demo.json, written once the demo is built: which version and seed built it and where its data
 * ends. A folder whose stamp matches and whose data ends on the current UTC day is served as it is.
 */
export interface DemoStamp {
  stamp: string;
  built_at: string;
  /** The latest capture of the simulated data: the hour the demo was built at. */
  data_end: string;
}

const demoSeed = 1;
/** Bumped when a built demo from before would lack what this version shows (a new mart, a config key). */
const demoRevision = 2;
const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** What a reusable demo build must have been made by: this package version and seed. */
export const demoStamp = `stocklens ${packageVersion} demo seed ${demoSeed} revision ${demoRevision}`;
export { demoSeed };

export function readDemoStamp(file: string): Partial<DemoStamp> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoStamp>;
  } catch {
    return undefined;
  }
}

export function writeDemoStamp(file: string, dataEnd: string, now: Date): void {
  const stamp: DemoStamp = { stamp: demoStamp, built_at: now.toISOString(), data_end: dataEnd };
  writeFileSync(file, `${JSON.stringify(stamp, null, 2)}\n`);
}

/**
 * Why a built demo cannot be served as it is at `now`, or undefined when it can. A demo built on
 * an earlier UTC day reads stale everywhere ("this week" empty, freshness in days), so it is
 * simulated again up to the present.
 */
export function staleDemoReason(stamp: Partial<DemoStamp> | undefined, now: Date): string | undefined {
  if (!stamp) return 'no demo has been built there yet';
  if (stamp.stamp !== demoStamp) return `it was built by ${stamp.stamp ?? 'an older version'}, not ${demoStamp}`;
  const end = stamp.data_end === undefined ? Number.NaN : Date.parse(stamp.data_end);
  if (Number.isNaN(end)) return 'its demo.json does not say where its data ends';
  if (stamp.data_end!.slice(0, 10) !== now.toISOString().slice(0, 10)) return `its data ends at ${stamp.data_end}, on an earlier day`;
  return undefined;
}
