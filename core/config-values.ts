import cron from 'node-cron';
import { z } from 'zod';
import { parseDurationMs } from './duration.ts';

/** The kinds of value a config key takes, each with the words its error says. */

export const duration = z.string().refine((text) => parseDurationMs(text) !== undefined, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a duration (write 30s, 15m, 2h or 7d)`,
});

/** A size as DuckDB's settings take it: 6GB, 512MB. */
export const size = z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, { error: 'is not a size such as 6GB or 512MB' });

export const cronExpression = z.string().refine((text) => cron.validate(text), {
  error: (issue) => `${JSON.stringify(issue.input)} is not a cron expression (for example "*/15 * * * *")`,
});

export const identifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a valid name (letters, digits, _ . -)`,
});

export const timezone = z.string().refine(isTimeZone, {
  error: (issue) => `${JSON.stringify(issue.input)} is not an IANA time zone (for example UTC or Europe/Berlin)`,
});

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
