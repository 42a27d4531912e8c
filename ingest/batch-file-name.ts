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
