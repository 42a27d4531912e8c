/**
 * A wall-clock time written without an offset (`2026-11-01 06:00:00.123456`, as Frappe stores
 * datetimes in the site's zone) as the UTC instant it names in `timeZone`, ISO-8601. A time the
 * clocks repeated (autumn) reads as its first instant; one they skipped, as an instant beside the gap.
 */
export function utcFromWallClock(wallClock: string, timeZone: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(wallClock.trim());
  if (!match) throw new Error(`invalid wall-clock time: ${wallClock}`);
  const [, year, month, day, hour, minute, second, fraction = ''] = match;
  const asUtc = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  // The zone's offset at the guess, then at the corrected instant (they differ across a DST change).
  let instant = asUtc - offsetMs(asUtc, timeZone);
  instant = asUtc - offsetMs(instant, timeZone);
  return new Date(instant).toISOString();
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`. */
function offsetMs(instant: number, timeZone: string): number {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return wall - (instant - (((instant % 1000) + 1000) % 1000));
}
