import path from 'node:path';
import type { Entity } from './entities.ts';

export interface BatchFileName {
  entity: Entity;
  capturedAt: Date;
  mode: 'full' | 'delta';
  format: 'csv' | 'csv.gz' | 'json' | 'parquet';
}

const pattern = /^(stock|orders|events)_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:_(full|delta))?\.(csv|csv\.gz|json|parquet)$/;

/** Parses `<entity>_<YYYYMMDDTHHMMSSZ>[_full|_delta].<ext>`; undefined when it does not match. */
export function parseBatchFileName(file: string): BatchFileName | undefined {
  const match = pattern.exec(path.basename(file));
  if (!match) return undefined;
  const [, entity, year, month, day, hour, minute, second, mode, format] = match;
  const capturedAt = stampDate(year, month, day, hour, minute, second);
  if (!capturedAt) return undefined;
  // A stock file without a mode is a full snapshot; orders and events are always increments.
  const resolvedMode = (mode as 'full' | 'delta' | undefined) ?? (entity === 'stock' ? 'full' : 'delta');
  return { entity: entity as Entity, capturedAt, mode: resolvedMode, format: format as BatchFileName['format'] };
}

/** The `YYYYMMDDTHHMMSSZ` stamp of a file name as a date; undefined when it is not a real time. */
export function parseStamp(stamp: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  return match ? stampDate(...(match.slice(1) as [string, string, string, string, string, string])) : undefined;
}

function stampDate(year: string, month: string, day: string, hour: string, minute: string, second: string): Date | undefined {
  const date = new Date(Date.UTC(+year, +month - 1, +day, +hour, +minute, +second));
  if (Number.isNaN(date.getTime()) || date.getUTCDate() !== +day || +hour > 23 || +minute > 59 || +second > 59) return undefined;
  return date;
}

/**
 * A `YYYYMMDDTHHMMSSZ` stamp read from a loosely written date and time in a file name
 * (`2026-12-01_1500`, `20261201T1500`, `2026-12-01T15:00:00`), taken as UTC; undefined when the
 * name holds no real date.
 */
export function looseStamp(name: string): string | undefined {
  const match = /(\d{4})-?(\d{2})-?(\d{2})(?:[T_ -]?(\d{2}):?(\d{2})(?::?(\d{2}))?)?/.exec(name);
  if (!match) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00'] = match;
  return stampDate(year, month, day, hour, minute, second) ? `${year}${month}${day}T${hour}${minute}${second}Z` : undefined;
}

/**
 * What to do with a file whose name the csv-drop connector cannot read: the name it should have,
 * when its entity and a date can be read from it.
 */
export function batchNameAdvice(name: string): string {
  const entity = /^(stock|orders|events)/i.exec(name)?.[1]?.toLowerCase();
  const ext = /\.(csv\.gz|csv|json|parquet)$/i.exec(name)?.[1]?.toLowerCase();
  const mode = /_(full|delta)\b/i.exec(name)?.[1]?.toLowerCase();
  const stamp = looseStamp(name);
  const expected = 'name it <entity>_<YYYYMMDDTHHMMSSZ>[_full|_delta].csv, where entity is stock, orders or events and the time is UTC';
  if (!ext) return `${expected} (.csv, .csv.gz, .json or .parquet)`;
  if (entity && stamp) return `rename it to ${entity}_${stamp}${mode ? `_${mode}` : ''}.${ext} (if its time is UTC), or ${expected}`;
  return expected;
}
